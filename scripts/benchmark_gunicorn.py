"""Gunicorn settings of `make benchmark`: the project's gunicorn.conf.py, with the access log
off (the floor and the tablets' calls alike), so that it costs neither any time."""

from pathlib import Path
from runpy import run_path

globals().update(run_path(str(Path(__file__).resolve().parents[1] / "gunicorn.conf.py")))
accesslog = None
