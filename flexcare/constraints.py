"""Database constraints that only PostgreSQL can enforce, declared once on the model.

SQLite (the quickstart) has no exclusion constraints: there the constraint creates nothing and
validates nothing, and the service that writes the rows checks the same rule under its locks
(SQLite's writers queue up one at a time anyway: settings.DATABASES)."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Func


class TsTzRange(Func):
    """PostgreSQL's `tstzrange(lower, upper, bounds)`."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    def constraint_sql(self, model: Any, schema_editor: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model: Any, schema_editor: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model: Any, schema_editor: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, model: Any, instance: Any, exclude: Any = None, using: Any = None) -> None:
        if connections[using or DEFAULT_DB_ALIAS].vendor != "postgresql":
            return
        super().validate(model, instance, exclude=exclude, using=using or DEFAULT_DB_ALIAS)
