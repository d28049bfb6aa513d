"""The MedCom VDX booking API provider (docs/lifecycle.md#booking-rooms-at-vdx).

Written to VDX's v2 conventions (OAuth2 bearer tokens, ISO 8601 times, errors with
`detailed_error_code`); paths are relative to VDX_API_URL, e.g. `…/videoapi/v2`. Every call has
a timeout and retries transient failures with exponential back-off and full jitter. PINs,
links, tokens and credentials are never logged and never put into exception messages.
"""

from __future__ import annotations

import logging
import re
import ssl
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from flexcare.backoff import backoff_delay

from .base import Booking, BookingState, BookingStatus, ProviderError
from .links import LinkTemplates
from .vdx_auth import ClientCredentials, tls_context

log = logging.getLogger(__name__)

SUBJECT_MAX = 100  # VDX rejects longer subjects
PENDING = {"AWAITS_PROVISION", "STARTING_TO_PROVISION"}
# v2 error bodies carry `detailed_error_code` (21 duplicate externalId, 24 short-id clash: "try
# again"); v1 bodies carry `errorCode` with the older numbers for the same errors (12, 20).
DUPLICATE_EXTERNAL_ID = {("detailed_error_code", 21), ("errorCode", 12)}
TRY_AGAIN = {("detailed_error_code", 24), ("errorCode", 20)}


class VdxError(ProviderError):
    """A failed VDX call. `status_code` is None for network errors and timeouts."""

    def __init__(self, message: str, *, retryable: bool, status_code: int | None = None,
                 duplicate_external_id: bool = False) -> None:
        super().__init__(message, retryable=retryable)
        self.status_code = status_code
        self.duplicate_external_id = duplicate_external_id


