"""The audit trail: who did what to which meeting or tablet, and when. Recorded by the
services themselves, so the admin's buttons and the API leave the same trace. Nobody edits or
deletes an entry (the admin is read-only), and an entry names its actor in text, so deleting
or renaming the user later changes nothing in it."""

from __future__ import annotations

from typing import Any, Self

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from flexcare.ids import ObjectIdField

from .scoping import ScopedQuerySet


class AuditAction(models.TextChoices):
    MEETING_CREATE = "meeting.create", _("created meeting")
    MEETING_RETRY_PROVISIONING = "meeting.retry_provisioning", _("retried provisioning")
    MEETING_END = "meeting.end", _("ended meeting")
    COMMAND_QUEUE = "command.queue", _("queued command")
    DEVICE_CREATE = "device.create", _("registered tablet")
    DEVICE_UPDATE = "device.update", _("changed tablet")
    DEVICE_RESET_TOKEN = "device.reset_token", _("reset tablet token")
    DEVICE_DELETE = "device.delete", _("deleted tablet")
    CUSTOMER_CREATE = "customer.create", _("created customer")
    CUSTOMER_UPDATE = "customer.update", _("changed customer")
    USER_CREATE = "user.create", _("created user")
    USER_UPDATE = "user.update", _("changed user")
    USER_REVOKE_TOKENS = "user.revoke_tokens", _("revoked API tokens")
    USER_DELETE = "user.delete", _("deleted user")


# Entries about employees (their levels, their e-mails): read only by those who may see the
# employees themselves (OWNER and above).
USER_ACTIONS = [action for action in AuditAction if action.startswith("user.")]


class AuditEntryQuerySet(ScopedQuerySet):
    customer_path = "customer"

    def for_user(self, user: Any) -> Self:
        entries = super().for_user(user)
        if user is None or not user.has_perm("accounts.view_user"):
            entries = entries.exclude(action__in=USER_ACTIONS)
        return entries


class AuditEntry(models.Model):
    id = ObjectIdField(primary_key=True)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "accounts.User", verbose_name=_("who"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    # The actor's e-mail when the entry was recorded: it outlives the user, and a later change
    # of e-mail cannot rewrite who did it.
    actor_email = models.EmailField(_("who"), blank=True)
    # PROTECT: deleting a customer must not erase its trail. A customer anyone has worked on
    # is blocked, not deleted.
    customer = models.ForeignKey(
        "accounts.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("what"), max_length=50, db_index=True,
                              choices=AuditAction.choices)
    object_id = models.CharField(_("object id"), max_length=24, db_index=True)
    target = models.CharField(_("object"), max_length=300)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        app_label = "accounts"
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at"]

    def __str__(self) -> str:
        actor = self.actor_email or _("system")
        return f"{self.at:%Y-%m-%d %H:%M:%S} {actor} {self.get_action_display()} {self.target}"


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
