"""The tablet settings as form fields, one set for a tablet's own settings (devices) and a
customer's defaults for its new tablets: the same words and widgets in both places, never the
wire's JSON.

The wire's `setVolume` is not a checkbox of its own: a volume given means "set it", an empty
volume means "leave the tablet's own volume alone"."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django import forms
from django.template.defaultfilters import yesno
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from .tablet_settings import Quality, TabletSettings

# The form's fields; `set_volume` follows from `volume`.
FORM_FIELDS = ("camera_on", "microphone_on", "volume", "quality", "add_participant",
               "medcom_uri")


class TabletSettingsForm(forms.Form):
    camera_on = forms.BooleanField(label=_("Camera on when a meeting starts"), required=False)
    microphone_on = forms.BooleanField(label=_("Microphone on when a meeting starts"),
                                       required=False)
    volume = forms.IntegerField(
        label=_("Volume"), min_value=0, max_value=100, required=False,
        help_text=_("0 to 100, set when a meeting starts. Leave empty to keep the tablet's own "
                    "volume."))
    # Not required: a form posted without it (a script, say) keeps the quality it had.
    quality = forms.ChoiceField(label=_("Video quality"), choices=Quality.choices,
                                initial=Quality.HIGH, required=False)
    add_participant = forms.BooleanField(
        label=_("May add participants"), required=False,
        help_text=_("Lets the person at the tablet invite someone else into the meeting."))
    medcom_uri = forms.CharField(
        label=_("MedCom address"), required=False, max_length=500,
        help_text=_("The tablet's own video address at MedCom, if it has one."))

    def settings_initial(self, settings: TabletSettings) -> None:
        for name in FORM_FIELDS:
            self.initial.setdefault(name, getattr(settings, name))
        if not settings.set_volume:
            self.initial["volume"] = None

    def cleaned_settings(self, fallback: TabletSettings) -> TabletSettings:
        """The settings the form says; an empty volume keeps `fallback`'s number, unset."""
        data = self.cleaned_data
        volume = data.get("volume")
        values: dict[str, Any] = {name: data[name] for name in FORM_FIELDS if name in data}
        values["quality"] = values.get("quality") or fallback.quality
        values["set_volume"] = volume is not None
        values["volume"] = fallback.volume if volume is None else volume
        return TabletSettings(**{**fallback.__dict__, **values})

    @cached_property
    def changed_settings(self) -> bool:
        return any(name in FORM_FIELDS for name in super().changed_data)


def settings_in_words(settings: TabletSettings) -> SafeString:
    """The settings as a read-only page shows them (one who may not edit them): the form's
    labels, each with its value in words."""
    fields = TabletSettingsForm.base_fields
    values = {
        "camera_on": yesno(settings.camera_on),
        "microphone_on": yesno(settings.microphone_on),
        "volume": settings.volume if settings.set_volume else _("the tablet's own"),
        "quality": Quality(settings.quality).label,
        "add_participant": yesno(settings.add_participant),
        "medcom_uri": settings.medcom_uri or "-",
    }
    return format_html_join(mark_safe("<br>"), "{}: {}",
                            ((fields[name].label, values[name]) for name in FORM_FIELDS))
