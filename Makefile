# The two commands of the README, plus a few conveniences. Everything installs what it needs.
PYTHON ?= python3
VENV := .venv
PORT ?= 8000

.PHONY: run test lint venv clean benchmark benchmark-usage soak scale-demo

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

## make run: the portal with demo data on SQLite, a Celery worker and beat (Ctrl-C stops all)
# exec: make's shell becomes run.sh, so the SIGTERM make passes on (from a process supervisor)
# reaches run.sh, which stops the web server, worker and beat.
run: venv
	PORT=$(PORT) exec bash scripts/run.sh

## make test: the whole suite on private PostgreSQL and Redis servers it starts itself
test: venv
	bash scripts/with-services.sh bash scripts/test.sh $(ARGS)

## make benchmark: the tablets' calls over gunicorn + wrk beside a do-nothing DRF view, on
## private PostgreSQL and Redis (scripts/benchmark.py --help)
benchmark: venv
	bash scripts/with-services.sh $(VENV)/bin/python scripts/benchmark.py $(ARGS)

## make benchmark-usage: the usage report over a year of 100 customers, on private PostgreSQL
benchmark-usage: venv
	bash scripts/with-services.sh $(VENV)/bin/python scripts/benchmark_usage.py $(ARGS)

## make soak: the real stack under load and faults, about 5 minutes (ARGS="--short": 90 s)
soak: venv
	$(VENV)/bin/python -m devtools.soak $(ARGS)

## make scale-demo: two web servers and two workers sharing the load of 200 tablets
scale-demo: venv
	$(VENV)/bin/python -m devtools.scale_demo $(ARGS)

## make lint: ruff, the import contracts and mypy (make test runs them first)
lint: venv
	bash scripts/lint.sh

clean:
	rm -rf var .pytest_cache .ruff_cache
