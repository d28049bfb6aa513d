"""`{% front_page as front %}` and `{% front_title %}`: the portal's front page for the user
(conferences.admin.front)."""

from __future__ import annotations

from typing import Any

from django import template

from ..admin.front import front_page as front_context
from ..admin.front import is_ward

register = template.Library()


@register.simple_tag(takes_context=True)
def front_page(context: dict[str, Any]) -> dict[str, Any]:
    return front_context(context["request"].user)


@register.simple_tag(takes_context=True)
def front_title(context: dict[str, Any]) -> str:
    """A ward's page is titled with its customer's name; the others keep the site's."""
    user = context["request"].user
    if is_ward(user) and user.customer_id:
        return user.customer.name
    return str(context.get("title", ""))
