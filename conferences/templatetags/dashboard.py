"""`{% dashboard %}`: the scoped figures on the admin's front page, and the next meeting."""

from __future__ import annotations

from typing import Any

from django import template

from ..admin.dashboard import dashboard_figures
from ..agenda import next_booking

register = template.Library()


@register.inclusion_tag("admin/dashboard.html", takes_context=True)
def dashboard(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    return {"figures": dashboard_figures(user), "next": next_booking(user)}
