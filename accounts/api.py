"""Employee login and session: `/auth/*` (docs/api.md#employee-login-and-session)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from flexcare.api.schema import Success, WireBooleanField, errors
from flexcare.api.views import ApiView

from .access import AccessLevel
from .authentication import QueryUserTokenAuthentication, request_employee
from .lockout import LockedOut
from .models import User
from .services import user_login, user_token_issue, user_tokens_revoke
from .throttling import EmployeeLoginThrottle

TAG = "Employee"


def employee_wire(user: User) -> dict[str, Any]:
    return {"employee": user.pk, "customer": user.customer_id, "accessLevel": user.access_level}


class LoginIn(serializers.Serializer):
    # DRF refuses a blank value, and trims the username first: it needs a non-space.
    username = serializers.CharField(
        max_length=254, min_length=1, validators=[RegexValidator(r"\S")],
        help_text="The employee's e-mail address",
    )
    password = serializers.CharField(max_length=1024, min_length=1, trim_whitespace=False)
    persist = WireBooleanField(
        default=False, help_text="true: the token never expires (until logout)"
    )


class EmployeeOut(serializers.Serializer):
    employee = serializers.CharField(help_text="The employee's id")
    customer = serializers.CharField(allow_null=True, help_text="null for platform admins")
    accessLevel = serializers.ChoiceField(AccessLevel.choices)


class LoginOut(EmployeeOut):
    token = serializers.CharField(help_text="Shown once. Send it as `Authorization: Bearer`.")
    expiresInMinutes = serializers.IntegerField(
        help_text="Idle minutes until the token expires; -1 when `persist`"
    )


class ValidateOut(EmployeeOut):
    success = serializers.BooleanField()


_TOKEN_ERRORS = errors(
    (401, "invalid_token", "Token missing, unknown or revoked, employee disabled or customer "
     "blocked"),
    (401, "expired", "The token was not used for the idle limit; log in again"),
)
_TOKEN_QUERY = OpenApiParameter(
    "token", str, OpenApiParameter.QUERY, required=False,
    description="The user token, if not sent as `Authorization: Bearer`",
)


class LoginApi(ApiView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [EmployeeLoginThrottle]

    @extend_schema(
        tags=[TAG], summary="Employee login: a user token",
        description="A non-persistent token expires after `EMPLOYEE_TOKEN_IDLE_MINUTES` (15) "
        "idle minutes; its last use is recorded at most once a minute, so it may expire up to "
        "a minute earlier, never later. After `LOGIN_FAILURE_LIMIT` failed logins the account "
        "is locked for `LOGIN_LOCKOUT_MINUTES` (429 with `Retry-After`); logins per client "
        "address are throttled (`EMPLOYEE_LOGIN_RATE`).",
        request=LoginIn,
        examples=[OpenApiExample("Login", request_only=True, value={
            "username": "manager@aarhus.example", "password": "…", "persist": False})],
        responses={200: LoginOut, **errors(
            (401, "credentials_invalid", "Wrong e-mail or password, or the employee is "
             "disabled"),
            (403, "access_denied", "The employee's customer is blocked"),
            (422, "username", "Missing, empty or not text"),
            (422, "password", "Missing, empty or not text"),
            (422, "persist", "Not a boolean"),
            (429, "rate_limited", "Too many logins from this address, or the account is "
             "locked after repeated failures"),
        )},
    )
    def post(self, request: Request) -> Response:
        data = LoginIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            # The Django request: django-axes marks a lockout on it for its middleware.
            user = user_login(request=request._request, username=data.validated_data["username"],
                              password=data.validated_data["password"])
        except LockedOut as exc:
            raise Throttled(wait=exc.retry_after.total_seconds(), detail=exc.message) from exc
        persist = data.validated_data["persist"]
        token = user_token_issue(user=user, persistent=persist)
        minutes = -1 if persist else settings.EMPLOYEE_TOKEN_IDLE_MINUTES
        return Response({"token": token, "expiresInMinutes": minutes, **employee_wire(user)})


class ValidateTokenApi(ApiView):
    authentication_classes = [QueryUserTokenAuthentication]

    @extend_schema(
        tags=[TAG], summary="Check a user token (a use: it slides the expiry)",
        parameters=[_TOKEN_QUERY], responses={200: ValidateOut, **_TOKEN_ERRORS},
    )
    def get(self, request: Request) -> Response:
        return Response({"success": True, **employee_wire(request_employee(request))})


class LogoutApi(ApiView):
    authentication_classes = [QueryUserTokenAuthentication]

    @extend_schema(
        tags=[TAG], summary="Logout: every token of the employee stops working at once",
        parameters=[_TOKEN_QUERY],
        responses={200: Success, **_TOKEN_ERRORS},
    )
    def get(self, request: Request) -> Response:
        user_tokens_revoke(user=request_employee(request))
        return Response({"success": True})
