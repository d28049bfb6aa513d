"""Settings for the test suite: the production settings module with test-only environment
defaults (so a bare `pytest` works) and a fast password hasher. Explicit variables win."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# The test client and live server speak plain HTTP.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from flexcare.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tasks queued on commit run inline; tests that need a real worker switch this off
# (tests/celery_worker.py).
CELERY_TASK_ALWAYS_EAGER = os.environ.get("FLEXCARE_TEST_EAGER", "1") == "1"
CELERY_TASK_EAGER_PROPAGATES = True

# Production serves collected static files; the suite serves them straight from the apps.
WHITENOISE_USE_FINDERS = True

# scripts/with-services.sh runs Redis on a unix socket, unix:///path, the form the cache's
# redis-py reads; Celery (kombu and its result backend) reads only its own, redis+socket:///path.
_redis_url = os.environ.get("REDIS_URL", "")
if _redis_url.startswith("unix://"):
    CELERY_BROKER_URL = CELERY_RESULT_BACKEND = "redis+socket://" + _redis_url[len("unix://"):]
