"""Forms of the meeting pages in the admin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from accounts.tablet_settings import Quality
from devices.models import Device


def meeting_customers(user: Any) -> Any:
    """Customers the user may create meetings for: in scope, active, with the feature."""
    return Customer.objects.for_user(user).can_hold_tablets()


class NewMeetingForm(forms.Form):
    customer = forms.ModelChoiceField(queryset=Customer.objects.none(), label=_("Customer"))
    devices = forms.ModelMultipleChoiceField(
        queryset=Device.objects.none(), label=_("Tablets"), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one tablet.")},
    )

    def __init__(self, *args: Any, user: Any, customer: Customer | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = meeting_customers(user)
        self.fields["devices"].queryset = (
            Device.objects.for_user(user).filter(customer=customer) if customer
            else Device.objects.none()
        )


class CommandForm(forms.Form):
    """One button or control of the meeting page."""

    ACTIONS = ("start", "end", "retry", "camera", "microphone", "volume", "quality")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    device = forms.CharField(required=False)
    value = forms.ChoiceField(choices=[("on", "on"), ("off", "off")], required=False)
    volume = forms.IntegerField(required=False)  # range checked by the service, one rule
    quality = forms.ChoiceField(choices=Quality.choices, required=False)
