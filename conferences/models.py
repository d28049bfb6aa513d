"""Meetings, the tablets taking part in them, and the commands queued for those tablets."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.scoping import ScopedQuerySet
from accounts.tablet_settings import Quality
from flexcare.constraints import PostgresExclusionConstraint, TsTzRange
from flexcare.ids import ObjectIdField

from .providers.links import LINK_MAX_LENGTH, is_https_link

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class MeetingState(models.TextChoices):
    CREATED = "CREATED", _("Created")
    STARTED = "STARTED", _("Started")
    CLOSED = "CLOSED", _("Closed")


class Provisioning(models.TextChoices):
    PENDING = "PENDING", _("Pending")
    OK = "OK", _("OK")
    FAILED = "FAILED", _("Failed")


# A meeting is *ready* (for tablets, docs/domain.md#ready) in one of these states with its room
# provisioned: getmeeting serves it and START_MEETING may be queued. That includes a meeting
# being ended, whose tablets still fetch their HANGUP from getmeeting; command_queue refuses
# everything but HANGUP on it first.
READY_STATES = (MeetingState.CREATED, MeetingState.STARTED)


class ConferenceQuerySet(ScopedQuerySet):
    customer_path = "customer"

    def update(self, **fields: object) -> int:
        """Every change to a meeting row bumps its `version` in the same statement, so no
        write can leave a tablet's cached document (and its ETag) standing: the version
        decides getmeeting's 304 and keys the rendered document (conferences.polling)."""
        return super().update(version=F("version") + 1, **fields)

    def touch(self) -> int:
        """Bump the version of these meetings without changing them otherwise: for the
        writes that change their document through their tablets or commands (a command
        queued, claimed, acknowledged, expired; a tablet renamed). Call it in the transaction
        that makes the change, before the change where row locks are taken in turn (the
        meeting's first, as meeting_close does), never after it has committed."""
        return self.update()

    def ready(self) -> ConferenceQuerySet:
        """Meetings a tablet may join (READY_STATES; docs/domain.md#ready)."""
        return self.filter(state__in=READY_STATES, provisioning=Provisioning.OK)

    def open(self) -> ConferenceQuerySet:
        return self.exclude(state=MeetingState.CLOSED)

    def visible_to_tablets(self, now: datetime) -> ConferenceQuerySet:
        """Meetings whose tablets may see them by `now`: from MEETING_TABLET_LEAD_SECONDS
        before their start (a meeting for now at once; docs/domain.md#booked-ahead)."""
        lead = timedelta(seconds=settings.MEETING_TABLET_LEAD_SECONDS)
        return self.filter(start_time__lte=now + lead)


def default_end_time() -> datetime:
    """The end of a meeting for now: it may last the maximum duration."""
    return timezone.now() + timedelta(seconds=settings.MEETING_MAX_DURATION_SECONDS)


