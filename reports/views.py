"""The portal's Usage page (VIEWER and above) and its CSV download. Thin: the form reads the
period, reports.selectors counts, reports.page lays it out, reports.export writes the CSV."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.response import TemplateResponse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.access import AccessLevel
from accounts.authentication import request_employee

from .api import VIEW
from .export import report_wire, rows_csv
from .forms import UsageForm, presets
from .page import report_context
from .periods import Granularity, today
from .selectors import UsageReport, usage_report

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


def usage_page(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    valid = form.is_valid()
    kept = {"granularity": form.cleaned_data.get("granularity") or Granularity.MONTH}
    if valid and form.cleaned_data["customer"]:
        kept["customer"] = form.cleaned_data["customer"].pk
    context: dict[str, Any] = {
        **admin.site.each_context(request), "title": _("Usage"), "form": form,
        # Only resellers and the platform admin see more than one customer.
        "pick_customer": request_employee(request).at_least(AccessLevel.RESELLER),
        "presets": [(label, urlencode({"from": first.isoformat(), "to": last.isoformat(), **kept}))
                    for label, first, last in presets(today())],
    }
    if valid:
        query = cast(QueryDict, form.data).copy()  # as _form made it
        for name in ("sep", "customer"):
            query.pop(name, None)
        if form.cleaned_data["customer"]:
            query["customer"] = form.cleaned_data["customer"].pk
        own = DELIMITERS.get(get_language(), ",")
        context.update({
            **report_context(_report(request, form)),
            "query": query.urlencode(),
            "other_delimiter": next(d for d in DELIMITERS.values() if d != own),
        })
    return TemplateResponse(request, "reports/usage.html", context)


def usage_csv(request: HttpRequest) -> HttpResponse:
    """The rows as CSV for a spreadsheet: separated as the user's language expects (or as
    `sep` says), with a byte order mark so that Excel reads the UTF-8."""
    form = _form(request)
    if not form.is_valid():
        return usage_page(request)
    report = _report(request, form)
    delimiter = request.GET.get("sep", "")
    if delimiter not in DELIMITERS.values():
        delimiter = DELIMITERS.get(get_language(), ",")
    body = rows_csv(report_wire(report)["rows"], delimiter=delimiter, spreadsheet=True)
    name = f"usage-{report.first.isoformat()}-{report.last.isoformat()}.csv"
    return HttpResponse(body.encode(), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
