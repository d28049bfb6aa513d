"""The one exception services raise for a refused operation.

It carries the wire contract's error `code` and HTTP `status` (API.md), so the API answers it
as is and the admin shows its message: one rule, one message, whichever interface called.
"""

from __future__ import annotations


class ServiceError(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def __repr__(self) -> str:
        return f"ServiceError({self.code!r}, {self.message!r}, status={self.status})"


class NotFound(ServiceError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message, status=404)


class Conflict(ServiceError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message, status=409)


class Invalid(ServiceError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message, status=422)


class AccessDenied(ServiceError):
    def __init__(self, message: str = "Access denied") -> None:
        super().__init__("access_denied", message, status=403)
