"""The figures on the admin's front page, scoped to the user, each linking to its list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from devices.models import Device

from ..models import UNFINISHED_STATUSES, Command, CommandStatus, Conference, MeetingState

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Figure:
    label: StrOrPromise
    value: int
    url: str
    alert: bool = False


def dashboard_figures(user: Any) -> list[Figure]:
    meetings = Conference.objects.for_user(user)
    devices = Device.objects.for_user(user)
    commands = Command.objects.for_user(user)
    hour_ago = timezone.now() - timedelta(hours=1)
    online = devices.online().count()
    meeting_list = reverse("admin:conferences_conference_changelist")
    device_list = reverse("admin:devices_device_changelist")
    command_list = reverse("admin:conferences_command_changelist")
    failed_commands = commands.filter(status=CommandStatus.FAILED, finished_at__gte=hour_ago)
    failed_provisioning = meetings.filter(state=MeetingState.CREATED, provisioning="FAILED")
    return [
        Figure(_("Meetings in progress"), meetings.open().count(),
               f"{meeting_list}?state__in=CREATED,STARTED"),
        Figure(_("Tablets online"), online, f"{device_list}?online=yes"),
        Figure(_("Tablets offline"), devices.count() - online, f"{device_list}?online=no"),
        Figure(_("Commands pending"), commands.filter(status__in=UNFINISHED_STATUSES).count(),
               f"{command_list}?status__in=QUEUED,FETCHED"),
        Figure(_("Commands failed in the last hour"), n := failed_commands.count(),
               f"{command_list}?status__exact=FAILED&finished=hour", alert=n > 0),
        Figure(_("Provisioning failures"), m := failed_provisioning.count(),
               f"{meeting_list}?state__exact=CREATED&provisioning__exact=FAILED", alert=m > 0),
    ]
