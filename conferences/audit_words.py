"""How the audit trail words the meetings' entries (accounts.audit_text)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.audit_text import register_describer
from accounts.models import AuditEntry

from .models import Command


def _queued(entry: AuditEntry) -> str:
    """ "Camera off → Bed 2 (FLXCA1700001)": the command as the meeting page words it."""
    details = entry.details
    command = Command(type=details.get("type", ""), value=details.get("value"),
                      volume=details.get("volume"), quality=details.get("quality"))
    return _("%(command)s → %(tablet)s") % {"command": command.describe(),
                                             "tablet": entry.target}


def register() -> None:
    register_describer("command.queue", _queued)
