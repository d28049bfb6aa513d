"""OpenAPI: every tablet endpoint documented with its errors; docs work offline; real
responses match the documented schemas."""

from __future__ import annotations

import re

import pytest

from conferences.models import Command
from tests.api.openapi import assert_matches_schema, load_schema

TABLET_PATHS = {
    "/iptv/flexcareconference/meeting/device": {"200", "304", "403", "404"},
    "/iptv/flexcareconference/meeting/{meeting_id}/commands": {"200", "403", "404"},
    "/iptv/flexcareconference/meeting/{meeting_id}/commands/{command_id}/executed":
        {"200", "403", "404", "409"},
    "/iptv/app/login/serial": {"200", "404", "409", "422", "429"},
    "/iptv/app/login/deviceid": {"200", "404", "409", "422", "429"},
    "/iptv/app/validate": {"200", "403"},
    "/iptv/app/logout": {"200", "403"},
}


@pytest.fixture
def schema(client, db):
    return load_schema(client)


def test_every_tablet_endpoint_is_documented_with_its_errors(schema):
    for path, statuses in TABLET_PATHS.items():
        (operation,) = schema["paths"][path].values()
        assert statuses <= set(operation["responses"]), path
        assert "Tablet" in operation["tags"]


def test_the_docs_page_loads_its_assets_locally(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    assert not [a for a in assets if a.startswith(("http:", "https:", "//"))]
    for asset in (a for a in assets if a.startswith("/static/")):
        assert client.get(asset).status_code == 200, asset


def test_real_responses_match_the_documented_schemas(client, api, tablet, schema):
    base = "/iptv/flexcareconference/meeting"
    token = {"token": tablet.token}
    meeting = api.post(f"{base}/device", token)
    assert_matches_schema(schema, f"{base}/device", "post", 200, meeting.json())
    commands = api.post(f"{base}/{tablet.meeting.pk}/commands", token)
    assert_matches_schema(schema, f"{base}/{{meeting_id}}/commands", "post", 200,
                          commands.json())
    command = Command.objects.first()
    assert command is not None
    ack = api.post(f"{base}/{tablet.meeting.pk}/commands/{command.pk}/executed", token)
    assert_matches_schema(schema, f"{base}/{{meeting_id}}/commands/{{command_id}}/executed",
                          "post", 200, ack.json())
    validate = api.get("/iptv/app/validate", token)
    assert_matches_schema(schema, "/iptv/app/validate", "get", 200, validate.json())
    error = api.post(f"{base}/device", {})
    assert_matches_schema(schema, f"{base}/device", "post", 403, error.json())


def test_the_schema_generates_without_warnings():
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def _operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_ids_and_dates_are_described_as_the_views_check_them(schema):
    for name, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            where, key = parameter["in"], parameter["name"]
            if (where == "path" and key.endswith("_id")) or (where, key) == ("query",
                                                                            "customer"):
                assert parameter["schema"]["pattern"] == "^[0-9a-f]{24}$", (name, key)
            if key in {"dateFrom", "dateTo", "from", "to"}:
                assert parameter["schema"]["format"] == "date", (name, key)
                assert parameter["schema"]["pattern"].startswith("^[12]"), (name, key)
    listing = dict(_operations(schema))["GET /flexcare/videochat/meetings"]
    bounds = {p["name"]: (p["schema"].get("minimum"), p["schema"].get("maximum"))
              for p in listing["parameters"]}
    assert bounds["limit"] == (1, 500)
    assert bounds["offset"] == (0, 999_999_999)


def test_every_body_is_documented_in_both_content_types_with_its_errors(schema):
    bodies = {name: operation for name, operation in _operations(schema)
              if "requestBody" in operation}
    assert len(bodies) == 10
    for name, operation in bodies.items():
        assert set(operation["requestBody"]["content"]) == {
            "application/json", "application/x-www-form-urlencoded"}, name
        assert {"400", "413", "415"} <= set(operation["responses"]), name
        # A tablet may send its token as a bearer header and no body at all.
        assert operation["requestBody"].get("required", False) == (
            name in {"POST /auth/login", "POST /iptv/app/login/serial",
                     "POST /iptv/app/login/deviceid", "POST /iptv/flexcareconference/meeting",
                     "POST /iptv/flexcareconference/meeting/{meeting_id}/createcommand",
                     "POST /iptv/flexcareconference/meeting/{meeting_id}/guests",
                     "PATCH /iptv/flexcareconference/meeting/{meeting_id}"}), name


def test_each_command_type_is_documented_with_the_field_it_needs(schema):
    body = schema["paths"]["/iptv/flexcareconference/meeting/{meeting_id}/createcommand"][
        "post"]["requestBody"]["content"]
    variants = body["application/json"]["schema"]["properties"]["command"]["oneOf"]
    needs = {tuple(v["properties"]["type"]["enum"]): set(v["required"]) for v in variants}
    assert needs == {
        ("CAMERA_ON", "MICROPHONE_ON"): {"type", "value"},
        ("SET_VOLUME",): {"type", "volume"},
        ("SET_QUALITY",): {"type", "quality"},
        ("START_MEETING", "HANGUP"): {"type"},
    }
    form = body["application/x-www-form-urlencoded"]["schema"]["oneOf"]
    assert {tuple(v["properties"]["command[type]"]["enum"]) for v in form} == set(needs)
