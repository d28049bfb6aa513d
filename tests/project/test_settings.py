"""Configuration: SECRET_KEY required in production, deploy checks clean, migrations in step."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from flexcare.redis_url import celery_url

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3y-" + "x7Qp9vL2mN8rT4wZ6yB1cD5fG0hJ3kS" * 2

# Variables of the surrounding run that must not leak into the subprocess under test.
CONFIGURATION = {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "REDIS_URL",
                 "USE_X_FORWARDED_PROTO", "NUM_PROXIES", "EMAIL_URL", "DEFAULT_FROM_EMAIL"}

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "flexcare.example.dk",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "DJANGO_SETTINGS_MODULE": "flexcare.settings",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in CONFIGURATION}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_secret_key_is_required_with_debug_off():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_debug_on_runs_without_a_secret_key():
    result = manage("check", env={"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "flexcare.settings"})
    assert result.returncode == 0, result.stderr


def test_deploy_check_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_warns_without_a_broker():
    env = {k: v for k, v in PRODUCTION.items() if k != "REDIS_URL"}
    result = manage("check", "--deploy", env=env)
    assert "flexcare.W001" in result.stdout + result.stderr


def test_deploy_check_warns_when_a_proxy_is_trusted_but_not_counted():
    behind_proxy = {**PRODUCTION, "USE_X_FORWARDED_PROTO": "1"}
    result = manage("check", "--deploy", env=behind_proxy)
    assert "flexcare.W002" in result.stdout + result.stderr
    counted = manage("check", "--deploy", "--fail-level", "WARNING",
                     env={**behind_proxy, "NUM_PROXIES": "1"})
    assert counted.returncode == 0, counted.stdout + counted.stderr


def test_security_settings_are_switchable_behind_a_tls_proxy():
    env = {**PRODUCTION, "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0"}
    code = ("from django.conf import settings as s; "
            "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)")
    result = manage("shell", "-v", "0", "-c", code, env=env)
    assert result.stdout.split() == ["False", "0"], result.stderr


def test_production_defaults_are_secure():
    code = ("from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, "
            "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.DEBUG)")
    result = manage("shell", "-v", "0", "-c", code, env=PRODUCTION)
    assert result.stdout.split() == ["True", "True", "True", "True", "False"], result.stderr


EMAIL = ("from django.conf import settings as s; print(s.EMAIL_BACKEND.rsplit('.', 2)[1], "
         "s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_USE_TLS, s.EMAIL_FILE_PATH, "
         "s.DEFAULT_FROM_EMAIL)")


def test_the_mail_server_is_read_from_email_url():
    env = {**PRODUCTION, "EMAIL_URL": "smtp+tls://flexcare:secret@smtp.example.dk:587",
           "DEFAULT_FROM_EMAIL": "noreply@hospital.example.dk"}
    result = manage("shell", "-v", "0", "-c", EMAIL, env=env)
    assert result.stdout.split()[:5] == ["smtp", "smtp.example.dk", "587", "flexcare", "True"]
    assert result.stdout.split()[-1] == "noreply@hospital.example.dk", result.stderr


def test_the_quickstart_writes_mails_as_files_under_var_mail():
    env = {"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "flexcare.settings"}
    result = manage("shell", "-v", "0", "-c", EMAIL, env=env)
    assert result.stdout.split()[0] == "filebased", result.stderr
    assert str(ROOT / "var" / "mail") in result.stdout


def test_system_checks_pass():
    call_command("check")


@pytest.mark.django_db
def test_migrations_match_the_models():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_every_variable_is_documented_in_env_example_and_readme():
    import re

    read = set(re.findall(r'env\.\w+\("([A-Z_]+)"', (ROOT / "flexcare/settings.py").read_text()))
    assert len(read) > 30
    example = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    readme = (ROOT / "README.md").read_text()
    assert read <= example
    assert {name for name in read if f"`{name}`" not in readme} == set()


def test_allowed_hosts_is_required_with_debug_off():
    env = {k: v for k, v in PRODUCTION.items() if k != "ALLOWED_HOSTS"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is required when DEBUG is off" in result.stderr


@pytest.mark.parametrize(("redis_url", "celery"), [
    ("unix:///run/redis/redis.sock", "redis+socket:///run/redis/redis.sock"),
    ("unix:///run/redis/redis.sock?db=2", "redis+socket:///run/redis/redis.sock?virtual_host=2"),
    ("redis://cache:6379/0", "redis://cache:6379/0"),
])
def test_a_redis_socket_is_named_for_celery_as_celery_reads_it(redis_url, celery):
    """kombu knows no unix:// (make benchmark's Celery failed on the socket it was given)."""
    assert celery_url(redis_url) == celery
