"""The portal's Usage page (VIEWER and above) and its CSV download. Thin: the form reads the
period, reports.selectors counts, reports.chart draws, reports.export writes the CSV."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.response import TemplateResponse
from django.utils import formats
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.access import AccessLevel

from .api import VIEW
from .chart import bar_chart
from .export import report_wire, rows_csv
from .forms import UsageForm, presets
from .periods import Granularity, today
from .selectors import UsageReport, usage_report

# Past this many rows the page shows each customer's subtotal only; the CSV has every row.
MAX_TABLE_ROWS = 1000
# The list separator a spreadsheet expects in each language: Excel in a Danish locale splits
# on ";" (the comma is its decimal mark), in an English one on ",".
DELIMITERS = {"da": ";", "en": ","}


def _form(request: HttpRequest) -> UsageForm:
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    this_day = today()
    # What is not asked for: this year by month.
    data = QueryDict(mutable=True)
    data.update({"from": this_day.replace(month=1, day=1).isoformat(),
                 "to": this_day.isoformat(), "granularity": Granularity.MONTH,
                 **request.GET.dict()})
    return UsageForm(data, user=request.user)


def _report(request: HttpRequest, form: UsageForm) -> UsageReport:
    data = form.cleaned_data
    return usage_report(user=request.user, first=data["from"], last=data["to"],
                        granularity=data["granularity"], customer=data["customer"])


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


def _table(report: UsageReport, labels: list[str]) -> list[tuple[Any, list, Any]]:
    """(customer, [(period label, figures)...], subtotal) per customer: report.rows hold
    each customer's periods one after the other, in the order of report.subtotals."""
    per_customer = len(labels)
    return [
        (ref, [(label, row.figures) for label, row in zip(
            labels, report.rows[n * per_customer:(n + 1) * per_customer], strict=True)],
         subtotal)
        for n, (ref, subtotal) in enumerate(report.subtotals)
    ]


def usage_page(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    valid = form.is_valid()
    kept = {"granularity": form.cleaned_data.get("granularity") or Granularity.MONTH}
    if valid and form.cleaned_data["customer"]:
        kept["customer"] = form.cleaned_data["customer"].pk
    context: dict[str, Any] = {
        **admin.site.each_context(request), "title": _("Usage"), "form": form,
        # Only resellers and the platform admin see more than one customer.
        "pick_customer": request.user.at_least(AccessLevel.RESELLER),
        "presets": [(label, urlencode({"from": first, "to": last, **kept}))
                    for label, first, last in presets(today())],
    }
    if valid:
        report = _report(request, form)
        granularity = report.granularity
        labels = [period_label(period, granularity) for period, _ in report.per_period]
        axis = [axis_label(period, granularity) for period, _ in report.per_period]
        query = form.data.copy()
        for name in ("sep", "customer"):
            query.pop(name, None)
        if form.cleaned_data["customer"]:
            query["customer"] = form.cleaned_data["customer"].pk
        own = DELIMITERS.get(get_language(), ",")
        context.update({
            "report": report,
            "labels": labels,
            "table": _table(report, labels),
            "show_rows": len(report.rows) <= MAX_TABLE_ROWS,
            "several_periods": len(report.per_period) > 1,
            "query": query.urlencode(),
            "delimiter": own,
            "other_delimiter": next(d for d in (",", ";") if d != own),
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
        })
    return TemplateResponse(request, "reports/usage.html", context)


def usage_csv(request: HttpRequest) -> HttpResponse:
    """The rows as CSV for a spreadsheet: separated as the user's language expects (or as
    `sep` says), with a byte order mark so that Excel reads the UTF-8."""
    form = _form(request)
    if not form.is_valid():
        return usage_page(request)
    report = _report(request, form)
    delimiter = request.GET.get("sep")
    if delimiter not in DELIMITERS.values():
        delimiter = DELIMITERS.get(get_language(), ",")
    body = rows_csv(report_wire(report)["rows"], delimiter=delimiter, spreadsheet=True)
    name = f"usage-{report.first.isoformat()}-{report.last.isoformat()}.csv"
    return HttpResponse(body.encode(), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
