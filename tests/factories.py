"""factory_boy factories that build through the services, so test data obeys the same rules
(tree paths, settings snapshots, validation) as real data. Call `DeviceFactory.create(...)`:
mypy types it as the model (factory_boy's generics), where `DeviceFactory(...)` would be
typed as the factory."""

from __future__ import annotations

from typing import Any

import factory

from accounts.access import AccessLevel
from accounts.models import Customer, Feature, User
from accounts.services import customer_create, user_create
from conferences.models import Command, CommandType, Conference
from conferences.services import command_queue, meeting_create
from devices.models import Device
from devices.services import device_create

PASSWORD = "test-password-123"


class CustomerFactory(factory.django.DjangoModelFactory[Customer]):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")
    features = factory.LazyFunction(lambda: [Feature.FLEXCARE.value])
    is_reseller = False
    parent_reseller = None

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Customer:
        return customer_create(**kwargs)


class ResellerFactory(CustomerFactory):
    name = factory.Sequence(lambda n: f"Reseller {n}")
    features = factory.LazyFunction(list)
    is_reseller = True


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    access_level = AccessLevel.MANAGER
    customer = factory.SubFactory(CustomerFactory)
    password = PASSWORD

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> User:
        return user_create(**kwargs)


class DeviceFactory(factory.django.DjangoModelFactory[Device]):
    class Meta:
        model = Device

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Bed {n}")
    serial = factory.Sequence(lambda n: f"FLXCA{1000000 + n}")
    device_id = factory.Sequence(lambda n: f"{1000000 + n}")
    technical_room_number = "50"

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Device:
        return device_create(**kwargs)


class MeetingFactory(factory.django.DjangoModelFactory[Conference]):
    """A meeting for `devices` (default: one new device of `customer`)."""

    class Meta:
        model = Conference

    customer = factory.SubFactory(CustomerFactory)
    employee = None
    devices = factory.LazyAttribute(lambda o: [DeviceFactory.create(customer=o.customer)])

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Conference:
        return meeting_create(**kwargs)


def queue(meeting: Conference, device: Device, type: str = CommandType.SET_VOLUME,
          **fields: Any) -> Command:
    if type == CommandType.SET_VOLUME:
        fields.setdefault("volume", 40)
    return command_queue(meeting=meeting, device=device, type=type, **fields)


# The customer form's tablet-settings fields as a browser posts them for the defaults
# (camera and microphone on, high quality, no volume set).
CUSTOMER_FORM_SETTINGS = {"camera_on": "on", "microphone_on": "on", "quality": "HIGH"}
