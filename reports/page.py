"""What the Usage page shows of a report: period labels, the table grouped by customer and
the two charts (as conferences.admin_detail does for the meeting page)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from .chart import bar_chart
from .periods import Granularity
from .selectors import UsageReport

# Past this many rows the page shows each customer's subtotal only; the CSV has every row.
MAX_TABLE_ROWS = 1000


def period_label(period: date, granularity: str) -> str:
    if granularity == Granularity.MONTH:
        return formats.date_format(period, "YEAR_MONTH_FORMAT")
    if granularity == Granularity.WEEK:
        return _("week %(number)s, %(year)s") % {
            "number": period.isocalendar().week, "year": period.isocalendar().year}
    return formats.date_format(period, "SHORT_DATE_FORMAT")


def axis_label(period: date, granularity: str) -> str:
    """Short enough for the space under a bar: "7 Nov", "wk 45", "Nov 2025"."""
    if granularity == Granularity.MONTH:
        return formats.date_format(period, "M Y")
    if granularity == Granularity.WEEK:
        return _("wk %(number)s") % {"number": period.isocalendar().week}
    return formats.date_format(period, "j M")


def report_context(report: UsageReport) -> dict[str, Any]:
    granularity = report.granularity
    labels = [period_label(period, granularity) for period, _ in report.per_period]
    axis = [axis_label(period, granularity) for period, _ in report.per_period]
    per_customer = len(labels)
    # report.rows hold each customer's periods one after the other, in subtotals' order.
    table = [
        (ref, list(zip(labels, (row.figures for row in
                                report.rows[n * per_customer:(n + 1) * per_customer]),
                       strict=True)), subtotal)
        for n, (ref, subtotal) in enumerate(report.subtotals)
    ]
    return {
        "report": report,
        "labels": labels,
        "table": table,
        "show_rows": len(report.rows) <= MAX_TABLE_ROWS,
        "several_periods": per_customer > 1,
        "charts": [
            bar_chart(chart_id="chart-meetings", title=_("Meetings held"),
                      description=_("Meetings held per period, all customers shown"),
                      points=[(short, label, figures.meetings) for short, label, (_, figures)
                              in zip(axis, labels, report.per_period, strict=True)]),
            bar_chart(chart_id="chart-minutes", title=_("Minutes in meetings"),
                      description=_("Minutes in meetings per period, all customers shown"),
                      points=[(short, label, figures.minutes) for short, label, (_, figures)
                              in zip(axis, labels, report.per_period, strict=True)]),
        ],
    }
