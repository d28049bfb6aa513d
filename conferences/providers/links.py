"""The three join links of a room, made from configurable templates (VDX_*_LINK_TEMPLATE):
the same for every provider, so the fake shows what the real one would."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import Booking

LINK_PLACEHOLDERS = ("uri", "uri_without_domain", "uri_domain", "pin", "host_pin",
                     "portal_link", "short_link")


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
        dummy = dict.fromkeys(LINK_PLACEHOLDERS, "x")
        for name, template in vars(self).items():
            try:
                template.format(**dummy)
            except (KeyError, IndexError, ValueError) as exc:
                raise ImproperlyConfigured(
                    f"VDX_{name.upper()}_LINK_TEMPLATE is not a valid template ({exc!r}); "
                    f"placeholders: {', '.join(f'{{{p}}}' for p in LINK_PLACEHOLDERS)}."
                ) from None

    def booking(self, booking_id: str, values: dict[str, str]) -> Booking:
        """The booked room, `values` giving every placeholder."""
        return Booking(
            booking_id=booking_id, uri=values["uri"], pin=values["pin"],
            desktop_link=self.desktop.format(**values),
            clinical_link=self.clinical.format(**values),
            mobile_link=self.mobile.format(**values),
        )
