"""Forms of the meeting pages in the admin."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from accounts.tablet_settings import Quality
from devices.models import Device

from ..guests import NewGuest

# The lengths offered for a meeting booked ahead; the service refuses what exceeds
# MEETING_MAX_DURATION_SECONDS, with the contract's message.
DURATIONS = [(15, _("15 minutes")), (30, _("30 minutes")), (45, _("45 minutes")),
             (60, _("1 hour")), (90, _("1½ hours")), (120, _("2 hours")), (180, _("3 hours")),
             (240, _("4 hours"))]


def meeting_customers(user: Any) -> Any:
    """Customers the user may create meetings for: in scope, active, with the feature."""
    return Customer.objects.for_user(user).can_hold_tablets()


class NewMeetingForm(forms.Form):
    customer = forms.ModelChoiceField(queryset=Customer.objects.none(), label=_("Customer"))
    devices = forms.ModelMultipleChoiceField(
        queryset=Device.objects.none(), label=_("Tablets"), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one tablet.")},
    )
    when = forms.ChoiceField(
        choices=[("now", _("Now")), ("later", _("At a date and time"))], initial="now",
        required=False, widget=forms.RadioSelect, label=_("When"))  # left out: now
    # A local date and time: read in the portal's time zone (TIME_ZONE, Europe/Copenhagen).
    start = forms.DateTimeField(
        required=False, label=_("Date and time"), input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    # Left empty: the default length, already an int (the stubs want empty_value a str).
    duration = forms.TypedChoiceField(choices=DURATIONS, coerce=int, initial=60,
                                      empty_value=60,  # type: ignore[arg-type]
                                      required=False, label=_("Duration"))
    guests = forms.CharField(
        required=False, label=_("Guests"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One e-mail address a line, optionally with a name: "
                    "Anna Hansen <anna@example.dk>. Each is sent an invitation."))
    # The guests' e-mails' language; the view starts it at the employee's.
    language = forms.ChoiceField(choices=settings.LANGUAGES, required=False,
                                 label=_("Language of the invitations"))

    def __init__(self, *args: Any, user: Any, customer: Customer | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Both are the ModelChoiceFields declared above (`fields` is typed as plain Fields).
        self.fields["customer"].queryset = meeting_customers(user)  # type: ignore[attr-defined]  # see above
        self.fields["devices"].queryset = (  # type: ignore[attr-defined]  # see above
            Device.objects.for_user(user).filter(customer=customer) if customer
            else Device.objects.none()
        )

    def clean_guests(self) -> list[NewGuest]:
        """Addresses are checked by the service (the API's rules and messages)."""
        guests = []
        for line in self.cleaned_data["guests"].splitlines():
            if line.strip():
                name, address = parseaddr(line.strip())
                guests.append(NewGuest(email=address or line.strip(), name=name))
        return guests

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("when") == "later" and data.get("start") is None:
            self.add_error("start", _("Choose the date and time of the meeting."))
        return data

    def times(self) -> tuple[datetime | None, datetime | None]:
        """(start, end) for meeting_create: (None, None) for a meeting for now."""
        data = self.cleaned_data
        if data["when"] != "later":
            return None, None
        return data["start"], data["start"] + timedelta(minutes=data["duration"])


class CommandForm(forms.Form):
    """One button or control of the meeting page."""

    ACTIONS = ("start", "end", "retry", "camera", "microphone", "volume", "quality", "resend")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    device = forms.CharField(required=False)
    guest = forms.CharField(required=False)
    value = forms.ChoiceField(choices=[("on", "on"), ("off", "off")], required=False)
    volume = forms.IntegerField(required=False)  # range checked by the service, one rule
    quality = forms.ChoiceField(choices=Quality.choices, required=False)
