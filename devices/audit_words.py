"""How the audit trail words the tablets' entries (accounts.audit_text)."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from accounts.audit_text import register_describer
from accounts.models import AuditEntry

from .models import Device


def _changed_tablet(entry: AuditEntry) -> str:
    """ "Changed tablet Bed 2: volume, quality" (the entry names the fields, not values)."""
    names = []
    for name in entry.details.get("fields") or []:
        try:
            # Only concrete fields are audited; a relation has no verbose_name of its own.
            names.append(str(getattr(Device._meta.get_field(name), "verbose_name", name)))
        except FieldDoesNotExist:
            names.append(name)
    return _("Changed tablet %(tablet)s: %(fields)s") % {
        "tablet": entry.target, "fields": ", ".join(names)}


def register() -> None:
    register_describer("device.update", _changed_tablet)
