"""Settings for the test suite: the production settings module with test-only environment
defaults (so a bare `pytest` works) and a fast password hasher. Explicit variables win."""

import os
from urllib.parse import urlsplit

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# The test client and live server speak plain HTTP.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from flexcare.redis_url import celery_url
from flexcare.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tasks queued on commit run inline; tests that need a real worker switch this off
# (tests/celery_worker.py).
CELERY_TASK_ALWAYS_EAGER = os.environ.get("FLEXCARE_TEST_EAGER", "1") == "1"
CELERY_TASK_EAGER_PROPAGATES = True

# Production serves collected static files; the suite serves them straight from the apps.
WHITENOISE_USE_FINDERS = True
# Looked up per request instead of indexed at start: every test client loads the middleware
# anew, and indexing every app's static files (the admin's, DRF's, ...) costs 27 ms a client,
# about a minute of the suite.
WHITENOISE_AUTOREFRESH = True

# Under pytest-xdist each worker has a Redis database of its own (gw0 uses 1, gw1 uses 2, ...):
# workers never share throttling counters, Celery queues or the broadcasts that find a test's
# Celery worker, which inherits PYTEST_XDIST_WORKER and so picks the same database.
_redis_url = os.environ.get("REDIS_URL", "")
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _redis_url and _xdist_worker:
    _db = int(_xdist_worker.removeprefix("gw")) + 1
    _parts = urlsplit(_redis_url)
    if _parts.scheme == "unix":  # urlunsplit would drop the empty host: unix:/path
        _redis_url = f"unix://{_parts.path}?db={_db}"
    else:
        _redis_url = _parts._replace(path=f"/{_db}").geturl()
    CACHES["default"]["LOCATION"] = _redis_url  # noqa: F405
    CELERY_BROKER_URL = CELERY_RESULT_BACKEND = celery_url(_redis_url)
