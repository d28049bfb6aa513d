"""Recording the audit trail (accounts.models.AuditEntry): the services themselves record
what they did, so the admin's buttons and the API leave the same trace."""

from __future__ import annotations

from typing import Any

from .models import AuditAction, AuditEntry


def audit_record(*, actor: Any, action: str, customer_id: str, object_id: str, target: str,
                 **details: Any) -> None:
    """Record an employee's action (nothing for the system's own: `actor` None). `actor` is
    always the authenticated user who asked for it, never the one it was done for."""
    action = AuditAction(action)  # an unknown action is a bug: fail loudly, in the tests
    if actor is None or not getattr(actor, "is_authenticated", False):
        return
    AuditEntry.objects.create(actor=actor, actor_email=actor.email, action=action,
                              customer_id=customer_id, object_id=object_id, target=target[:300],
                              details=details)
