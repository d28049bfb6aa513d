"""The portal page's period picker."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from flexcare.errors import ServiceError

from .periods import MAX_DAYS, Granularity, check_range

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class UsageForm(forms.Form):
    """`from`, `to`, `granularity` and `customer`, named as in the API's query string."""

    granularity = forms.ChoiceField(label=_("Per"), choices=Granularity.choices,
                                    initial=Granularity.MONTH)

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        date_input = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["from"] = forms.DateField(label=_("From"), widget=date_input)
        self.fields["to"] = forms.DateField(label=_("To"), widget=date_input)
        self.fields["customer"] = forms.ModelChoiceField(
            Customer.objects.for_user(user).order_by("name"), label=_("Customer"),
            required=False, empty_label=_("All customers"))
        self.order_fields(["from", "to", "granularity", "customer"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("from") and data.get("to"):
            try:
                check_range(data["from"], data["to"])
            except ServiceError:
                raise forms.ValidationError(
                    _("Choose a range that ends after it starts and spans at most "
                      "%(days)s days.") % {"days": MAX_DAYS}) from None
        return data


def presets(today: date) -> list[tuple[StrOrPromise, date, date]]:
    """(label, from, to) for the usual billing ranges."""
    month_start = today.replace(day=1)
    last_month_end = month_start - timedelta(days=1)
    return [
        (_("This month"), month_start, today),
        (_("Last month"), last_month_end.replace(day=1), last_month_end),
        (_("This year"), today.replace(month=1, day=1), today),
    ]
