"""The big lists stay cheap: 10,000 meetings or tablets render in a bounded number of queries,
with no N+1 and no full-table count on filtered lists."""

from __future__ import annotations

import pytest

from conferences.models import Conference, ConferenceDevice
from devices.models import Device
from flexcare.ids import new_object_id

pytestmark = pytest.mark.django_db

ROWS = 10_000


@pytest.fixture
def big_world(tenants):
    customer = tenants.customers["A1"]
    devices = Device.objects.bulk_create(
        Device(id=new_object_id(), customer=customer, name=f"Bed {i}", serial=f"S{i:06d}",
               device_id=f"D{i:06d}") for i in range(ROWS))
    meetings = Conference.objects.bulk_create(
        Conference(id=new_object_id(), customer=customer, employee=tenants.user("MANAGER@A1"))
        for _ in range(ROWS))
    ConferenceDevice.objects.bulk_create(
        ConferenceDevice(id=new_object_id(), conference=m, device=d, settings={}, active=False,
                         start_time=m.start_time, end_time=m.end_time)
        for m, d in zip(meetings, devices, strict=True))
    return tenants


URLS = [
    "/admin/conferences/conference/",
    "/admin/conferences/conference/?state__exact=CREATED",
    "/admin/devices/device/",
    "/admin/devices/device/?online=no",
]


# One world per user (building 10,000 rows is the slow part); every list checked in it.
@pytest.mark.parametrize("user", ["MANAGER@A1", "RESELLER@Reseller A", "ADMIN"])
def test_big_lists_render_in_at_most_12_queries(client, big_world, django_assert_max_num_queries,
                                                user):
    client.force_login(big_world.user(user))
    for url in URLS:
        check_list(client, url, user, django_assert_max_num_queries)


def check_list(client, url: str, user: str, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(12) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 100
    counts = [q["sql"].upper() for q in captured.captured_queries
              if q["sql"].upper().startswith("SELECT COUNT(")]
    assert len(counts) <= 1, "one count for the paginator; no extra full-table count"
    if "?" in url or user != "ADMIN":
        assert all("WHERE" in sql for sql in counts), "a filtered list counts only its rows"
    assert not any("GROUP BY" in sql for sql in counts)
