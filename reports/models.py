"""The usage rollup: figures of days whose meetings are all CLOSED, kept so that a year over
a hundred customers is summed from a few thousand rows instead of counted from millions.

A CLOSED meeting never changes again (no command can be queued for it, its unfinished
commands were canceled, provisioning and starting need an open meeting), so a customer's day
whose meetings are all closed has final figures: reports.rollup writes them once, and
reports.selectors counts the days after `UsageRollup.through` live from the meetings.
Derived data: `manage.py rollup_usage --rebuild` recomputes it from the meetings.
"""

from __future__ import annotations

from django.db import models


class UsageRollup(models.Model):
    """Every day of the customer up to `through` (local date, included) is rolled up."""

    customer = models.OneToOneField("accounts.Customer", on_delete=models.CASCADE,
                                    primary_key=True, related_name="usage_rollup")
    through = models.DateField()

    def __str__(self) -> str:
        return f"{self.customer_id} through {self.through}"


class UsageDay(models.Model):
    """A rolled-up day with any meeting: the additive figures, and that day's distinct
    tablets and employees. A day without a row had none."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE,
                                 related_name="+")
    day = models.DateField()
    meetings = models.PositiveIntegerField(default=0)
    meetings_not_started = models.PositiveIntegerField(default=0)
    minutes = models.PositiveIntegerField(default=0)
    tablets = models.PositiveIntegerField(default=0)
    employees = models.PositiveIntegerField(default=0)
    commands = models.PositiveIntegerField(default=0)
    commands_failed = models.PositiveIntegerField(default=0)
    provisioning_failures = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "day"], name="usage_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.day}"


class Kind(models.TextChoices):
    TABLET = "T", "tablet"
    EMPLOYEE = "E", "employee"


class Span(models.TextChoices):
    DAY = "D", "day"
    WEEK = "W", "week"
    MONTH = "M", "month"


class UsageMember(models.Model):
    """A tablet used, or an employee who created a meeting, on a rolled-up day of the
    customer — stored for that day, its week and its month, so that distinct counts over a
    week, a month or a year read a few rows per member instead of one per meeting. Members
    of a week or month row come from its rolled-up days only."""

    span = models.CharField(max_length=1, choices=Span.choices)
    start = models.DateField()  # the day, or the first day of the week or month
    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE,
                                 related_name="+", db_index=False)
    kind = models.CharField(max_length=1, choices=Kind.choices)
    # No foreign key: a rolled-up day keeps its figures when a user is deleted later.
    member = models.CharField(max_length=24)

    class Meta:
        constraints = [
            # Its index serves every read: span, then a range of starts, then customers.
            models.UniqueConstraint(fields=["span", "start", "customer", "kind", "member"],
                                    name="usage_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.span}{self.start} {self.kind}{self.member}"
