"""GET /flexcare/reports/usage (docs/api.md#usage-report): JSON by default, CSV with
`Accept: text/csv` or `format=csv`. Errors are JSON either way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import find_for_user, require_perm
from accounts.models import Customer
from conferences.api.employee import EmployeeApi
from flexcare.api.query import bad_request, query_date
from flexcare.api.schema import DATE, OBJECT_ID, errors, query

from .export import COLUMNS, report_wire, rows_csv
from .periods import MAX_DAYS, Granularity, check_range, today
from .schema import UsageOut
from .selectors import usage_report

VIEW = "conferences.view_conference"


class CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None,
               renderer_context: Mapping[str, Any] | None = None) -> bytes:
        return rows_csv(data["rows"]).encode()


class FormatNegotiation(DefaultContentNegotiation):
    def filter_renderers(self, renderers: Iterable[BaseRenderer],
                         format: str) -> list[BaseRenderer]:
        try:
            return super().filter_renderers(renderers, format)
        except Http404:
            raise bad_request("format", "format must be json or csv") from None


class UsageApi(EmployeeApi):
    renderer_classes = [JSONRenderer, CsvRenderer]
    content_negotiation_class = FormatNegotiation

    @extend_schema(
        tags=["Employee"], summary="Usage per customer and period, for billing",
        description=(
            "Per customer in the caller's scope and per day, week (from Monday) or month in "
            "Europe/Copenhagen: meetings held (reached STARTED), meetings never started "
            "(CLOSED without starting; an open meeting is neither yet), minutes from STARTED "
            "to CLOSED (each meeting rounded up to whole minutes; counted once it closes), "
            "distinct tablets in held meetings, distinct employees who created meetings, "
            "commands queued for the meetings' tablets and those that FAILED, and meetings "
            "whose provisioning FAILED. A meeting counts in the period of the day it was "
            "created; the first and last period count only the days in the range. Listed: "
            "every customer in scope with the FLEXCARE or IPTVBUSINESS feature or with "
            "meetings in the range, one row per period each (zeros included). `subtotals` "
            "has each customer over the whole range and `total` all of them; tablets and "
            "employees there are counted again, not summed. With `Accept: text/csv` or "
            "`format=csv`: the rows as CSV (UTF-8, comma-separated, header line "
            f"`{','.join(COLUMNS)}`). VIEWER or above."),
        parameters=[
            query("customer", OBJECT_ID,
                  "Only this customer (in the caller's scope); default all"),
            query("from", DATE, "First day; default the first of this month"),
            query("to", DATE, f"Last day, not before `from` and at most {MAX_DAYS} days after "
                  "it counting both; default today"),
            OpenApiParameter("granularity", str, OpenApiParameter.QUERY,
                             enum=Granularity.values, description="Default `month`"),
            OpenApiParameter("format", str, OpenApiParameter.QUERY, enum=["json", "csv"],
                             description="Instead of the Accept header; default `json`"),
        ],
        responses={
            (200, "application/json"): UsageOut,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The rows"),
            **errors(
                (400, "from", "Not a YYYY-MM-DD date"),
                (400, "to", f"Not a date, before `from`, or more than {MAX_DAYS} days"),
                (400, "granularity", "Not day, week or month"),
                (400, "format", "Not json or csv"),
                (401, "invalid_token", "Token missing, unknown, revoked or expired"),
                (404, "customer", "No such customer in the caller's scope"),
            ),
        },
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        this_day = today()
        first = query_date(params, "from", this_day.replace(day=1))
        last = query_date(params, "to", this_day)
        granularity = params.get("granularity", Granularity.MONTH)
        if granularity not in Granularity.values:
            raise bad_request("granularity", "granularity must be day, week or month")
        check_range(first, last)
        require_perm(request.user, VIEW)
        customer = None
        if "customer" in params:
            customer = find_for_user(Customer.objects, request.user, params["customer"],
                                     perm=VIEW, code="customer", message="Customer not found")
        report = usage_report(user=request.user, first=first, last=last,
                              granularity=granularity, customer=customer)
        headers = {}
        if request.accepted_renderer.format == CsvRenderer.format:
            headers["Content-Disposition"] = (
                f'attachment; filename="usage-{first.isoformat()}-{last.isoformat()}.csv"')
        return Response(report_wire(report), headers=headers)

    def finalize_response(self, request: Request, response: Response, *args: Any,
                          **kwargs: Any) -> Response:
        # Errors follow the contract's JSON shape whatever format was asked for, and so does
        # OPTIONS (its answer describes the endpoint: it has no rows to put in a CSV).
        if response.status_code >= 400 or request.method == "OPTIONS":
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
