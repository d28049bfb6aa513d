"""Two employees creating a meeting for the same tablet at the same moment: one meeting."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from conferences.models import ConferenceDevice
from tests.api.employee.conftest import MEETING, bearer, free_device
from tests.tenants import build_tenants


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_creates_for_one_device_give_one_200_and_one_409():
    world = build_tenants()
    customer = world.customers["A1"]
    device = free_device(customer)
    body = {"customer": customer.pk, "devices": [device.pk]}
    tokens = [world.user_tokens["MANAGER@A1"], world.user_tokens["RESELLER@Reseller A"]]
    barrier = threading.Barrier(len(tokens))
    statuses: list[int] = []

    def create(token: str) -> None:
        try:
            client = Client()
            barrier.wait()
            response = client.post(MEETING, body, content_type="application/json",
                                   **bearer(token))
            statuses.append(response.status_code)
            if response.status_code == 409:
                assert response.json()["error"]["code"] == "device"
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]
    assert ConferenceDevice.objects.filter(device=device, active=True).count() == 1
