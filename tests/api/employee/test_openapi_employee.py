"""OpenAPI: every employee endpoint documented with its errors and security; real employee
responses (successes and errors) match the served schema."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conferences.models import Conference
from tests.api.employee.conftest import bearer, free_device
from tests.api.openapi import assert_matches_schema, load_schema
from tests.factories import PASSWORD

M = "/iptv/flexcareconference/meeting"
EMPLOYEE_PATHS = {
    ("/auth/login", "post"): {"200", "401", "403", "422", "429"},
    ("/auth/validateToken", "get"): {"200", "401"},
    ("/auth/logout", "get"): {"200", "401"},
    (M, "post"): {"200", "400", "401", "403", "404", "409", "422"},
    (f"{M}/{{meeting_id}}", "patch"): {"200", "401", "403", "404", "409", "422"},
    (f"{M}/{{meeting_id}}/guests", "post"): {"200", "401", "403", "404", "409", "422"},
    (f"{M}/{{meeting_id}}/createcommand", "post"): {"200", "401", "403", "404", "409", "422",
                                                    "429"},
    (f"{M}/{{meeting_id}}/close", "post"): {"200", "401", "403", "404"},
    (f"{M}/{{meeting_id}}/devices/{{device_id}}", "get"): {"200", "401", "404"},
    ("/flexcare/videochat/meetings", "get"): {"200", "400", "401", "404"},
    ("/flexcare/reports/usage", "get"): {"200", "400", "401", "404"},
    ("/iptv/device/{device_id}/resettoken", "post"): {"200", "401", "403", "404"},
}


@pytest.fixture
def schema(client, db):
    return load_schema(client)


def test_every_employee_endpoint_is_documented_with_its_errors(schema):
    for (path, method), statuses in EMPLOYEE_PATHS.items():
        operation = schema["paths"][path][method]
        assert statuses <= set(operation["responses"]), path
        assert operation["tags"] == ["Employee"], path
        if path != "/auth/login":
            assert {"userToken": []} in operation["security"], path


def test_request_bodies_are_documented_with_examples(schema):
    for path, method in ((M, "post"), (f"{M}/{{meeting_id}}/createcommand", "post"),
                         ("/auth/login", "post"), (f"{M}/{{meeting_id}}", "patch"),
                         (f"{M}/{{meeting_id}}/guests", "post")):
        body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]
        assert body["schema"], path
        assert body["examples"], path


def test_the_booking_fields_are_documented_as_they_are(schema):
    components = schema["components"]["schemas"]
    create = components["CreateMeetingIn"]["properties"]
    assert {"startTime", "endTime", "guests", "language"} <= set(create)
    assert create["startTime"]["format"] == "date-time"
    meeting = components["EmployeeMeetingOut"]
    assert {"startTime", "endTime", "guests", "language"} <= set(meeting["required"])
    guest = components["GuestOut"]
    assert set(guest["required"]) == {"_id", "email", "name", "status", "reason", "sentAt"}
    assert set(components["MeetingOut"]["required"]) == {
        "_id", "customer", "employee", "uri", "pin", "desktopLink", "clinicalLink",
        "mobileLink", "state", "created", "devices"}  # the tablet's document: unchanged


def test_real_responses_match_the_documented_schemas(api, tenants, schema):
    def check(path, method, response, status=200):
        assert response.status_code == status, response.content
        assert_matches_schema(schema, path, method, status, response.json())

    manager = bearer(tenants.user_tokens["MANAGER@A1"])
    viewer = bearer(tenants.user_tokens["VIEWER@A1"])
    check("/auth/login", "post", api.post("/auth/login", {
        "username": "viewer@a1.test", "password": PASSWORD}))
    check("/auth/login", "post", api.post("/auth/login", {
        "username": "viewer@a1.test", "password": "wrong"}), 401)
    check("/auth/validateToken", "get", api.get("/auth/validateToken", **viewer))
    check("/auth/validateToken", "get", api.get("/auth/validateToken"), 401)

    a1 = tenants.customers["A1"]
    device = free_device(a1)
    created = api.post(M, {"customer": a1.pk, "devices": [device.pk]}, **manager)
    check(M, "post", created)
    check(M, "post", api.post(M, {"customer": a1.pk, "devices": [device.pk]}, **manager), 409)
    check(M, "post", api.post(M, {"customer": a1.pk}, **manager), 400)
    check(M, "post", api.post(M, {"customer": a1.pk, "devices": [free_device(a1).pk],
                                  "startTime": "yesterday"}, **manager), 422)
    meeting = created.json()["_id"]
    booked = api.post(M, {"customer": a1.pk, "devices": [free_device(a1).pk],
                          "startTime": (timezone.now() + timedelta(days=1)).isoformat(),
                          "guests": [{"email": "anna@example.test", "name": "Anna"}]}, **manager)
    check(M, "post", booked)
    ahead = f"{M}/{{meeting_id}}"
    booked_path = f"{M}/{booked.json()['_id']}"
    check(ahead, "patch", api.patch(booked_path, {"endTime": booked.json()["endTime"]},
                                    **manager))
    check(ahead, "patch", api.patch(booked_path, {"startTime": "x"}, **manager), 422)
    check(ahead, "patch", api.patch(f"{M}/{meeting}", {"endTime": "2099-01-01T10:00:00Z"},
                                    **manager), 409)
    guests = f"{M}/{{meeting_id}}/guests"
    check(guests, "post", api.post(f"{booked_path}/guests",
                                   {"guests": [{"email": "bo@example.test"}]}, **manager))
    check(guests, "post", api.post(f"{booked_path}/guests", {"guests": "bo"}, **manager), 422)
    check(guests, "post", api.post(f"{booked_path}/guests", {"guests": []}, **viewer), 403)
    command = f"{M}/{{meeting_id}}/createcommand"
    body = {"deviceId": device.pk, "command": {"type": "SET_QUALITY", "quality": "LOW"}}
    check(command, "post", api.post(f"{M}/{meeting}/createcommand", body, **manager))
    check(command, "post", api.post(f"{M}/{meeting}/createcommand", body, **viewer), 403)
    check(command, "post", api.post(f"{M}/{meeting}/createcommand",
                                    {**body, "command": {"type": "X"}}, **manager), 422)
    state = f"{M}/{{meeting_id}}/devices/{{device_id}}"
    check(state, "get", api.get(f"{M}/{meeting}/devices/{device.pk}", **viewer))
    check(state, "get", api.get(f"{M}/{meeting}/devices/nope", **viewer), 404)
    listing = "/flexcare/videochat/meetings"
    check(listing, "get", api.get(listing, **viewer))
    check(listing, "get", api.get(listing, {"limit": "0"}, **viewer), 400)
    usage = "/flexcare/reports/usage"
    check(usage, "get", api.get(usage, {"granularity": "day"}, **viewer))
    check(usage, "get", api.get(usage, {"granularity": "year"}, **viewer), 400)
    check(usage, "get", api.get(usage, {"customer": tenants.customers["B1"].pk}, **viewer), 404)
    check(f"{M}/{{meeting_id}}/close", "post", api.post(f"{M}/{meeting}/close", **manager))
    reset = "/iptv/device/{device_id}/resettoken"
    check(reset, "post", api.post(f"/iptv/device/{device.pk}/resettoken", **manager))
    check("/auth/logout", "get", api.get("/auth/logout", **viewer))
    check("/auth/logout", "get", api.get("/auth/logout", **viewer), 401)
    assert Conference.objects.filter(pk=meeting).exists()


def test_the_usage_report_documents_its_csv(schema):
    responses = schema["paths"]["/flexcare/reports/usage"]["get"]["responses"]
    assert set(responses["200"]["content"]) == {"application/json", "text/csv"}


def test_the_meeting_list_with_provisioned_meetings_matches(api, tenants, schema):
    from tests.api.conftest import ready_meeting

    ready_meeting([free_device(tenants.customers["A1"])])
    response = api.get("/flexcare/videochat/meetings", **bearer(tenants.user_tokens["ADMIN"]))
    assert response.json()["total"] == 5
    assert_matches_schema(schema, "/flexcare/videochat/meetings", "get", 200, response.json())

