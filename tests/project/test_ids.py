"""Every stored entity gets a 24-character lowercase hex ObjectId."""

from __future__ import annotations

import re

import pytest
from bson import ObjectId
from django.apps import apps

from flexcare.ids import ObjectIdField, is_object_id, new_object_id

OUR_APPS = ("accounts", "devices", "conferences")


def test_new_ids_are_valid_object_ids():
    ids = {new_object_id() for _ in range(1000)}
    assert len(ids) == 1000
    for value in ids:
        assert re.fullmatch(r"[0-9a-f]{24}", value)
        assert ObjectId.is_valid(value)


@pytest.mark.parametrize("value", ["", "x" * 24, "ABCDEFABCDEFABCDEFABCDEF", "a" * 23, None, 5])
def test_malformed_ids_are_recognised(value):
    assert not is_object_id(value)


def test_every_model_of_ours_has_an_object_id_primary_key():
    models = [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]
    assert len(models) == 10
    for model in models:
        assert isinstance(model._meta.pk, ObjectIdField), model


def test_stored_rows_carry_object_ids(tenants):
    from conferences.models import Conference, Guest

    # The tenants world invites no guests.
    Guest.objects.create(conference=Conference.objects.latest("created_at"),
                         email="anna@example.test")
    for model in apps.get_models():
        if model._meta.app_label in OUR_APPS:
            pks = list(model._default_manager.values_list("pk", flat=True))
            assert pks, model
            assert all(is_object_id(pk) for pk in pks), model
