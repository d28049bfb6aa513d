"""Access levels (TelecomX names) and what each may do, decided in this one place."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from flexcare.errors import AccessDenied, NotFound
from flexcare.ids import is_object_id

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

M = TypeVar("M", bound=models.Model)
M_co = TypeVar("M_co", bound=models.Model, covariant=True)


class Scoped(Protocol[M_co]):
    """A scoped manager or queryset of model M_co (accounts.scoping.ScopedQuerySet)."""

    @property
    def model(self) -> type[M_co]: ...

    def for_user(self, user: Any) -> models.QuerySet[Any]: ...


class AccessLevel(models.TextChoices):
    VIEWER = "VIEWER", _("Viewer")
    MANAGER = "MANAGER", _("Manager")
    OWNER = "OWNER", _("Owner")
    RESELLER = "RESELLER", _("Reseller")
    ADMIN = "ADMIN", _("Admin")

    @property
    def rank(self) -> int:
        return _RANK[self.value]


_RANK = {level: rank for rank, level in enumerate(AccessLevel.values)}


def level_at_least(level: str, minimum: str) -> bool:
    return _RANK[level] >= _RANK[minimum]


def levels_up_to(level: str) -> list[AccessLevel]:
    """The levels a user of `level` may see and grant: its own and those below."""
    return [member for member in AccessLevel if level_at_least(level, member)]


_V, _M, _O, _R, _A = (
    AccessLevel.VIEWER, AccessLevel.MANAGER, AccessLevel.OWNER, AccessLevel.RESELLER,
    AccessLevel.ADMIN,
)

# Minimum level for each Django model permission ("view", "add", "change", "delete").
# Which *objects* a user may touch is decided by the for_user scoping, not here.
MODEL_PERMISSIONS: dict[str, dict[str, str]] = {
    "accounts.customer": {"view": _V, "add": _R, "change": _R, "delete": _A},
    "accounts.auditentry": {"view": _V, "add": _A, "change": _A, "delete": _A},
    # Employees are disabled, not deleted (deleting one takes it off the meetings it made):
    # only platform admins delete one, and the audit trail keeps naming it (actor_email).
    "accounts.user": {"view": _O, "add": _O, "change": _O, "delete": _A},
    "accounts.usertoken": {"view": _O, "add": _A, "change": _A, "delete": _A},
    "devices.device": {"view": _V, "add": _M, "change": _M, "delete": _M},
    "devices.devicetoken": {"view": _M, "add": _A, "change": _A, "delete": _A},
    "conferences.conference": {"view": _V, "add": _M, "change": _M, "delete": _A},
    "conferences.conferencedevice": {"view": _V, "add": _A, "change": _A, "delete": _A},
    "conferences.command": {"view": _V, "add": _M, "change": _A, "delete": _A},
}


def level_has_perm(level: str, perm: str) -> bool:
    """`perm` is Django's "app_label.action_model" string."""
    if level == AccessLevel.ADMIN:
        return True
    app_label, _, codename = perm.partition(".")
    action, _, model = codename.partition("_")
    minimum = MODEL_PERMISSIONS.get(f"{app_label}.{model}", {}).get(action)
    return minimum is not None and level_at_least(level, minimum)


def level_has_module_perms(level: str, app_label: str) -> bool:
    if level == AccessLevel.ADMIN:  # third-party apps too (axes: unlocking locked accounts)
        return True
    return any(
        level_has_perm(level, f"{key.partition('.')[0]}.{action}_{key.partition('.')[2]}")
        for key, actions in MODEL_PERMISSIONS.items()
        if key.startswith(f"{app_label}.")
        for action in actions
    )


def require_perm(user: Any, perm: str) -> None:
    """403 `access_denied` unless the user's access level grants `perm` ("app.action_model")."""
    if not user.has_perm(perm):
        raise AccessDenied()


def find_for_user(queryset: Scoped[M], user: Any, pk: object, *, perm: str,
                  code: str, message: StrOrPromise) -> M:
    """The object `pk` for a user about to do what `perm` allows: the API's access rule.

    Outside the user's scope (`for_user`) it is the 404 `code`, exactly like a missing object,
    so that a refusal never reveals that it exists; in scope but beyond the user's access level
    it is a 403 `access_denied`.
    """
    found = queryset.for_user(user).filter(pk=pk).first() if is_object_id(pk) else None
    if found is None:
        raise NotFound(code, message)
    require_perm(user, perm)
    return found