class VdxProvider:
    name = "vdx"

    def __init__(self, *, api_url: str, links: LinkTemplates, timeout: float = 10.0,
                 retries: int = 3, backoff: float = 0.5, oauth: ClientCredentials | None = None,
                 tls: ssl.SSLContext | None = None) -> None:
        self._api_url = api_url.rstrip("/")
        self._links = links
        self._timeout = timeout
        self._retries = max(0, retries)
        self._backoff = backoff
        self._oauth = oauth
        self._tls = tls

    @classmethod
    def from_settings(cls) -> VdxProvider:
        s = settings
        if not s.VDX_API_URL:
            raise ImproperlyConfigured("VDX_PROVIDER=vdx needs VDX_API_URL (the booking API).")
        oauth = None
        if s.VDX_TOKEN_URL:
            if not (s.VDX_CLIENT_ID and s.VDX_CLIENT_SECRET):
                raise ImproperlyConfigured(
                    "VDX_TOKEN_URL is set: VDX_CLIENT_ID and VDX_CLIENT_SECRET are required.")
            oauth = ClientCredentials(token_url=s.VDX_TOKEN_URL, client_id=s.VDX_CLIENT_ID,
                                      client_secret=s.VDX_CLIENT_SECRET)
        if oauth is None and not s.VDX_CLIENT_CERT:
            raise ImproperlyConfigured(
                "VDX needs credentials: VDX_TOKEN_URL with VDX_CLIENT_ID/VDX_CLIENT_SECRET, "
                "and/or VDX_CLIENT_CERT (+ VDX_CLIENT_KEY) for mutual TLS.")
        try:
            tls = tls_context(client_cert=s.VDX_CLIENT_CERT, client_key=s.VDX_CLIENT_KEY,
                              ca_bundle=s.VDX_CA_BUNDLE)
        except (OSError, ssl.SSLError) as exc:
            # Paths are configuration, not secrets; the key's content never reaches here.
            raise ImproperlyConfigured(
                f"Cannot load the VDX TLS files (VDX_CLIENT_CERT, VDX_CLIENT_KEY, "
                f"VDX_CA_BUNDLE): {type(exc).__name__}: {exc.strerror or exc}") from None
        return cls(api_url=s.VDX_API_URL, links=LinkTemplates.from_settings(),
                   timeout=s.VDX_TIMEOUT_SECONDS,
                   retries=s.VDX_RETRIES, backoff=s.VDX_BACKOFF_SECONDS, oauth=oauth, tls=tls)

    # --- The Provider interface ---------------------------------------------------------------

    def book(self, *, external_id: str, subject: str, start: datetime, end: datetime) -> str:
        body = {
            "subject": subject[:SUBJECT_MAX], "startTime": _vdx_time(start),
            "endTime": _vdx_time(end), "externalId": external_id, "endMeetingOnEndTime": True,
            # VDX's search cannot find a meeting by externalId, but it can by exact label:
            # the label is how a retry finds the meeting an earlier, lost answer had booked.
            "labels": [external_id],
        }
        with self._client() as client:
            try:
                meeting = _object(self._call(client, "POST", "/meetings", json=body))
                return str(meeting["uuid"])
            except VdxError as exc:
                if not exc.duplicate_external_id:
                    raise
            found = self._find_by_external_id(client, external_id)
        if found is None:
            # VDX says the id is taken but its search does not show the meeting (yet).
            raise VdxError("VDX reports the externalId as booked but cannot find the meeting",
                           retryable=True, status_code=400)
        log.info("VDX booking recovered by externalId: %s", found)
        return found

    def status(self, booking_id: str) -> BookingStatus:
        with self._client() as client:
            info = _object(self._call(client, "GET", _info_path(booking_id)))
        state = info.get("provisionStatus")
        if state == "PROVISIONED_OK":
            return BookingStatus(BookingState.OK, booking=self._booking(booking_id, info))
        if state in PENDING:
            # The room's address, PINs and portal link are assigned when it is booked.
            known = info.get("uriWithDomain")
            return BookingStatus(BookingState.PENDING,
                                 booking=self._booking(booking_id, info) if known else None)
        if state == "PROVISION_PROBLEMS":
            error = _scrub(str(info.get("provisionStatusDescription") or ""), info)
            return BookingStatus(BookingState.FAILED,
                                 error=error or "VDX could not provision the room")
        return BookingStatus(BookingState.FAILED, error=f"VDX room is {state or 'unknown'}")

    def reschedule(self, booking_id: str, *, start: datetime, end: datetime) -> None:
        # VDX changes only the end time of a provisioned room (and nothing while it is being
        # provisioned): only a room still awaiting provisioning can be moved.
        with self._client() as client:
            info = _object(self._call(client, "GET", _info_path(booking_id)))
            state = info.get("provisionStatus")
            if state == "STARTING_TO_PROVISION":
                raise VdxError("VDX room is being provisioned; move it again shortly",
                               retryable=True)
            if state != "AWAITS_PROVISION":
                raise VdxError(f"VDX cannot move a room that is {state or 'unknown'}",
                               retryable=False)
            self._call(client, "PATCH", f"/meetings/{quote(booking_id, safe='')}",
                       json={"startTime": _vdx_time(start), "endTime": _vdx_time(end)})

    def end(self, booking_id: str) -> None:
        path = f"/meetings/{quote(booking_id, safe='')}"
        with self._client() as client:
            # Twice at most: the provisioner may move the meeting on between read and write.
            for _ in range(2):
                try:
                    info = _object(self._call(client, "GET", _info_path(booking_id)))
                    state = info.get("provisionStatus")
                    if state == "AWAITS_PROVISION":
                        self._call(client, "DELETE", path)  # only allowed in this state
                    elif state == "PROVISIONED_OK":
                        self._call(client, "PATCH", path, json={"endTime": _vdx_time(_now())})
                    elif state == "STARTING_TO_PROVISION":
                        break  # neither DELETE nor PATCH is allowed now
                    return  # done, or nothing left to end (failed, deprovisioning, deprovisioned)
                except VdxError as exc:
                    if exc.status_code == httpx.codes.NOT_FOUND:
                        return  # already gone
                    if exc.status_code != httpx.codes.NOT_ACCEPTABLE:
                        raise
        raise VdxError("VDX room is being provisioned; end it again shortly", retryable=True)

    # --- HTTP -----------------------------------------------------------------------------------

    def _client(self) -> httpx.Client:
        # A client per operation: nothing stays open in a worker between tasks.
        return httpx.Client(base_url=self._api_url, timeout=self._timeout,
                            verify=self._tls if self._tls is not None else True,
                            headers={"Accept": "application/json"})

    def _call(self, client: httpx.Client, method: str, path: str, *,
              json: dict[str, Any] | None = None,
              params: dict[str, str] | None = None) -> httpx.Response:
        """One API call with retries. Raises VdxError; logs method, path, status and attempt."""
        attempts, attempt, refreshed = self._retries + 1, 0, False
        while True:
            attempt += 1
            token = None
            try:
                headers: dict[str, str] = {}
                if self._oauth is not None:
                    token = self._oauth.token(client)
                    headers["Authorization"] = f"Bearer {token}"
                response = client.request(method, path, json=json, params=params,
                                          headers=headers)
                if (response.status_code == httpx.codes.UNAUTHORIZED and self._oauth and token
                        and not refreshed):
                    # Revoked or expired early: fetch a new token once; not a failed attempt.
                    log.info("VDX %s %s: token refused, fetching a new one", method, path)
                    self._oauth.discard(token)
                    refreshed, attempt = True, attempt - 1
                    continue
                error = _error(response, method, path)
            except httpx.TransportError as exc:  # timeouts, refused connections, TLS failures
                # httpx's texts here are OS and TLS errors, e.g. why a certificate failed.
                reason = f"{type(exc).__name__}: {exc}"[:200]
                error = VdxError(f"VDX {method} {path}: {reason}", retryable=True)
            except VdxError as exc:
                error = exc
            except ProviderError as exc:  # the token endpoint
                error = VdxError(str(exc), retryable=exc.retryable)
            if error is None:
                log.debug("VDX %s %s: HTTP %s (attempt %d)", method, path,
                          response.status_code, attempt)
                return response
            log.warning("%s (attempt %d of %d)", error, attempt, attempts)
            if not error.retryable or error.duplicate_external_id:
                raise error
            if attempt >= attempts:
                raise VdxError(f"{error} (gave up after {attempt} attempts)", retryable=True,
                               status_code=error.status_code)
            time.sleep(backoff_delay(attempt, base=self._backoff))

    def _find_by_external_id(self, client: httpx.Client, external_id: str) -> str | None:
        response = self._call(client, "GET", "/meetings", params={"label": external_id})
        for meeting in _meeting_list(_json(response)):
            # The label is ours, but anyone in the organisation can label: check the id too.
            if meeting.get("externalId") == external_id and meeting.get("uuid"):
                return str(meeting["uuid"])
        return None

    def _booking(self, booking_id: str, info: dict[str, Any]) -> Booking:
        uri = str(info.get("uriWithDomain") or "")
        values = {
            "uri": uri,
            "uri_without_domain": str(info.get("uriWithoutDomain") or uri.partition("@")[0]),
            "uri_domain": uri.partition("@")[2],
            "pin": _pin(info.get("guestPin")),
            "host_pin": _pin(info.get("hostPin")),
            "portal_link": str(info.get("portalLink") or ""),
            "short_link": str(info.get("shortLink") or info.get("shortlink") or ""),
        }
        return self._links.booking(booking_id, values)


