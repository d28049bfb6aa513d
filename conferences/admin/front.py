"""The portal's front page, one per kind of user, in a fixed number of queries.

* A ward (a customer's own employees: VIEWER, MANAGER, OWNER) sees its live meetings by bed,
  its tablets, recent failures and recent actions, under its customer's name.
* A reseller or the platform admin sees its live meetings and, per customer, tablets online and
  offline and recent failures.

Each part is a block of its own (templates/admin/front/*.html), so that more can slot in
between (as the next meeting booked ahead does: `{% next_meeting %}`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.access import AccessLevel
from accounts.models import AuditEntry, Customer
from devices.models import Device, online_since
from flexcare.moments import local_moment

from ..models import Command, CommandType, Conference, ConferenceDevice
from .standing import (
    NOT_EXECUTED,
    Standing,
    command_not_done,
    meeting_standing,
    meeting_title,
    tablet_presence,
)

FAILURES_SINCE = timedelta(hours=24)
LIST_LIMIT = 50  # a front page is a glance: the full lists are a click away


@dataclass(frozen=True)
class LiveMeeting:
    meeting: Conference
    title: str
    standing: Standing
    url: str

    @property
    def minutes(self) -> int | None:
        since = self.standing.since
        return None if since is None else int((timezone.now() - since).total_seconds() // 60)


@dataclass(frozen=True)
class TabletLine:
    device: Device
    online: bool
    last_seen: str
    url: str


@dataclass(frozen=True)
class Failure:
    text: str
    at: datetime
    url: str


def is_ward(user: Any) -> bool:
    """Employees of one customer (below RESELLER) get the ward's front page."""
    return not user.at_least(AccessLevel.RESELLER)


def live_meetings(user: Any) -> list[LiveMeeting]:
    """The user's open meetings, newest first, each saying where it stands (three queries)."""
    # Live: open and already shown to the tablets (a meeting booked ahead is on the agenda).
    meetings = list(Conference.objects.for_user(user).open()
                    .visible_to_tablets(timezone.now()).select_related("customer")
                    .order_by("-created_at", "-pk")[:LIST_LIMIT])
    participants = list(ConferenceDevice.objects.filter(conference__in=meetings)
                        .select_related("device").order_by("added_at", "pk"))
    joining: dict[str, list[Command]] = defaultdict(list)
    for command in (Command.objects.filter(
            conference_device__in=participants,
            type__in=(CommandType.START_MEETING, CommandType.HANGUP))
            .order_by("created_at", "pk")):
        joining[command.conference_device_id].append(command)
    beds: dict[str, list[ConferenceDevice]] = defaultdict(list)
    for participant in participants:
        beds[participant.conference_id].append(participant)
    lines = []
    for meeting in meetings:
        mine = beds[meeting.pk]
        presences = [tablet_presence(p.device.name, joining[p.pk]) for p in mine]
        lines.append(LiveMeeting(
            meeting=meeting, title=meeting_title(meeting, [p.device.name for p in mine]),
            standing=meeting_standing(meeting, presences),
            url=reverse("admin:conferences_conference_change", args=[meeting.pk])))
    return lines


def tablet_lines(user: Any) -> list[TabletLine]:
    """The user's tablets, offline ones first: those are the ones to go and look at."""
    devices = list(Device.objects.for_user(user).order_by("name", "pk")[:LIST_LIMIT])
    lines = [TabletLine(device=d, online=d.is_online,
                        last_seen=local_moment(d.last_seen_at) if d.last_seen_at else "",
                        url=reverse("admin:devices_device_change", args=[d.pk]))
             for d in devices]
    return sorted(lines, key=lambda line: line.online)


def recent_failures(user: Any) -> list[Failure]:
    """Commands that did not take effect in the last day, newest first, in words."""
    commands = (Command.objects.for_user(user)
                .filter(status__in=NOT_EXECUTED,
                        finished_at__gte=timezone.now() - FAILURES_SINCE)
                .select_related("conference_device__device")
                .order_by("-finished_at", "-pk")[:10])
    return [Failure(text=command_not_done(c, c.conference_device.device.name),
                    at=c.finished_at,
                    url=reverse("admin:conferences_conference_change",
                                args=[c.conference_device.conference_id]))
            for c in commands]


def recent_actions(user: Any) -> list[AuditEntry]:
    """The portal's own recent actions the user may read (accounts.models.AuditEntry)."""
    return list(AuditEntry.objects.for_user(user).select_related("customer")[:8])


def _count(queryset: Any, customer: str = "customer") -> Coalesce:
    """How many rows of `queryset` (filtered on OuterRef("pk")) the customer has."""
    counted = queryset.order_by().values(customer).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def customer_overview(user: Any) -> list[Customer]:
    """The customers in the user's scope, those with live meetings first, each annotated with
    `live`, `online`, `offline` and `failures` (one query)."""
    devices = Device.objects.filter(customer=OuterRef("pk"))
    by_customer = "conference_device__conference__customer"
    failed = Command.objects.filter(**{by_customer: OuterRef("pk")}, status__in=NOT_EXECUTED,
                                    finished_at__gte=timezone.now() - FAILURES_SINCE)
    return list(
        Customer.objects.for_user(user).filter(is_reseller=False)
        .annotate(
            live=_count(Conference.objects.open().visible_to_tablets(timezone.now())
                        .filter(customer=OuterRef("pk"))),
            online=_count(devices.filter(last_seen_at__gte=online_since())),
            offline=_count(devices.exclude(last_seen_at__gte=online_since())),
            failures=_count(failed, by_customer),
        )
        .order_by("-live", "name")[:LIST_LIMIT])


def front_page(user: Any) -> dict[str, Any]:
    """The context of the user's front page."""
    if is_ward(user):
        return {"ward": True, "meetings": live_meetings(user), "tablets": tablet_lines(user),
                "failures": recent_failures(user), "actions": recent_actions(user),
                "can_start": user.has_perm("conferences.add_conference")}
    return {"ward": False, "meetings": live_meetings(user),
            "customers": customer_overview(user), "failures": recent_failures(user)}
