"""Settings of `make benchmark`'s web server and of the benchmark itself: production settings
(DEBUG off, the production middleware, CONN_MAX_AGE) with the benchmark's own URLs (the
floor view beside the production ones), its throwaway database and plain HTTP."""

import os

os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# wrk speaks plain HTTP to the server, as a TLS proxy in front of it would.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from flexcare.settings import *  # noqa: F403

ROOT_URLCONF = "benchmark_urls"
# The test database benchmark.py created (never the one DATABASE_URL names).
if os.environ.get("FLEXCARE_BENCHMARK_DATABASE"):
    DATABASES["default"]["NAME"] = os.environ["FLEXCARE_BENCHMARK_DATABASE"]  # noqa: F405
# Apart from any other user of the same Redis.
CACHES["default"]["KEY_PREFIX"] = "flexcare-benchmark"  # noqa: F405
# The measured calls queue no task; building the world does (provisioning, on the fake
# provider): run those inline rather than leave them on a broker nobody serves.
CELERY_TASK_ALWAYS_EAGER = True
