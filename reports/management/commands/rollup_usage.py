"""`manage.py rollup_usage [--rebuild]`: roll up every final day now (beat does it every
ten minutes, a year's worth in a few runs); --rebuild forgets the rollup first, e.g. after
changing TIME_ZONE."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reports.rollup import usage_rollup, usage_rollup_reset


class Command(BaseCommand):
    help = "Roll up the usage figures of every day whose meetings are all closed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true",
                            help="forget the rollup first and recompute it from the meetings")

    def handle(self, *args: Any, rebuild: bool = False, **options: Any) -> None:
        if rebuild:
            usage_rollup_reset()
        written = total = 0
        while written := usage_rollup():
            total += written
        self.stdout.write(f"rolled up {total} customer-days")
