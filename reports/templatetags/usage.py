"""`{% usage_entry %}`: the way to the Usage page from the admin's front page, prominent
for those who bill (RESELLER and ADMIN)."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.access import AccessLevel

register = template.Library()


@register.inclusion_tag("reports/usage_entry.html", takes_context=True)
def usage_entry(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    return {"prominent": user.at_least(AccessLevel.RESELLER)}
