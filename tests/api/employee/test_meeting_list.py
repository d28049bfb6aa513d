"""GET /flexcare/videochat/meetings: Copenhagen day boundaries (across a DST change), today by
default, paging with a correct total, parameter errors, and a constant number of queries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from conferences.models import Conference
from tests.api.conftest import error_of
from tests.api.employee.conftest import bearer, free_device
from tests.factories import MeetingFactory, queue

pytestmark = pytest.mark.django_db

LIST = "/flexcare/videochat/meetings"
# Copenhagen moved from CET (+1) to CEST (+2) at 2026-03-29T01:00Z, so the 29th had 23 hours:
# 2026-03-28T23:00Z to 2026-03-29T22:00Z.
AROUND_DST = {
    "28 late": "2026-03-28T22:59:59Z",
    "29 first": "2026-03-28T23:00:00Z",
    "29 before change": "2026-03-28T23:30:00Z",
    "29 after change": "2026-03-29T00:30:00Z",
    "29 last": "2026-03-29T21:59:59Z",
    "30 first": "2026-03-29T22:00:00Z",
}


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone(UTC)


def meetings_at(customer, moments: dict[str, str]) -> dict[str, str]:
    ids = {}
    for name, moment in moments.items():
        meeting = MeetingFactory.create(customer=customer, devices=[free_device(customer)])
        Conference.objects.filter(pk=meeting.pk).update(created_at=at(moment))
        ids[meeting.pk] = name
    return ids


def listed(api, tenants, key="MANAGER@A1", **query) -> dict:
    response = api.get(LIST, query, **bearer(tenants.user_tokens[key]))
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize(("first", "last", "expected"), [
    ("2026-03-29", "2026-03-29",
     ["29 last", "29 after change", "29 before change", "29 first"]),
    ("2026-03-28", "2026-03-28", ["28 late"]),
    ("2026-03-30", "2026-03-30", ["30 first"]),
    ("2026-03-28", "2026-03-30", list(reversed(AROUND_DST))),
])
def test_days_are_whole_copenhagen_days_across_a_dst_change(api, tenants, first, last,
                                                            expected):
    names = meetings_at(tenants.customers["A1"], AROUND_DST)
    data = listed(api, tenants, dateFrom=first, dateTo=last)
    assert [names[m["_id"]] for m in data["meetings"]] == expected  # newest first
    assert data["total"] == len(expected)


def test_both_dates_default_to_today_in_copenhagen(api, tenants):
    names = meetings_at(tenants.customers["A1"], AROUND_DST)
    # 00:30 on 30 March in Copenhagen, still the 29th in UTC.
    with time_machine.travel(at("2026-03-29T22:30:00Z")):
        data = listed(api, tenants)
    assert [names[m["_id"]] for m in data["meetings"]] == ["30 first"]


def test_pages_carry_the_total_and_only_the_callers_meetings(api, tenants):
    a1 = tenants.customers["A1"]
    for _ in range(4):
        MeetingFactory.create(customer=a1, devices=[free_device(a1)])
    everything = listed(api, tenants, limit="500")
    assert everything["total"] == 5  # tenants made one more for A1 today
    ids = [m["_id"] for m in everything["meetings"]]
    assert set(Conference.objects.filter(pk__in=ids).values_list("customer__name", flat=True)) \
        == {"A1"}
    pages = [listed(api, tenants, offset=str(offset), limit="2") for offset in (0, 2, 4, 6)]
    assert [page["total"] for page in pages] == [5, 5, 5, 5]
    assert [(page["offset"], page["limit"]) for page in pages] == [(0, 2), (2, 2), (4, 2),
                                                                    (6, 2)]
    assert [m["_id"] for page in pages for m in page["meetings"]] == ids
    assert listed(api, tenants, key="RESELLER@Reseller A")["total"] == 7  # five of A1, A2's, A3's
    assert listed(api, tenants, key="ADMIN", customer=a1.pk)["total"] == 5
    assert (everything["offset"], everything["limit"]) == (0, 500)
    assert listed(api, tenants)["limit"] == 100


@pytest.mark.parametrize(("query", "expected"), [
    ({"offset": "-1"}, (400, "offset")),
    ({"offset": "x"}, (400, "offset")),
    ({"offset": ""}, (400, "offset")),
    ({"limit": "0"}, (400, "limit")),
    ({"limit": "501"}, (400, "limit")),
    ({"limit": "1.5"}, (400, "limit")),
    ({"dateFrom": "2026-3-1"}, (400, "dateFrom")),
    ({"dateFrom": "2026-02-30"}, (400, "dateFrom")),
    ({"dateTo": "tomorrow"}, (400, "dateTo")),
    ({"dateFrom": "0999-12-31"}, (400, "dateFrom")),
    ({"dateTo": "3000-01-01"}, (400, "dateTo")),
    ({"dateFrom": "2026-03-02", "dateTo": "2026-03-01"}, (400, "dateTo")),
    ({"customer": "A1"}, (400, "customer")),
    ({"customer": "0123456789abcdef01234567"}, (404, "customer")),
])
def test_parameter_errors(api, tenants, query, expected):
    response = api.get(LIST, query, **bearer(tenants.user_tokens["MANAGER@A1"]))
    assert error_of(response) == expected


def test_every_meeting_is_the_full_meeting_object(api, tenants):
    (meeting,) = listed(api, tenants)["meetings"]
    assert set(meeting) == {"_id", "customer", "employee", "uri", "pin", "desktopLink",
                            "clinicalLink", "mobileLink", "state", "created", "devices",
                            "provisioning", "startTime", "endTime", "language", "guests"}
    assert [c["type"] for c in meeting["devices"][0]["commands"]] == ["SET_VOLUME"]


# Token lookup, customer lookup, count, page, participants with devices, their commands,
# guests.
MAX_QUERIES = 7


@pytest.mark.parametrize("size", [1, 50])
def test_a_page_costs_the_same_queries_whatever_its_size(api, tenants, size,
                                                         django_assert_max_num_queries):
    customer = tenants.customers["A2"]
    Conference.objects.filter(customer=customer).delete()
    for _ in range(size):
        devices = [free_device(customer) for _ in range(2)]
        meeting = MeetingFactory.create(customer=customer, devices=devices)
        queue(meeting, devices[0])
        queue(meeting, devices[1])
    auth = bearer(tenants.user_tokens["ADMIN"])
    with django_assert_max_num_queries(MAX_QUERIES):
        response = api.get(LIST, {"customer": customer.pk, "limit": "500"}, **auth)
    data = response.json()
    assert (data["total"], len(data["meetings"])) == (size, size)
    assert all(len(m["devices"]) == 2 and len(m["devices"][0]["commands"]) == 1
               for m in data["meetings"])
