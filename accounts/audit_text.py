"""Audit entries as sentences a person reads ("Camera off → Bed 2", "Access level Viewer →
Manager"), each with a link to the object it is about. The raw details stay available behind a
toggle on the entry's page; nothing shows JSON by default.

Apps above accounts word their own actions: they register a describer for them
(`register_describer`, from their AppConfig.ready), since accounts may not import them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from .access import AccessLevel
from .models import AuditAction, AuditEntry, CustomerState, Feature

Describer = Callable[[AuditEntry], str]
_DESCRIBERS: dict[str, Describer] = {}

# The admin page each action's object_id belongs to (none for a deleted object).
_OBJECT_PAGES = {
    "meeting": "admin:conferences_conference_change",
    "command": "admin:conferences_conference_change",  # the meeting the command was sent in
    "device": "admin:devices_device_change",
    "customer": "admin:accounts_customer_change",
    "user": "admin:accounts_user_change",
}
_GONE = {AuditAction.DEVICE_DELETE, AuditAction.USER_DELETE}


def register_describer(action: str, describer: Describer) -> None:
    _DESCRIBERS[AuditAction(action)] = describer


def _field_label(entry: AuditEntry, name: str) -> str:
    from django.apps import apps

    model = {"customer": "accounts.Customer", "user": "accounts.User"}.get(
        entry.action.partition(".")[0])
    try:
        label = apps.get_model(model)._meta.get_field(name).verbose_name if model else name
    except LookupError:
        label = name.replace("_", " ")
    return str(label).capitalize()


def _value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name == "access_level" and value in AccessLevel.values:
        return str(AccessLevel(value).label)
    if name == "state" and value in CustomerState.values:
        return str(CustomerState(value).label)
    if name == "features" and isinstance(value, list):
        labels = dict(Feature.choices)
        return ", ".join(str(labels.get(v, v)) for v in value) or _("none")
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, dict):
        return _("changed")  # a settings object: the details toggle shows it
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _changes(entry: AuditEntry) -> str:
    """ "Access level Viewer → Manager; Name → Ward 3" from a change's details."""
    previous = entry.details.get("previous") or {}
    parts = []
    for name, new in entry.details.items():
        if name == "previous":
            continue
        label = _field_label(entry, name)
        if name in previous:
            parts.append(f"{label} {_value(name, previous[name])} → {_value(name, new)}")
        else:
            parts.append(f"{label} → {_value(name, new)}")
    return "; ".join(parts)


def audit_sentence(entry: AuditEntry) -> str:
    """What happened, in words: the action's own describer, else its name and the changes."""
    describer = _DESCRIBERS.get(entry.action)
    if describer is not None:
        return describer(entry)
    changes = _changes(entry) if entry.action.endswith((".update", ".create")) else ""
    sentence = f"{entry.get_action_display().capitalize()} {entry.target}"
    return f"{sentence}: {changes}" if changes else sentence


def audit_object_url(entry: AuditEntry) -> str | None:
    """The page of the object the entry is about, while it exists."""
    if entry.action in _GONE:
        return None
    page = _OBJECT_PAGES.get(entry.action.partition(".")[0])
    try:
        return reverse(page, args=[entry.object_id]) if page else None
    except NoReverseMatch:
        return None
