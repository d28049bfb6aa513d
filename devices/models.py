"""Tablets and their login tokens."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import ScopedQuerySet
from accounts.tablet_settings import Quality, TabletSettings
from accounts.tokens import Token
from flexcare.ids import ObjectIdField


def online_since() -> datetime:
    """A tablet seen at or after this moment is online: it polls every few seconds while it
    runs, and its last_seen_at is written at most once a minute."""
    return timezone.now() - timedelta(seconds=settings.DEVICE_ONLINE_SECONDS)


class DeviceQuerySet(ScopedQuerySet):
    customer_path = "customer"

    def online(self) -> DeviceQuerySet:
        return self.filter(last_seen_at__gte=online_since())

    def offline(self) -> DeviceQuerySet:
        return self.exclude(last_seen_at__gte=online_since())


class Device(models.Model):
    id = ObjectIdField(primary_key=True)
    customer = models.ForeignKey(
        "accounts.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="devices",
    )
    name = models.CharField(_("name"), max_length=200)
    serial = models.CharField(_("serial"), max_length=100, unique=True)
    device_id = models.CharField(
        _("barcode"), max_length=100, unique=True,
        help_text=_("The code on the tablet's label: it can log in with it instead of its "
                    "serial."))
    technical_room_number = models.CharField(
        _("room number"), max_length=100, blank=True,
        help_text=_("The room the tablet stands in, as the hospital numbers it."))

    # Settings (the wire's `settings` object); snapshotted into each meeting it joins.
    medcom_uri = models.CharField(_("MedCom URI"), max_length=500, blank=True)
    camera_on = models.BooleanField(_("camera on"), default=True)
    microphone_on = models.BooleanField(_("microphone on"), default=True)
    set_volume = models.BooleanField(_("set volume"), default=False)
    add_participant = models.BooleanField(_("add participant"), default=False)
    volume = models.PositiveSmallIntegerField(
        _("volume"), default=50, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    quality = models.CharField(
        _("quality"), max_length=10, choices=Quality.choices, default=Quality.HIGH
    )

    locked = models.BooleanField(
        _("logged in"), default=False,
        help_text=_("Set when the tablet logs in; a token reset logs it out."),
    )
    # The claim window (docs/domain.md#claim-window): registration and every token reset open it for
    # TABLET_CLAIM_MINUTES; a login closes it. Serials are printed on the tablets, so without
    # it anyone who learned one could claim a freshly reset tablet.
    claim_open_until = models.DateTimeField(
        _("open for login until"), null=True, blank=True, editable=False
    )
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = DeviceQuerySet.as_manager()

    class Meta:
        verbose_name = _("tablet")
        verbose_name_plural = _("tablets")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(volume__gte=0, volume__lte=100), name="device_volume_0_100"
            ),
            models.CheckConstraint(
                condition=Q(quality__in=Quality.values), name="device_quality_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.serial})"

    @property
    def is_open_for_login(self) -> bool:
        return (not self.locked and self.claim_open_until is not None
                and self.claim_open_until > timezone.now())

    @property
    def is_online(self) -> bool:
        """As DeviceQuerySet.online() says."""
        return self.last_seen_at is not None and self.last_seen_at >= online_since()

    @property
    def tablet_settings(self) -> TabletSettings:
        names = TabletSettings.field_names()
        return TabletSettings(**{name: getattr(self, name) for name in names})

    def apply_settings(self, settings: TabletSettings) -> None:
        for name in TabletSettings.field_names():
            setattr(self, name, getattr(settings, name))


class DeviceToken(Token):
    """A tablet's login token. It has no expiry and no last use of its own: a tablet holds one
    token at a time, whose last use is the device's `last_seen_at`."""

    owner_field = "device"
    marker = "fct_"

    # SET_NULL, not CASCADE: a tablet whose registration was deleted is told "device not
    # found" (docs/api.md#authentication) rather than "bad token", so its user knows to
    # re-register it.
    device = models.ForeignKey(
        Device, verbose_name=_("tablet"), null=True, on_delete=models.SET_NULL,
        related_name="tokens",
    )

    class Meta(Token.Meta):
        verbose_name = _("tablet token")
        verbose_name_plural = _("tablet tokens")
