"""The three join links of a room, made from configurable templates (VDX_*_LINK_TEMPLATE):
the same for every provider, so the fake shows what the real one would.

The values come from VDX, so a link is checked rather than trusted: a value landing in a query
string is URL-encoded (a room address or PIN cannot add or change parameters), and only an
https: link is stored or shown as a link (not javascript:, data:, http: or one without a host).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import Booking

LINK_PLACEHOLDERS = ("uri", "uri_without_domain", "uri_domain", "pin", "host_pin",
                     "portal_link", "short_link")
LINK_MAX_LENGTH = 1000  # Conference.*_link
# What a room could look like: a template must make an https: link of it (manage.py check).
_EXAMPLE_VALUES = {
    "uri": "1000@rooms.example", "uri_without_domain": "1000", "uri_domain": "rooms.example",
    "pin": "1234", "host_pin": "5678",
    "portal_link": "https://portal.example/?url=1000@rooms.example&pin=1234",
    "short_link": "https://m.example/abcdefghijkl",
}
# Legal in a query value and kept readable (conference=1000@rooms.example); everything else
# that means something there (& = # + ? space) is encoded.
_QUERY_SAFE = "@:/"
_FORMATTER = string.Formatter()


def format_link(template: str, values: Mapping[str, str]) -> str:
    """`template.format(**values)`, with each value URL-encoded where it lands in a query
    string or fragment: after a "?" or "#" in what is formatted so far. Before that (a whole
    link such as {portal_link}, a host, a path) a value is used as it is; link_problem then
    judges the result."""
    formatted = ""
    for literal, field, spec, conversion in _FORMATTER.parse(template):
        formatted += literal
        if field is None:
            continue
        value, _key = _FORMATTER.get_field(field, (), values)
        text = _FORMATTER.format_field(_FORMATTER.convert_field(value, conversion), spec or "")
        in_query = "?" in formatted or "#" in formatted
        formatted += quote(text, safe=_QUERY_SAFE) if in_query else text
    return formatted


def link_problem(link: str) -> str | None:
    """Why `link` may not be stored or shown as a link, or None when it may."""
    if len(link) > LINK_MAX_LENGTH:
        return f"longer than {LINK_MAX_LENGTH} characters"
    # Browsers drop or reinterpret these inside a link: a well-formed one has none.
    if any(char.isspace() or not char.isprintable() for char in link):
        return "not an https: link (it contains spaces or control characters)"
    try:
        parts = urlsplit(link)
    except ValueError:
        return "not an https: link (malformed)"
    if parts.scheme != "https" or not parts.hostname:
        return "not an https: link"
    return None


def is_https_link(link: str) -> bool:
    return bool(link) and link_problem(link) is None


@dataclass(frozen=True)
class LinkTemplates:
    """str.format templates for the three links, over LINK_PLACEHOLDERS."""

    desktop: str
    clinical: str
    mobile: str

    @classmethod
    def from_settings(cls) -> LinkTemplates:
        links = cls(desktop=settings.VDX_DESKTOP_LINK_TEMPLATE,
                    clinical=settings.VDX_CLINICAL_LINK_TEMPLATE,
                    mobile=settings.VDX_MOBILE_LINK_TEMPLATE)
        links.validate()
        return links

    def validate(self) -> None:
        for name, template in vars(self).items():
            setting = f"VDX_{name.upper()}_LINK_TEMPLATE"
            try:
                example = format_link(template, _EXAMPLE_VALUES)
            except (KeyError, IndexError, ValueError, AttributeError) as exc:
                raise ImproperlyConfigured(
                    f"{setting} is not a valid template ({exc!r}); "
                    f"placeholders: {', '.join(f'{{{p}}}' for p in LINK_PLACEHOLDERS)}."
                ) from None
            # Empty: that link is not offered.
            if template and (problem := link_problem(example)):
                raise ImproperlyConfigured(
                    f"{setting} must make an https: link; for a room it makes one that is "
                    f"{problem}: {example}")

    def booking(self, booking_id: str, values: dict[str, str]) -> Booking:
        """The booked room, `values` giving every placeholder. A link that comes out wrong
        (VDX sent something odd) is left out, and `link_problems` says which and why."""
        links, problems = {}, []
        for name, template in vars(self).items():
            link = format_link(template, values)
            if link and (problem := link_problem(link)):
                problems.append(f"The {name} link was not stored: {problem}.")
                link = ""
            links[f"{name}_link"] = link
        guest_link = next((link for link in (links["desktop_link"], links["mobile_link"])
                           if link and not carries_pin(link, values.get("host_pin", ""),
                                                       unless=values["pin"])), "")
        return Booking(booking_id=booking_id, uri=values["uri"], pin=values["pin"],
                       link_problems=tuple(problems), guest_link=guest_link, **links)


def carries_pin(link: str, pin: str, *, unless: str = "") -> bool:
    """Whether `pin` is in the link as a number of its own. The guests' link must not carry the
    host PIN, which gives control of the meeting; VDX's own portal link has it when the room has
    no guest PIN. Cautious: any digit run equal to the PIN counts (a date's "2026" for a host PIN
    2026 too), so a link that might carry it is never e-mailed. A host PIN equal to the guest
    PIN (`unless`) is no secret beyond the guest's."""
    if not pin or pin == unless:
        return False
    return any(run == pin for run in re.findall(r"\d+", link))
