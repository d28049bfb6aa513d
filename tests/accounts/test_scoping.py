"""`for_user` on every model: each user sees exactly its own tenants' objects
(docs/domain.md#scoping)."""

from __future__ import annotations

import pytest

from accounts.models import AuditEntry, Customer, CustomerState, User, UserToken
from conferences.models import Command, Conference, ConferenceDevice
from devices.models import Device, DeviceToken

HOSPITALS = {"A1", "A2", "A3", "B1"}
ALL = HOSPITALS | {"Reseller A", "Reseller B", "A-sub"}

# Which customers each user may see, written out by hand rather than derived.
EXPECTED = {
    "ADMIN": ALL,
    "RESELLER@Reseller A": {"Reseller A", "A1", "A2", "A-sub", "A3"},
    "RESELLER@A-sub": {"A-sub", "A3"},
    "RESELLER@Reseller B": {"Reseller B", "B1"},
    "VIEWER@A1": {"A1"},
    "MANAGER@A1": {"A1"},
    "OWNER@A1": {"A1"},
    "VIEWER@B1": {"B1"},
    "MANAGER@B1": {"B1"},
    "OWNER@B1": {"B1"},
}

# Each model with the lookup from it to its customer's name.
MODELS = {
    Customer: "name",
    User: "customer__name",
    UserToken: "user__customer__name",
    Device: "customer__name",
    DeviceToken: "device__customer__name",
    Conference: "customer__name",
    ConferenceDevice: "conference__customer__name",
    Command: "conference_device__conference__customer__name",
    AuditEntry: "customer__name",
}


@pytest.mark.parametrize("user_key", sorted(EXPECTED))
@pytest.mark.parametrize("model", list(MODELS), ids=lambda m: m.__name__)
def test_each_user_sees_exactly_its_own_customers_objects(tenants, user_key, model):
    user = tenants.user(user_key)
    lookup = MODELS[model]
    visible = model.objects.for_user(user)
    expected = model.objects.filter(**{f"{lookup}__in": EXPECTED[user_key]})
    if model in (User, UserToken) and user_key == "ADMIN":
        expected = model.objects.all()  # platform admins have no customer but see every user
    assert set(visible.values_list("pk", flat=True)) == set(expected.values_list("pk", flat=True))
    if model not in (User, UserToken):
        assert expected.exists(), "the world must hold an object for every visible customer"


def test_hospital_staff_never_see_another_hospitals_tablet(tenants):
    manager = tenants.user("MANAGER@A1")
    other = Device.objects.get(customer__name="B1")
    assert not Device.objects.for_user(manager).filter(pk=other.pk).exists()


def test_disabled_user_sees_nothing(tenants):
    user = tenants.user("MANAGER@A1")
    user.is_active = False
    user.save()
    assert not Device.objects.for_user(user).exists()
    assert not Customer.objects.for_user(user).exists()


def test_user_of_blocked_customer_sees_nothing(tenants):
    user = tenants.user("RESELLER@Reseller A")
    Customer.objects.filter(pk=user.customer_id).update(state=CustomerState.BLOCKED)
    user.customer.refresh_from_db()
    assert not Conference.objects.for_user(user).exists()


def test_anonymous_and_missing_users_see_nothing(tenants):
    from django.contrib.auth.models import AnonymousUser

    assert not Device.objects.for_user(AnonymousUser()).exists()
    assert not Device.objects.for_user(None).exists()


def test_moving_a_subtree_moves_its_scope(tenants):
    from accounts.services import customer_update

    sub = tenants.customers["A-sub"]
    customer_update(customer=sub, parent_reseller=tenants.customers["Reseller B"])
    reseller_b = tenants.user("RESELLER@Reseller B")
    reseller_a = tenants.user("RESELLER@Reseller A")
    names = set(Customer.objects.for_user(reseller_b).values_list("name", flat=True))
    assert names == {"Reseller B", "B1", "A-sub", "A3"}
    assert "A3" not in set(Customer.objects.for_user(reseller_a).values_list("name", flat=True))


def test_a_customer_cannot_be_moved_below_itself(tenants):
    from accounts.services import customer_update
    from flexcare.errors import Invalid

    with pytest.raises(Invalid):
        customer_update(
            customer=tenants.customers["Reseller A"], parent_reseller=tenants.customers["A-sub"]
        )
