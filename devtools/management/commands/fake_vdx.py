"""`manage.py fake_vdx [--port 8099] [faults]`: run the fake MedCom VDX API until Ctrl-C."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from devtools import vdx_fake_server as fake

FAULT_FLAGS: list[tuple[str, type, str]] = [
    ("latency", float, "seconds added to every request"),
    ("fail_next", int, "the next N API requests fail with --fail-status"),
    ("fail_status", int, "HTTP status of injected failures (default 500)"),
    ("fail_code", int, "detailed_error_code of injected failures, e.g. 24 (try again)"),
    ("timeout_next", int, "the next N API requests sleep --timeout-seconds first"),
    ("timeout_seconds", float, "sleep of a timeout (default 5)"),
    ("provision_after_reads", int, "bookings stay AWAITS_PROVISION for N status reads"),
    ("provision_after_seconds", float, "... and at least this many seconds"),
    ("token_expires_in", int, "token lifetime in seconds (default 3600)"),
]


class Command(BaseCommand):
    help = "Run a fake MedCom VDX booking API (in memory, with switchable faults)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8099)
        for name, kind, text in FAULT_FLAGS:
            parser.add_argument("--" + name.replace("_", "-"), type=kind, help=text)
        parser.add_argument("--provision-problems", action="store_true",
                            help="new bookings end in PROVISION_PROBLEMS")
        parser.add_argument("--allow-duplicate-external-id", action="store_true",
                            help="do not refuse a reused externalId (real VDX does)")
        parser.add_argument("--no-token", action="store_true",
                            help="do not require a bearer token (certificate-only setups)")
        parser.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
        parser.add_argument("--tls-key", help="... and this key (PEM)")
        parser.add_argument("--client-ca", help="require client certificates issued by this CA")

    def handle(self, *args: Any, **options: Any) -> None:
        faults = {name: options[name] for name, _, _ in FAULT_FLAGS if options[name] is not None}
        faults["provision_problems"] = options["provision_problems"]
        faults["duplicate_external_id"] = not options["allow_duplicate_external_id"]
        state = fake.FakeVdxState(require_token=not options["no_token"])
        state.set_faults(**faults)
        server = fake.FakeVdxServer((options["host"], options["port"]), state)
        if options["tls_cert"]:
            server.use_tls(cert=options["tls_cert"], key=options["tls_key"] or "",
                           client_ca=options["client_ca"] or "")
        root = server.root
        self.stdout.write(self.style.SUCCESS(f"Fake VDX on {root} (Ctrl-C stops it). Use:"))
        self.stdout.write(f"  VDX_PROVIDER=vdx VDX_API_URL={root}{fake.API_PREFIX}")
        if not options["no_token"]:
            self.stdout.write(f"  VDX_TOKEN_URL={root}{fake.TOKEN_PATH} "
                              f"VDX_CLIENT_ID={fake.CLIENT_ID} "
                              f"VDX_CLIENT_SECRET={fake.CLIENT_SECRET}")
        self.stdout.write(f"  counters: GET {root}{fake.CONTROL_PATH}; faults: POST JSON there")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("Stopping.")
        finally:
            server.server_close()
