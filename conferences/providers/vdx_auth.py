"""Authentication for the VDX client: OAuth2 client-credentials tokens cached per process, and
the TLS context that carries the optional client certificate (mutual TLS)."""

from __future__ import annotations

import ssl
import threading
import time
from dataclasses import dataclass

import httpx

from .base import ProviderError

# Refresh this long before the token runs out (capped at a tenth of its lifetime), so a call
# never starts with a token that expires on its way to VDX.
REFRESH_MARGIN_SECONDS = 30.0
DEFAULT_EXPIRES_IN = 60.0  # when the token endpoint does not say


class TokenError(ProviderError):
    """The token endpoint refused or failed. Never carries the secret or the token."""


@dataclass(frozen=True)
class _Token:
    value: str
    refresh_at: float  # time.time() after which a new token is fetched


class TokenCache:
    """Process-wide: get_provider() builds a new provider for every task, and they should all
    share one token rather than ask the token endpoint each time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, str], _Token] = {}

    def get(self, key: tuple[str, str]) -> str | None:
        with self._lock:
            token = self._tokens.get(key)
        if token is None or time.time() >= token.refresh_at:
            return None
        return token.value

    def put(self, key: tuple[str, str], value: str, expires_in: float) -> None:
        margin = min(REFRESH_MARGIN_SECONDS, expires_in / 10)
        with self._lock:
            self._tokens[key] = _Token(value, time.time() + expires_in - margin)

    def discard(self, key: tuple[str, str], value: str) -> None:
        with self._lock:
            # Only the token that was refused: another thread may already hold a fresh one.
            if (token := self._tokens.get(key)) is not None and token.value == value:
                del self._tokens[key]

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


TOKENS = TokenCache()


class ClientCredentials:
    """OAuth2 client-credentials grant (RFC 6749 §4.4), client authenticated by HTTP Basic."""

    def __init__(self, *, token_url: str, client_id: str, client_secret: str,
                 cache: TokenCache = TOKENS) -> None:
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._cache = cache
        self._key = (token_url, client_id)

    def __repr__(self) -> str:
        return f"ClientCredentials(token_url={self._token_url!r}, client_id={self._client_id!r})"

    def token(self, client: httpx.Client) -> str:
        """A valid access token, from the cache or fetched now (over the same TLS client)."""
        if (cached := self._cache.get(self._key)) is not None:
            return cached
        response = client.post(
            self._token_url, data={"grant_type": "client_credentials"},
            auth=(self._client_id, self._client_secret),
        )
        if response.status_code != httpx.codes.OK:
            # The body may echo the request: report the status only.
            raise TokenError(
                f"VDX token endpoint answered HTTP {response.status_code}",
                retryable=response.status_code >= 500 or response.status_code == 429,
            )
        try:
            body = response.json()
            value = str(body["access_token"])
            expires_in = float(body.get("expires_in") or DEFAULT_EXPIRES_IN)
        except (ValueError, KeyError, TypeError):
            raise TokenError("VDX token endpoint answered without an access token",
                             retryable=True) from None
        self._cache.put(self._key, value, expires_in)
        return value

    def discard(self, token: str) -> None:
        """Forget a token VDX refused (revoked or expired early), so the next call fetches."""
        self._cache.discard(self._key, token)


def tls_context(*, client_cert: str, client_key: str, ca_bundle: str) -> ssl.SSLContext:
    """Certificate verification as httpx does it (certifi, or SSL_CERT_FILE), or against
    `ca_bundle`; plus the client certificate when one is configured."""
    context = (ssl.create_default_context(cafile=ca_bundle) if ca_bundle
               else httpx.create_ssl_context())
    if client_cert:
        context.load_cert_chain(client_cert, client_key or None)
    return context
