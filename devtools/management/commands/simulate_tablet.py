"""`manage.py simulate_tablet --url http://127.0.0.1:8000 --serial FLXCA1700003`"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from devtools.simulator import TabletError, TabletSimulator


class Command(BaseCommand):
    help = "Act as a bedside tablet over HTTP: log in, poll for a meeting, execute commands."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="The server.")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--serial", help="Log in by serial.")
        who.add_argument("--device-id", help="Log in by barcode (deviceId).")
        who.add_argument("--token", help="Use a token from an earlier login.")
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds between polls.")
        parser.add_argument("--rounds", type=int, default=None,
                            help="Stop after this many polls (default: until Ctrl-C).")
        parser.add_argument("--fail", action="append", default=[], metavar="TYPE",
                            help="Report commands of this type as failed (repeatable).")

    def handle(self, *args: Any, **options: Any) -> None:
        tablet = TabletSimulator(options["url"], say=self.stdout.write, token=options["token"],
                                 fail_types=set(options["fail"]))
        try:
            if not options["token"]:
                tablet.login(serial=options["serial"], device_id=options["device_id"])
                self.stdout.write(f"token: {tablet.token}")
            tablet.run(interval=options["interval"], rounds=options["rounds"])
        except TabletError as exc:  # the server's message says what to do
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"cannot reach {options['url']}: {exc}") from exc
        except KeyboardInterrupt:
            self.stdout.write("stopped")
