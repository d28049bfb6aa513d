"""A tablet's meeting settings, as stored on devices and snapshotted into meetings.

The wire names (camelCase) are the TelecomX ones; the snapshot and the customer defaults are
stored in wire form so that what the tablet reads is exactly what was saved. They live here,
in the lowest app that uses them: customers (their tablets' defaults) as well as devices and
meetings build on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Quality(models.TextChoices):
    LOW = "LOW", _("Low")
    MEDIUM = "MEDIUM", _("Medium")
    HIGH = "HIGH", _("High")
    VERY_HIGH = "VERY_HIGH", _("Very high")


WIRE_NAMES = {
    "medcom_uri": "medcomUri",
    "camera_on": "cameraOn",
    "microphone_on": "microphoneOn",
    "set_volume": "setVolume",
    "add_participant": "addParticipant",
    "volume": "volume",
    "quality": "quality",
}


@dataclass(frozen=True)
class TabletSettings:
    medcom_uri: str = ""
    camera_on: bool = True
    microphone_on: bool = True
    set_volume: bool = False
    add_participant: bool = False
    volume: int = 50
    quality: str = Quality.HIGH.value

    def __post_init__(self) -> None:
        for name in ("camera_on", "microphone_on", "set_volume", "add_participant"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(gettext("%(name)s must be true or false.")
                                 % {"name": WIRE_NAMES[name]})
        if not isinstance(self.medcom_uri, str):
            raise ValueError(gettext("medcomUri must be a string."))
        if isinstance(self.volume, bool) or not isinstance(self.volume, int):
            raise ValueError(gettext("volume must be a whole number."))
        if not 0 <= self.volume <= 100:
            raise ValueError(gettext("volume must be between 0 and 100."))
        if self.quality not in Quality.values:
            raise ValueError(gettext("quality must be one of %(qualities)s.")
                             % {"qualities": ", ".join(Quality.values)})

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> TabletSettings:
        """Build from camelCase keys; missing keys take the defaults, unknown keys are refused."""
        by_wire = {wire: name for name, wire in WIRE_NAMES.items()}
        unknown = set(data) - set(by_wire)
        if unknown:
            raise ValueError(gettext("Unknown settings: %(names)s.")
                             % {"names": ", ".join(sorted(unknown))})
        return cls(**{by_wire[key]: value for key, value in data.items()})

    def to_wire(self) -> dict[str, Any]:
        return {WIRE_NAMES[name]: value for name, value in asdict(self).items()}

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]