def _error(response: httpx.Response, method: str, path: str) -> VdxError | None:
    status = response.status_code
    if status < 400:
        return None
    code = None
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("detailed_error_code", "errorCode"):
            if str(body.get(key, "")).isdigit():
                code = (key, int(body[key]))
                break
    # The error text is left out: some of VDX's texts echo request values.
    message = f"VDX {method} {path}: HTTP {status}" + (f" error {code[1]}" if code else "")
    retryable = status >= 500 or status == httpx.codes.TOO_MANY_REQUESTS or code in TRY_AGAIN
    return VdxError(message, retryable=retryable, status_code=status,
                    duplicate_external_id=status == 400 and code in DUPLICATE_EXTERNAL_ID)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise VdxError(f"VDX answered HTTP {response.status_code} without JSON",
                       retryable=True, status_code=response.status_code) from None


def _object(response: httpx.Response) -> dict[str, Any]:
    body = _json(response)
    if not isinstance(body, dict) or not body.get("uuid"):
        raise VdxError(f"VDX answered HTTP {response.status_code} without a meeting",
                       retryable=True, status_code=response.status_code)
    return body


def _meeting_list(body: Any) -> list[dict[str, Any]]:
    """Search results: a JSON list, or HAL's `{"_embedded": {"<relation>": [...]}}`."""
    if isinstance(body, dict):
        body = [m for items in (body.get("_embedded") or {}).values()
                if isinstance(items, list) for m in items]
    return [m for m in body if isinstance(m, dict)] if isinstance(body, list) else []


def _info_path(booking_id: str) -> str:
    return f"/scheduling-info/{quote(booking_id, safe='')}"


def _vdx_time(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("VDX times must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _now() -> datetime:
    return datetime.now(UTC)


def _pin(value: object) -> str:
    return "" if value is None else str(value)


def _scrub(text: str, info: dict[str, Any]) -> str:
    """VDX's free-text description, without anything that could be a PIN."""
    for pin in (_pin(info.get("guestPin")), _pin(info.get("hostPin"))):
        if pin:
            text = text.replace(pin, "****")
    return re.sub(r"\bpin=[^&\s]*", "pin=****", text, flags=re.IGNORECASE)[:200]
