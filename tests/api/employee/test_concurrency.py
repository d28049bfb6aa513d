"""Two employees creating a meeting for the same tablet at the same moment: one meeting; two
bookings of one tablet at the same moment: never overlapping ones."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("second_start", "statuses"), [
    (30, [200, 409]),  # overlapping: one is refused
    (60, [200, 200]),  # adjacent: both booked
])
def test_simultaneous_bookings_of_one_device_never_overlap(second_start, statuses):
    world = build_tenants()
    customer = world.customers["A1"]
    device = free_device(customer)
    start = timezone.now().replace(microsecond=0) + timedelta(days=1)
    bodies = [{"customer": customer.pk, "devices": [device.pk], "startTime": begin.isoformat(),
               "endTime": (begin + timedelta(hours=1)).isoformat()}
              for begin in (start, start + timedelta(minutes=second_start))]
    token = world.user_tokens["MANAGER@A1"]
    barrier = threading.Barrier(len(bodies))
    answers: list[tuple[int, str]] = []

    def create(body: dict) -> None:
        try:
            client = Client()
            barrier.wait()
            response = client.post(MEETING, body, content_type="application/json",
                                   **bearer(token))
            answers.append((response.status_code, response.json().get("error", {}).get("code")))
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in answers) == statuses
    assert {code for status, code in answers if status == 409} <= {"device"}
    booked = ConferenceDevice.objects.filter(device=device, active=True).order_by("start_time")
    assert booked.count() == statuses.count(200)
    assert all(a.end_time <= b.start_time for a, b in itertools.pairwise(booked))
