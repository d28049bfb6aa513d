"""Writes outside this app that change a meeting's document, answered by bumping the meeting's
version (docs/api.md#getmeeting) in the same transaction: its tablets' next poll sees them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from devices.models import Device

from .models import Conference
from .wire import DEVICE_WIRE_FIELDS


@receiver(post_save, sender=Device, dispatch_uid="conferences.device_saved")
def _device_saved(instance: Device, created: bool, update_fields: Any, **kwargs: Any) -> None:
    """A tablet's name, serial, barcode and room number show live in its meetings' documents.
    Only its open meetings are bumped: a closed one is never served to a tablet again."""
    if created or (update_fields is not None and not DEVICE_WIRE_FIELDS & set(update_fields)):
        return
    Conference.objects.filter(participants__device=instance, participants__active=True).touch()


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="conferences.user_deleted")
def _employee_deleted(instance: Any, **kwargs: Any) -> None:
    """A meeting's `employee` becomes null when that user is deleted (SET_NULL). Django sends
    this inside the deletion's transaction, before it clears the field."""
    Conference.objects.filter(employee=instance).touch()
