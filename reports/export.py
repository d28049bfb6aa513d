"""The report on the wire: JSON objects and CSV, the same rows either way."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from .figures import WIRE_NAMES, Figures
from .selectors import CustomerRef, UsageReport

COLUMNS = ("period", "customer", "customerName", *WIRE_NAMES.values())
# A spreadsheet runs a cell that starts with one of these as a formula: the portal's download,
# made for spreadsheets, quotes such a customer name with an apostrophe (OWASP's advice).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _customer(ref: CustomerRef, figures: Figures) -> dict[str, Any]:
    return {"customer": ref.id, "customerName": ref.name, **figures.wire()}


def report_wire(report: UsageReport) -> dict[str, Any]:
    dates = {period: period.isoformat() for period, _ in report.per_period}
    return {
        "from": report.first.isoformat(),
        "to": report.last.isoformat(),
        "granularity": report.granularity,
        # Built in one go per row: a year by day over a hundred customers is 36,600 of them.
        "rows": [dict(zip(COLUMNS, (dates[row.period], row.customer.id, row.customer.name,
                                    *row.figures.values()), strict=True))
                 for row in report.rows],
        "subtotals": [_customer(ref, figures) for ref, figures in report.subtotals],
        "total": report.total.wire(),
    }


def rows_csv(rows: Iterable[dict[str, Any]], *, delimiter: str = ",",
             spreadsheet: bool = False) -> str:
    """One line per row under a header line of the wire names. `spreadsheet`: for opening
    in Excel or LibreOffice — a byte order mark first (Excel reads UTF-8 only with one) and
    formula-like names defused."""
    out = io.StringIO()
    if spreadsheet:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        line = [row[column] for column in COLUMNS]
        if spreadsheet and str(line[2]).startswith(_FORMULA_START):
            line[2] = f"'{line[2]}"
        writer.writerow(line)
    return out.getvalue()
