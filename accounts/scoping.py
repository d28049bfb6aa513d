"""Tenant scoping, written once (docs/domain.md#scoping).

Every model that belongs to a customer gets its manager from `ScopedQuerySet`, which knows the
lookup path from that model to its Customer. `Model.objects.for_user(user)` is then the only
way the admin, the API and the tasks find objects on behalf of a user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.db.models import Q

from .access import AccessLevel

if TYPE_CHECKING:
    from .models import User


def _nothing(prefix: str) -> Q:
    return Q(**{f"{prefix}pk__in": []})


def visible_customers_q(user: User | Any, prefix: str = "") -> Q:
    """A filter on Customer (reached through `prefix`) for what `user` may see.

    ADMIN: everything. RESELLER: its own customer and every customer below it in the reseller
    tree. Everyone else: its own customer. Disabled users, users of a blocked customer and
    anonymous users: nothing.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return _nothing(prefix)
    if user.access_level == AccessLevel.ADMIN:
        return Q()
    customer = user.customer
    # An empty path would prefix-match every customer: treat it as "nothing", never "all".
    if customer is None or customer.is_blocked or not customer.tree_path:
        return _nothing(prefix)
    if user.access_level == AccessLevel.RESELLER:
        return Q(**{f"{prefix}tree_path__startswith": customer.tree_path})
    return Q(**{f"{prefix}pk": customer.pk})


class ScopedQuerySet(models.QuerySet):
    """Subclasses set `customer_path`, the lookup from the model to its Customer ("" for one)."""

    customer_path: str = "customer"

    def for_user(self, user: User | Any) -> Self:
        prefix = f"{self.customer_path}__" if self.customer_path else ""
        return self.filter(visible_customers_q(user, prefix))
