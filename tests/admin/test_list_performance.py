"""The big lists stay cheap: 10,000 meetings or tablets render in a bounded number of queries,
with no N+1 and no full-table count on filtered lists."""

from __future__ import annotations

import pytest

from conferences.models import Conference, ConferenceDevice
from devices.models import Device
from flexcare.ids import new_object_id

pytestmark = pytest.mark.django_db

ROWS = 10_000


# Building 10,000 rows is the slow part: once for the module, inside the tenants world's
# transaction (tests/conftest.py), which rolls them back with it.
@pytest.fixture(scope="module")
def big_world(tenants_world, django_db_blocker):
    customer = tenants_world.customers["A1"]
    with django_db_blocker.unblock():
        devices = Device.objects.bulk_create(
            Device(id=new_object_id(), customer=customer, name=f"Bed {i}", serial=f"S{i:06d}",
                   device_id=f"D{i:06d}") for i in range(ROWS))
        meetings = Conference.objects.bulk_create(
            Conference(id=new_object_id(), customer=customer,
                       employee=tenants_world.user("MANAGER@A1")) for _ in range(ROWS))
        ConferenceDevice.objects.bulk_create(
            ConferenceDevice(id=new_object_id(), conference=m, device=d, settings={},
                             active=False, start_time=m.start_time, end_time=m.end_time)
            for m, d in zip(meetings, devices, strict=True))


URLS = [
    "/admin/conferences/conference/",
    "/admin/conferences/conference/?state__exact=CREATED",
    "/admin/devices/device/",
    "/admin/devices/device/?online=no",
]


@pytest.mark.usefixtures("big_world")
@pytest.mark.parametrize("user", ["MANAGER@A1", "RESELLER@Reseller A", "ADMIN"])
def test_big_lists_render_in_at_most_12_queries(client, tenants, django_assert_max_num_queries,
                                                user):
    client.force_login(tenants.user(user))
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
