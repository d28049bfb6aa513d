"""Admin pages for customers and employees (scoped; the full portal builds on these)."""

from __future__ import annotations

from django.contrib import admin

from .admin_scoping import ScopedAdminMixin
from .models import Customer, User


@admin.register(Customer)
class CustomerAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "state", "is_reseller", "parent_reseller", "features", "created_at")
    list_filter = ("state", "is_reseller")
    list_select_related = ("parent_reseller",)
    search_fields = ("name",)
    readonly_fields = ("tree_path", "created_at")


@admin.register(User)
class UserAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("email", "name", "access_level", "customer", "is_active", "last_login")
    list_filter = ("access_level", "is_active")
    list_select_related = ("customer",)
    search_fields = ("email", "name")
    exclude = ("password",)
    readonly_fields = ("last_login", "date_joined")
