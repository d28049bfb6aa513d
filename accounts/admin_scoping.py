"""One mixin that scopes every ModelAdmin and inline through `for_user`
(docs/domain.md#scoping), and turns a service's refusal into a form error."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib.admin import RelatedFieldListFilter
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest

from flexcare.errors import ServiceError


def _scoped(queryset: models.QuerySet, request: HttpRequest) -> models.QuerySet:
    for_user = getattr(queryset, "for_user", None)
    return for_user(request.user) if for_user else queryset


# The type checker sees the mixin as the admin (ModelAdmin or inline) it is mixed into.
if TYPE_CHECKING:
    from django.contrib.admin.options import BaseModelAdmin

    _Admin = BaseModelAdmin[Any]
else:
    _Admin = object


class ScopedAdminMixin(_Admin):
    """Rows, foreign-key and many-to-many choices all pass through the model's `for_user`."""

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return _scoped(super().get_queryset(request), request)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field: Any = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = _scoped(field.queryset, request)
            if field.required:
                preselect_single_choice(field)
        return field

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field: Any = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = _scoped(field.queryset, request)
        return field


def preselect_single_choice(field: Any) -> None:
    """A required choice with one possible answer (a manager's own hospital, say) comes
    chosen: nobody should have to pick from a list of one."""
    options = list(field.queryset.values_list("pk", flat=True)[:2])
    if len(options) == 1 and field.initial is None:
        field.initial = options[0]


def service_check(check: Callable[[], object]) -> None:
    """Run a service's own validation from a form's clean(), so the admin shows the very
    rule (and message) the API enforces instead of failing at save time."""
    try:
        check()
    except ServiceError as exc:
        field = exc.code.rsplit(".", 1)[-1]
        raise ValidationError({field: exc.message} if field else exc.message) from exc


class ScopedRelatedFilter(RelatedFieldListFilter):
    """A foreign-key list filter offering only the related objects the user may see (the
    stock filter lists every customer in the database)."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list:
        queryset = _scoped(field.related_model._default_manager.all(), request)
        ordering = field.related_model._meta.ordering or ["pk"]
        return [(obj.pk, str(obj)) for obj in queryset.order_by(*ordering)]
