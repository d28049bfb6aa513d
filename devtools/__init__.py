"""What only development and the tests use: demo data (`manage.py seed_demo`), the fake
MedCom VDX server (`manage.py fake_vdx`) and the tablet simulator (`manage.py simulate_tablet`).
No production module imports it (an import-linter contract in pyproject.toml checks that)."""
