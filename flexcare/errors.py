"""The one exception services raise for a refused operation.

It carries the wire contract's error `code` and HTTP `status` (docs/api.md#errors), so the API
answers it as is and the admin shows its message: one rule, one message, whichever interface
called.

Messages are lazy translations (`gettext_lazy`, or `lazy_format` when they carry values): the
admin shows them in the employee's language, the API renders them in English (flexcare.api).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _format(message: str | Promise, values: dict[str, Any]) -> str:
    return str(message) % values


_lazy_format = lazy(_format, str)


def lazy_format(message: str | Promise, **values: Any) -> str:
    """`message % values`, translated and formatted only when shown, in the language active
    then (`%` on a lazy string would translate it at once, in the language of the moment)."""
    return _lazy_format(message, values)


class ServiceError(Exception):
    def __init__(self, code: str, message: StrOrPromise, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def __repr__(self) -> str:
        return f"ServiceError({self.code!r}, {str(self.message)!r}, status={self.status})"


class NotFound(ServiceError):
    def __init__(self, code: str, message: StrOrPromise) -> None:
        super().__init__(code, message, status=404)


class Conflict(ServiceError):
    def __init__(self, code: str, message: StrOrPromise) -> None:
        super().__init__(code, message, status=409)


class Invalid(ServiceError):
    def __init__(self, code: str, message: StrOrPromise) -> None:
        super().__init__(code, message, status=422)


class AccessDenied(ServiceError):
    def __init__(self, message: StrOrPromise | None = None) -> None:
        super().__init__("access_denied", _("Access denied") if message is None else message,
                         status=403)
