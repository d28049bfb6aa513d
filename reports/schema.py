"""Serializers that document the usage report's JSON in OpenAPI (reports.export builds it;
tests validate real responses against the schema)."""

from __future__ import annotations

from rest_framework import serializers

from .periods import Granularity


class FiguresOut(serializers.Serializer):
    meetings = serializers.IntegerField(help_text="Meetings that reached STARTED")
    meetingsNotStarted = serializers.IntegerField(help_text="CLOSED without being STARTED")
    minutes = serializers.IntegerField(help_text="STARTED → CLOSED, whole minutes per meeting")
    tablets = serializers.IntegerField(help_text="Distinct tablets in meetings held")
    employees = serializers.IntegerField(help_text="Distinct employees who created meetings")
    commands = serializers.IntegerField(help_text="Commands queued for the meetings' tablets")
    commandsFailed = serializers.IntegerField(help_text="Of those, FAILED")
    provisioningFailures = serializers.IntegerField(help_text="Meetings provisioning FAILED")


class CustomerFiguresOut(FiguresOut):
    customer = serializers.CharField()
    customerName = serializers.CharField()


class UsageRowOut(CustomerFiguresOut):
    period = serializers.DateField(help_text="First day of the period (Europe/Copenhagen)")


class UsageOut(serializers.Serializer):
    # `from` is a Python keyword: the field is named through the fields dict below.
    to = serializers.DateField()
    granularity = serializers.ChoiceField(Granularity.values)
    rows = UsageRowOut(many=True, help_text="One per customer and period")
    subtotals = CustomerFiguresOut(many=True, help_text="Each customer over the whole range")
    total = FiguresOut(help_text="Every listed customer over the whole range")

    def get_fields(self) -> dict:
        fields = super().get_fields()
        return {"from": serializers.DateField(), **fields}
