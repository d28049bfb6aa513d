"""What the services refuse, the admin's forms refuse too — as form errors, never a 500."""

from __future__ import annotations

import pytest

from accounts.models import Customer, User
from devices.models import Device
from devices.services import device_update
from flexcare.errors import Conflict
from tests.factories import CUSTOMER_FORM_SETTINGS

pytestmark = pytest.mark.django_db


def test_a_tablet_cannot_move_to_another_customer(client, tenants):
    device = Device.objects.get(customer__name="A1")
    other = tenants.customers["A2"]
    client.force_login(tenants.user("RESELLER@Reseller A"))
    response = client.post(f"/admin/devices/device/{device.pk}/change/", {
        "customer": other.pk, "name": "Moved", "serial": device.serial,
        "device_id": device.device_id, "technical_room_number": "1", "volume": 50,
        "quality": "HIGH", "medcom_uri": ""})
    assert response.status_code == 302  # saved: the name, not the customer
    device.refresh_from_db()
    assert (device.name, device.customer.name) == ("Moved", "A1")
    with pytest.raises(Conflict):
        device_update(device=device, customer=other)


def test_a_level_that_does_not_fit_the_customer_is_a_form_error(client, tenants):
    manager = tenants.user("MANAGER@A1")
    client.force_login(tenants.user("RESELLER@Reseller A"))
    response = client.post(f"/admin/accounts/user/{manager.pk}/change/", {
        "email": manager.email, "name": "", "customer": manager.customer_id,
        "access_level": "RESELLER", "is_active": "on"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert User.objects.get(pk=manager.pk).access_level == "MANAGER"


def test_a_reseller_with_customers_stays_a_reseller(client, tenants):
    reseller = tenants.customers["Reseller A"]
    client.force_login(tenants.user("ADMIN"))
    response = client.post(f"/admin/accounts/customer/{reseller.pk}/change/", {
        "name": reseller.name, "state": "ACTIVE", **CUSTOMER_FORM_SETTINGS})
    assert response.status_code == 200
    assert "is_reseller" in response.context["adminform"].form.errors
    assert Customer.objects.get(pk=reseller.pk).is_reseller
