"""`manage.py seed_demo [--json] [--force]`: create or refresh the demo data. Idempotent: the
printed tablet tokens stay valid across runs (see devtools.demo)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from devices.models import Device
from devtools.demo import seed_demo, token_file


def simulator(url: str) -> str:
    """The simulator's command line, as it works when pasted into another terminal beside the
    running portal (manage.py needs DEBUG there, as `make run` sets it)."""
    return f"DEBUG=1 .venv/bin/python manage.py simulate_tablet --url {url}"


class Command(BaseCommand):
    help = "Create (or refresh) demo customers, users, tablets and meetings. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the demo data as JSON.")
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000",
            help="Where the portal runs, for the simulator command it prints.")
        parser.add_argument(
            "--force", action="store_true",
            help="Run even with DEBUG off (the demo users have a public password).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to create demo users with a public password while DEBUG is off. "
                "Use --force on a throwaway database."
            )
        # Plain tokens go to disk in development only: forced with DEBUG off (a throwaway
        # production-like database), they are printed once and kept nowhere.
        data = seed_demo(keep_tokens=settings.DEBUG)
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2))
            return
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in at /admin/ with:"))
        rows = [(data["admin"]["email"], "ADMIN")] + [
            (user["email"], user["accessLevel"]) for user in data["users"]
        ]
        for email, level in rows:
            self.stdout.write(f"  {email:<36} {level:<9} password: {data['admin']['password']}")
        for device in data["devices"]:
            if device["token"]:
                self.stdout.write(f"  tablet {device['serial']} token: {device['token']}")
            elif Device.objects.filter(pk=device["_id"], locked=True).exists():
                self.stdout.write(f"  tablet {device['serial']} is logged in elsewhere "
                                  "(reset its token in the portal to log in by serial again)")
            else:
                self.stdout.write(f"  tablet {device['serial']} is not logged in: act as it with")
                self.stdout.write(f"    {simulator(options['url'])} --serial {device['serial']}")
        self.stdout.write(f"  (tablet tokens are kept in {token_file()} and reused while valid)")
