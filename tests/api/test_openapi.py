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
