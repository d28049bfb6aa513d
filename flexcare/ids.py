"""ObjectId primary keys: every id on the wire is a 24-character lowercase hex ObjectId."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bson import ObjectId
from django.core.validators import RegexValidator
from django.db import models

OBJECT_ID_RE = re.compile(r"^[0-9a-f]{24}$")

object_id_validator = RegexValidator(
    OBJECT_ID_RE, message="Enter a 24-character lowercase hexadecimal id.", code="invalid_id"
)


def new_object_id() -> str:
    return str(ObjectId())


def is_object_id(value: object) -> bool:
    return isinstance(value, str) and OBJECT_ID_RE.match(value) is not None


class ObjectIdField(models.CharField):
    """A CharField holding a `bson.ObjectId` as 24 lowercase hex characters.

    Stored as text rather than bytes so ids read the same in SQL, logs and JSON.
    """

    description = "ObjectId (24 lowercase hex characters)"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["max_length"] = 24
        kwargs.setdefault("editable", False)
        if kwargs.get("primary_key"):
            kwargs.setdefault("default", new_object_id)
        super().__init__(*args, **kwargs)
        self.validators.append(object_id_validator)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        return name, path, args, kwargs
