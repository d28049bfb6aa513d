"""How an employee proves who it is on the API: a user token from `/auth/login`, as
`Authorization: Bearer <token>` (docs/api.md#authentication)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.http import HttpRequest
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from flexcare.api.errors import ContractCode

from .models import User, UserToken
from .services import user_token_touch
from .tokens import TokenState, token_check


def request_employee(request: HttpRequest | Request) -> User:
    """The employee `request` was authenticated as, where only signed-in employees get
    through: the admin (its login) and the API behind UserTokenAuthentication. Django and DRF
    type `request.user` as possibly anonymous; this says, for the type checker, that it isn't."""
    return cast(User, request.user)


class InvalidToken(ContractCode, AuthenticationFailed):
    """Missing, unknown or revoked, or of a disabled employee or a blocked customer."""

    default_code = "invalid_token"
    default_detail = "Invalid or revoked token"


class ExpiredToken(ContractCode, AuthenticationFailed):
    default_code = "expired"
    default_detail = "The token expired; log in again"


class BearerTokenAuthentication(BaseAuthentication):
    """Reads a token from `Authorization: Bearer`, else, where a subclass allows it, from the
    query's or the body's `token`."""

    allow_query_token = False
    allow_body_token = False

    def token(self, request: Request) -> str | None:
        # A body that may carry the token is read whichever way the token comes, so that a
        # malformed one is the contract's 400 also beside a bearer header.
        body = request.data if self.allow_body_token else None
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        if self.allow_query_token and "token" in request.query_params:
            return request.query_params["token"]
        if isinstance(body, Mapping):
            token = body.get("token")
            return token if isinstance(token, str) else None
        return None


class UserTokenAuthentication(BearerTokenAuthentication):
    """`request.user` is the employee, `request.auth` its token row. Failures are 401s."""

    def authenticate(self, request: Request) -> tuple[User, Any]:
        state, row = token_check(model=UserToken, token=self.token(request))
        if state is TokenState.EXPIRED:
            raise ExpiredToken()
        if state is not TokenState.VALID or row is None:
            raise InvalidToken()
        user_token_touch(token=row)
        return row.user, row

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) and say how to authenticate.
        return 'Bearer realm="flexcare"'


class QueryUserTokenAuthentication(UserTokenAuthentication):
    """For the `/auth/*` GET calls, which may carry the token as `?token=`."""

    allow_query_token = True


class UserTokenScheme(OpenApiAuthenticationExtension):
    """Documents the user token for OpenAPI (registered on import)."""

    target_class = UserTokenAuthentication
    name = "userToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The token from `POST /auth/login`, as "
            "`Authorization: Bearer <token>`. Unless `persist`, it expires after "
            "15 idle minutes (`EMPLOYEE_TOKEN_IDLE_MINUTES`).",
        }


class QueryUserTokenScheme(OpenApiAuthenticationExtension):
    """Either the bearer header (`userToken`, defined above) or `?token=`."""

    target_class = QueryUserTokenAuthentication
    name = "userTokenQuery"

    def get_security_requirement(self, auto_schema: Any) -> list[dict[str, list[Any]]]:
        return [{"userToken": []}, {"userTokenQuery": []}]

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "query", "name": "token",
                "description": "The user token, in the query string (`/auth/*` GET calls only)."}
