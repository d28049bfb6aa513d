"""Forms of the meeting pages in the admin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import MEETING_FEATURES, Customer, CustomerState
from accounts.tablet_settings import Quality
from devices.models import Device


def meeting_customers(user: Any) -> Any:
    """Customers the user may create meetings for: in scope, active, with the feature."""
    has_feature = Q()
    for feature in MEETING_FEATURES:
        has_feature |= Q(features__icontains=f'"{feature}"')
    return Customer.objects.for_user(user).filter(has_feature, state=CustomerState.ACTIVE)


class NewMeetingForm(forms.Form):
    customer = forms.ModelChoiceField(queryset=Customer.objects.none(), label=_("Customer"))
    devices = forms.ModelMultipleChoiceField(
        queryset=Device.objects.none(), label=_("Tablets"), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one tablet.")},
    )

    def __init__(self, *args: Any, user: Any, customer: Customer | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Both are the ModelChoiceFields declared above (`fields` is typed as plain Fields).
        self.fields["customer"].queryset = meeting_customers(user)  # type: ignore[attr-defined]  # see above
        self.fields["devices"].queryset = (  # type: ignore[attr-defined]  # see above
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
