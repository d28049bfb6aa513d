"""`{% dashboard %}`: the scoped figures on the admin's front page."""

from __future__ import annotations

from typing import Any

from django import template

from ..admin.dashboard import dashboard_figures

register = template.Library()


@register.inclusion_tag("admin/dashboard.html", takes_context=True)
def dashboard(context: dict[str, Any]) -> dict[str, Any]:
    return {"figures": dashboard_figures(context["request"].user)}
