"""`manage.py healthcheck`: database, broker and a worker answering a ping. Exit 1 if not."""

from __future__ import annotations

from typing import Any

from celery.exceptions import TimeoutError as CeleryTimeout
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection
from kombu.exceptions import OperationalError

from flexcare.celery import ping


class Command(BaseCommand):
    help = "Check the database, the Celery broker and that a worker runs tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=10.0, help="Seconds to wait.")

    def handle(self, *args: Any, **options: Any) -> None:
        failures = []
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            self.stdout.write("database: ok")
        except DatabaseError as exc:
            failures.append(f"database: {exc.__class__.__name__}")
        try:
            # No publish retries: an unreachable broker should fail now, not in 20 s.
            result = ping.apply_async(expires=options["timeout"], retry=False)
            result.get(timeout=options["timeout"])
            self.stdout.write("worker: ok")
        except OperationalError as exc:
            failures.append(f"broker: unreachable ({exc.__class__.__name__})")
        except CeleryTimeout:
            failures.append(f"worker: no answer within {options['timeout']:g} s")
        except Exception as exc:  # any other failure means "unhealthy", not a crash
            failures.append(f"worker: {exc.__class__.__name__}")
        if failures:
            raise CommandError("; ".join(failures))
