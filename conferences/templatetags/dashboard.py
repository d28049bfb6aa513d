"""`{% dashboard %}`: the scoped figures on a reseller's and the admin's front page;
`{% next_meeting %}`: the next meeting booked ahead, on every front page."""

from __future__ import annotations

from typing import Any

from django import template

from ..admin.dashboard import dashboard_figures
from ..agenda import next_booking

register = template.Library()


@register.inclusion_tag("admin/dashboard.html", takes_context=True)
def dashboard(context: dict[str, Any]) -> dict[str, Any]:
    return {"figures": dashboard_figures(context["request"].user)}


@register.inclusion_tag("admin/front/next.html", takes_context=True)
def next_meeting(context: dict[str, Any]) -> dict[str, Any]:
    return {"next": next_booking(context["request"].user)}
