"""The API speaks the wire contract's English (docs/api.md#errors) whatever language the client
asks for, while the admin shows the same service refusals in Danish."""

from __future__ import annotations

import pytest
from django.utils import translation

from conferences.schedule import DEVICE_BUSY
from devices.models import Device
from flexcare.api.errors import exception_handler
from flexcare.errors import Conflict
from tests.api.conftest import error_of
from tests.api.employee.conftest import MEETING, bearer

DA = {"HTTP_ACCEPT_LANGUAGE": "da"}


@pytest.mark.django_db
def test_a_service_refusal_is_english_for_a_danish_client(api, tenants):
    a1 = tenants.customers["A1"]
    busy = Device.objects.get(customer=a1)  # already in the world's meeting
    response = api.post(MEETING, {"customer": a1.pk, "devices": [busy.pk]},
                        **bearer(tenants.user_tokens["MANAGER@A1"]), **DA)
    assert error_of(response) == (409, "device")
    assert response.json()["error"]["message"] == "Device is already in an active meeting"
    assert response["Content-Language"] == "en"


@pytest.mark.django_db
def test_drf_validation_messages_are_english_for_a_danish_client(api, client):
    client.cookies["django_language"] = "da"  # chosen with the admin's switch
    response = api.post("/auth/login", {"username": "someone@example.test"}, **DA)
    assert error_of(response) == (422, "password")
    assert response.json()["error"]["message"] == "This field is required."


@pytest.mark.django_db
def test_a_wrong_method_is_english_for_a_danish_client(api):
    response = api.client.put("/auth/login", "{}", content_type="application/json", **DA)
    assert error_of(response) == (405, "method_not_allowed")
    assert response.json()["error"]["message"] == 'Method "PUT" not allowed.'  # DRF's own


def test_the_error_renderer_uses_english_whatever_language_is_active():
    with translation.override("da"):
        assert str(DEVICE_BUSY) == "Enheden er allerede i et aktivt møde"
        response = exception_handler(Conflict("device", DEVICE_BUSY), {})
    assert response.data["error"]["message"] == "Device is already in an active meeting"
    assert type(response.data["error"]["message"]) is str
