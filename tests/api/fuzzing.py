"""Fuzzing the served OpenAPI schema with schemathesis against a live test server.

Every operation with the role's tag is fuzzed — a new endpoint is covered as soon as it is in
the schema — through schemathesis' engine, as its command line runs it: examples, coverage
(boundary and missing values), fuzzing (valid and invalid data) and stateful sequences, with
every check. Seeded and bounded in examples, not in time: each phase runs once, to the end, so
that a run draws the same requests on a fast machine and on a busy one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import schemathesis
from django.db import connections
from schemathesis.engine import events, from_schema

from flexcare.api.errors import is_api_path

# Repeatable: the same seed draws the same requests (as far as the server's answers let it).
SEED = 13
# No time limit: with one (`max-time`), schemathesis shares the time out between the phases,
# cutting the coverage phase short on a busy machine, and then runs the fuzzing and stateful
# phases again until the time is up — more or fewer cases by the machine's speed. Without it,
# one pass of every phase: 12 to 30 s a role on the shared 2-core machine.
MAX_EXAMPLES = 20
MAX_STATEFUL_STEPS = 10

# Rules between query parameters that OpenAPI cannot state: a range's last day is not before
# its first (and the usage report's spans at most 366 days). The fuzzer's requests are kept
# within them (the last day moved onto the first), so that "schema-valid requests are
# accepted" still holds for the rest.
DATE_RANGES = {
    "/flexcare/videochat/meetings": ("dateFrom", "dateTo"),
    "/flexcare/reports/usage": ("from", "to"),
}


@dataclass
class Role:
    """Who fuzzes: the operations with `tag`, with a bearer token from `issue_token` (called
    again whenever an answer says the token stopped working, e.g. after a logout)."""

    tag: str
    issue_token: Callable[[], str]
    ids: dict[str, list[str]] = field(default_factory=dict)  # dictionary name -> real ids
    # parameter -> (dictionary name, how often its value is drawn from it)
    parameters: dict[str, tuple[str, float]] = field(default_factory=dict)
    # Checks the contract breaks on purpose for this role, by name -> the reason.
    excluded: dict[str, str] = field(default_factory=dict)


def fuzz(base_url: str, role: Role) -> list[str]:
    """Run the engine as `role`; the failures it found, described for a test's assertion."""
    config = schemathesis.Config.from_dict({
        "seed": SEED,
        "workers": 1,
        # One request a connection. Kept alive (tried: it saves PostgreSQL a backend start a
        # request), a connection to the live server, Django's development server, once lost
        # step in 1 of 3 runs of the suite: an answer came without its status line
        # (BadStatusLine '<!DOCTYPE HTML>', http.server's answer to an HTTP/0.9 request line:
        # apparently the rest of a fuzzed request taken for the next). Closing also ends the
        # live server's thread for the request, and with it the thread's database connection,
        # which would otherwise outlive the test.
        "headers": {"Connection": "close"},
        "cache": {"enabled": False},
        "generation": {
            "mode": "all", "max-examples": MAX_EXAMPLES, "database": "none",
            # The contract refuses a NUL character or an unpaired surrogate anywhere in a body
            # (400 bad_request), which a schema cannot state for every string;
            # test_hostile_bodies.py sends them.
            "allow-x00": False, "codec": "utf-8",
        },
        "phases": {"stateful": {"max-steps": MAX_STATEFUL_STEPS}},
        "checks": {name: {"enabled": False} for name in role.excluded},
        "dictionaries": {name: {"values": ids} for name, ids in role.ids.items()},
        "parameters": {
            parameter: {"dictionary": name, "probability": probability}
            for parameter, (name, probability) in role.parameters.items()
        },
    })
    schema = schemathesis.openapi.from_url(
        f"{base_url}/api/schema/?format=json", config=config
    ).include(tag=role.tag)
    _bearer_auth(schema, role.issue_token)
    schema.hook("map_case")(_date_ranges_in_order)
    failures: list[str] = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            for case_id, checks in event.recorder.checks.items():
                failures.extend(
                    _describe(event.recorder, case_id, check.failure_info)
                    for check in checks if check.failure_info is not None
                )
        elif isinstance(event, events.NonFatalError | events.FatalError):
            error = getattr(event, "value", None) or getattr(event, "exception", None)
            failures.append(f"schemathesis could not run: {error!r}")
    return sorted(set(failures))


def _describe(recorder: Any, case_id: str, info: Any) -> str:
    steps = "\n".join(f"    {step.curl}" for step in info.steps) or f"    {info.code_sample}"
    response = recorder.find_response(case_id=case_id)
    answer = f"[{response.status_code}] {response.text[:300]}" if response is not None else "-"
    return f"{info.failure.operation}: {info.failure}\n{steps}\n    -> {answer}"


@schemathesis.check
def error_contract(ctx: Any, response: Any, case: Any) -> None:
    """Every failure on an API path is the contract's JSON (docs/api.md#errors):
    `{"error": {"code", "message", "status"}}`, `status` the answer's own."""
    if response.status_code < 400 or not is_api_path(case.path):
        return
    (content_type, *_) = response.headers.get("content-type", [""])  # lowercase keys, lists
    assert content_type.startswith("application/json"), f"an error as {content_type!r}"
    body = response.json()
    assert isinstance(body, dict), f"not the error shape: {body!r}"
    assert set(body) == {"error"}, f"not the error shape: {body!r}"
    assert set(body["error"]) == {"code", "message", "status"}, f"error keys: {body!r}"
    assert body["error"]["status"] == response.status_code, f"status differs: {body!r}"


def _date_ranges_in_order(context: Any, case: Any) -> Any:
    """A map_case hook (map_query is not applied in schemathesis' coverage phase)."""
    names = DATE_RANGES.get(case.operation.path)
    if case.query and names is not None:
        case.query = _range_in_order(case.query, names)
    return case


def _range_in_order(query: dict[str, Any], names: tuple[str, str]) -> dict[str, Any]:
    days = [query.get(name) for name in names]
    try:
        first, last = (date.fromisoformat(day) if day is not None else None for day in days)
    except (TypeError, ValueError):  # an invalid date: a negative case, kept as it is
        return query
    if first is None or last is None or last < first or (last - first).days >= 366:
        known = days[0] if first is not None else days[1]
        if known is not None:
            query = {**query, names[0]: known, names[1]: known}
    return query


def _bearer_auth(schema: Any, issue_token: Callable[[], str]) -> None:
    class BearerToken:
        def get(self, case: Any, context: Any) -> str:
            try:
                return issue_token()
            finally:
                # The engine runs in threads of its own: leave no connection open behind.
                connections.close_all()

        def set(self, case: Any, token: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}

    # A token is reused until an answer says it no longer works (401, or 403 `token`).
    schema.auth(refresh_interval=3600, retry_on=[401, 403])(BearerToken)