class Conference(models.Model):
    id = ObjectIdField(primary_key=True)
    customer = models.ForeignKey(
        "accounts.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="conferences",
    )
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # From VDX once the room is booked.
    uri = models.CharField(_("URI"), max_length=500, blank=True)
    pin = models.CharField(_("PIN"), max_length=50, blank=True)
    desktop_link = models.CharField(_("desktop link"), max_length=LINK_MAX_LENGTH, blank=True)
    clinical_link = models.CharField(_("clinical link"), max_length=LINK_MAX_LENGTH, blank=True)
    mobile_link = models.CharField(_("mobile link"), max_length=LINK_MAX_LENGTH, blank=True)
    vdx_booking_id = models.CharField(_("VDX booking id"), max_length=100, blank=True)
    # The join link e-mailed to guests: known from the booking, before the room is
    # provisioned, and never one carrying the host PIN (providers.links).
    guest_link = models.CharField(_("guest link"), max_length=LINK_MAX_LENGTH, blank=True)

    # When the meeting is booked for (docs/domain.md#booked-ahead). A meeting for now starts
    # when it is created and may last the maximum duration.
    start_time = models.DateTimeField(_("starts"), default=timezone.now)
    end_time = models.DateTimeField(_("ends"), default=default_end_time)
    # The start and end the VDX booking was made or last moved for: they differ from the
    # meeting's while a change of time is on its way to VDX.
    booked_start = models.DateTimeField(null=True, blank=True, editable=False)
    booked_end = models.DateTimeField(null=True, blank=True, editable=False)
    # When START_MEETING was queued for the tablets (at the start time, or at provisioning if
    # that came later): set once, by a conditional update, so it is never queued twice.
    start_queued_at = models.DateTimeField(_("START_MEETING queued"), null=True, blank=True,
                                           editable=False)
    # The language of the guests' e-mails: the creator's, changeable.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    # The iCalendar SEQUENCE of the guests' calendar event: one more for each change of time,
    # room or cancellation, so calendars apply the newest.
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)

    state = models.CharField(
        _("state"), max_length=10, choices=MeetingState.choices, default=MeetingState.CREATED
    )
    provisioning = models.CharField(
        _("provisioning"), max_length=10, choices=Provisioning.choices,
        default=Provisioning.PENDING,
    )
    provisioning_error = models.TextField(_("last provisioning error"), blank=True)
    provisioning_attempts = models.PositiveIntegerField(_("provisioning attempts"), default=0)
    # When a task last worked on this meeting's booking (provisioning it, moving it): one
    # untouched for long had its task lost (broker down) and is queued again by a periodic job.
    provisioning_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the current provisioning attempt began (creation, or the last retry): its timeout
    # counts from here.
    provisioning_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    # How often a broken booking was given up for a new one (a retry after VDX failed the
    # room): part of the externalId, which VDX keeps unique, so the new booking is a new room.
    booking_round = models.PositiveSmallIntegerField(default=0, editable=False)
    # Bumped by every write that may change the meeting's document (ConferenceQuerySet.update
    # and .touch): with the id, the document's ETag and the key of its cached rendering.
    version = models.BigIntegerField(default=1, editable=False)

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    provisioned_at = models.DateTimeField(_("provisioned"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    end_requested_at = models.DateTimeField(_("end requested"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    vdx_ended_at = models.DateTimeField(_("room ended at VDX"), null=True, blank=True)

    objects = ConferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="conference_customer_created"),
            models.Index(fields=["state", "provisioning"], name="conference_state_prov"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=MeetingState.values), name="conference_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(provisioning__in=Provisioning.values),
                name="conference_provisioning_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state=MeetingState.CLOSED) | Q(closed_at__isnull=False),
                name="conference_closed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state=MeetingState.STARTED) | Q(started_at__isnull=False),
                name="conference_started_has_time",
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="conference_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {timezone.localtime(self.start_time):%Y-%m-%d %H:%M}"

    @property
    def join_links(self) -> list[tuple[StrOrPromise, str]]:
        """(name, link) of the join links a page may show as links: https: ones only, so one
        stored before links were checked is never made a link either."""
        links = ((_("Link for the relative (browser)"), self.desktop_link),
                 (_("Clinical link"), self.clinical_link), (_("Mobile link"), self.mobile_link))
        return [(name, link) for name, link in links if is_https_link(link)]

    @property
    def is_ready(self) -> bool:
        """Ready (READY_STATES), as ConferenceQuerySet.ready() says."""
        return self.state in READY_STATES and self.provisioning == Provisioning.OK

    @property
    def is_cancelled(self) -> bool:
        """Closed before its start time: ended before it began (docs/domain.md#booked-ahead)."""
        return (self.state == MeetingState.CLOSED and self.closed_at is not None
                and self.closed_at < self.start_time)

    def has_begun(self, now: datetime) -> bool:
        """Past its start time, or already started, ending or closed: too late to move."""
        return (now >= self.start_time or self.state != MeetingState.CREATED
                or self.end_requested_at is not None or self.start_queued_at is not None)


class ConferenceDeviceQuerySet(ScopedQuerySet):
    customer_path = "conference__customer"

    # A meeting's tablets are part of its document: adding or changing them bumps the
    # meetings' versions (see ConferenceQuerySet.update), theirs locked first.

    def update(self, **fields: object) -> int:
        Conference.objects.filter(pk__in=self.values("conference_id")).touch()
        return super().update(**fields)

    def bulk_create(self, objs: Iterable[ConferenceDevice], *args: Any,
                    **kwargs: Any) -> list[ConferenceDevice]:
        created = super().bulk_create(objs, *args, **kwargs)
        Conference.objects.filter(pk__in={p.conference_id for p in created}).touch()
        return created


class ConferenceDevice(models.Model):
    """A tablet in a meeting, with a read-only snapshot of its settings when it was added."""

    id = ObjectIdField(primary_key=True)
    conference = models.ForeignKey(
        Conference, verbose_name=_("meeting"), on_delete=models.CASCADE,
        related_name="participants",
    )
    device = models.ForeignKey(
        "devices.Device", verbose_name=_("tablet"), on_delete=models.PROTECT,
        related_name="participations",
    )
    settings = models.JSONField(_("settings snapshot"), editable=False)
    # Mirror "the meeting is not CLOSED" and the meeting's times on this row so that the
    # database itself can refuse overlapping bookings of a tablet (a constraint cannot look
    # through a join).
    active = models.BooleanField(_("active"), default=True, editable=False)
    start_time = models.DateTimeField(_("starts"), editable=False)
    end_time = models.DateTimeField(_("ends"), editable=False)
    added_at = models.DateTimeField(_("added"), default=timezone.now, editable=False)

    objects = ConferenceDeviceQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting tablet")
        verbose_name_plural = _("meeting tablets")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "device"], name="conference_device_once"
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="conference_device_ends_after_start"
            ),
            # A tablet's open meetings never overlap in time (half-open ranges: one may start
            # when the other ends). PostgreSQL only: on SQLite the service's check under its
            # locks is all there is (conferences.schedule).
            PostgresExclusionConstraint(
                name="no_overlapping_meetings_per_device",
                expressions=[
                    ("device", RangeOperators.EQUAL),
                    (TsTzRange("start_time", "end_time", RangeBoundary()),
                     RangeOperators.OVERLAPS),
                ],
                condition=Q(active=True),
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(tablet)s in %(meeting)s") % {
            "tablet": self.device_id, "meeting": self.conference_id}


class CommandType(models.TextChoices):
    START_MEETING = "START_MEETING", _("Start meeting")
    CAMERA_ON = "CAMERA_ON", _("Camera")
    MICROPHONE_ON = "MICROPHONE_ON", _("Microphone")
    SET_VOLUME = "SET_VOLUME", _("Set volume")
    SET_QUALITY = "SET_QUALITY", _("Set quality")
    HANGUP = "HANGUP", _("Hang up")


VALUE_TYPES = (CommandType.CAMERA_ON, CommandType.MICROPHONE_ON)


class CommandStatus(models.TextChoices):
    QUEUED = "QUEUED", _("Queued")
    FETCHED = "FETCHED", _("Fetched")
    EXECUTED = "EXECUTED", _("Executed")
    FAILED = "FAILED", _("Failed")
    EXPIRED = "EXPIRED", _("Expired")
    CANCELED = "CANCELED", _("Canceled")


UNFINISHED_STATUSES = (CommandStatus.QUEUED, CommandStatus.FETCHED)


class CommandQuerySet(ScopedQuerySet):
    customer_path = "conference_device__conference__customer"

    def unfinished(self) -> CommandQuerySet:
        return self.filter(status__in=UNFINISHED_STATUSES)


class Command(models.Model):
    id = ObjectIdField(primary_key=True)
    conference_device = models.ForeignKey(
        ConferenceDevice, verbose_name=_("meeting tablet"), on_delete=models.CASCADE,
        related_name="commands",
    )
    type = models.CharField(_("type"), max_length=20, choices=CommandType.choices)
    value = models.BooleanField(_("on"), null=True, blank=True)
    volume = models.PositiveSmallIntegerField(_("volume"), null=True, blank=True)
    # NULL, not "", for "does not apply": the wire shows null and the constraints test it.
    quality = models.CharField(  # noqa: DJ001
        _("quality"), max_length=10, choices=Quality.choices, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CommandStatus.choices, default=CommandStatus.QUEUED
    )
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("queued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when queued by the system."),
    )
    created_at = models.DateTimeField(_("queued"), default=timezone.now, editable=False)
    fetched_at = models.DateTimeField(_("first fetched"), null=True, blank=True)
    claim_expires_at = models.DateTimeField(_("claim expires"), null=True, blank=True)
    delivery_count = models.PositiveSmallIntegerField(_("deliveries"), default=0)
    executed_at = models.DateTimeField(_("executed"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = CommandQuerySet.as_manager()

    class Meta:
        verbose_name = _("command")
        verbose_name_plural = _("commands")
        ordering = ["created_at", "id"]
        indexes = [
            # What the tablets' polls look up (conferences.delivery, .polling): a tablet's
            # unfinished commands, a small share of all of them.
            models.Index(
                fields=["conference_device", "created_at"], name="command_unfinished",
                condition=Q(status__in=UNFINISHED_STATUSES),
            ),
            models.Index(fields=["status", "created_at"], name="command_status_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=CommandType.values), name="command_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CommandStatus.values), name="command_status_valid"
            ),
            models.CheckConstraint(
                condition=(Q(type__in=VALUE_TYPES, value__isnull=False)
                           | (~Q(type__in=VALUE_TYPES) & Q(value__isnull=True))),
                name="command_value_only_for_camera_microphone",
            ),
            models.CheckConstraint(
                condition=(Q(type=CommandType.SET_VOLUME, volume__isnull=False, volume__gte=0,
                             volume__lte=100)
                           | (~Q(type=CommandType.SET_VOLUME) & Q(volume__isnull=True))),
                name="command_volume_only_for_set_volume",
            ),
            models.CheckConstraint(
                condition=(Q(type=CommandType.SET_QUALITY, quality__isnull=False,
                             quality__in=Quality.values)
                           | (~Q(type=CommandType.SET_QUALITY) & Q(quality__isnull=True))),
                name="command_quality_only_for_set_quality",
            ),
            models.CheckConstraint(
                condition=~Q(status=CommandStatus.EXECUTED) | Q(executed_at__isnull=False),
                name="command_executed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} ({self.get_status_display()})"

    def setting_display(self) -> str:
        """The one value the command carries, in words ("on", "35", "Low"); "" for none."""
        if self.value is not None:
            return gettext("on") if self.value else gettext("off")
        if self.volume is not None:
            return str(self.volume)
        return self.get_quality_display() if self.quality else ""

    def describe(self) -> str:
        """Type and value, as a person reads them: "Camera off", "Set volume 35"."""
        return f"{self.get_type_display()} {self.setting_display()}".strip()

    @property
    def fetched(self) -> bool:
        return self.delivery_count > 0

    @property
    def executed(self) -> bool:
        return self.status == CommandStatus.EXECUTED


class GuestStatus(models.TextChoices):
    PENDING = "PENDING", _("Pending")
    SENT = "SENT", _("Sent")
    FAILED = "FAILED", _("Failed")


class GuestQuerySet(ScopedQuerySet):
    customer_path = "conference__customer"


class Guest(models.Model):
    """Someone on the other side of the call, invited by e-mail (docs/domain.md#guest). Their
    address is personal data: deleted GUEST_RETENTION_DAYS after the meeting closes."""

    id = ObjectIdField(primary_key=True)
    conference = models.ForeignKey(
        Conference, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="guests"
    )
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    # Of the newest e-mail due to the guest: PENDING until it is sent (SENT) or given up
    # (FAILED, with the reason).
    status = models.CharField(
        _("status"), max_length=10, choices=GuestStatus.choices, default=GuestStatus.PENDING
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # The calendar SEQUENCE of the last e-mail sent; None while the guest has been sent none.
    sent_sequence = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # Since when an e-mail is due to the guest; None when nothing is.
    due_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("added"), default=timezone.now, editable=False)

    objects = GuestQuerySet.as_manager()

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(F("conference"), Lower("email"), name="guest_once_per_meeting"),
            models.CheckConstraint(
                condition=Q(status__in=GuestStatus.values), name="guest_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.email
