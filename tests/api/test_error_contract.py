"""The error contract on every API path: JSON envelopes, never HTML or a stack trace."""

from __future__ import annotations

import pytest
from django.urls import path

from flexcare.api.views import ApiView
from tests.api.conftest import error_of

GETMEETING = "/iptv/flexcareconference/meeting/device"


class Boom(ApiView):
    authentication_classes: list = []
    permission_classes: list = []

    def get(self, request):
        raise RuntimeError("secret internals: password=hunter2")


def test_a_body_over_64_kib_is_413(api, db):
    big = '{"token": "' + "x" * (1024 * 1024) + '"}'
    assert error_of(api.post(GETMEETING, big)) == (413, "too_large")


def test_a_body_just_under_the_limit_is_read(api, db):
    body = '{"token": "' + "x" * (60 * 1024) + '"}'
    assert error_of(api.post(GETMEETING, body)) == (403, "token")


@pytest.mark.parametrize("path", ["/iptv/nope", "/auth/nothing", "/flexcare/x",
                                  GETMEETING + "/"])
def test_unknown_api_paths_are_json_404s(api, db, path):
    response = api.post(path, {})
    assert error_of(response) == (404, "not_found")
    assert response["Content-Type"] == "application/json"


def test_no_trailing_slash_redirects(api, db):
    response = api.get("/iptv/app/validate/")
    assert response.status_code == 404


def test_an_unsupported_media_type_is_415(client, db):
    response = client.post(GETMEETING, "token=x", content_type="text/plain")
    assert error_of(response) == (415, "unsupported_media_type")


def test_a_crash_is_a_500_with_a_request_id_and_nothing_leaked(client, settings, caplog, db):
    from django.urls import clear_url_caches

    import flexcare.urls

    settings.ROOT_URLCONF = type("Urls", (), {
        "urlpatterns": [path("iptv/boom", Boom.as_view()), *flexcare.urls.urlpatterns]
    })
    clear_url_caches()
    response = client.get("/iptv/boom", HTTP_X_REQUEST_ID="trace-0123456789")
    assert error_of(response) == (500, "internal_error")
    assert "hunter2" not in response.content.decode()
    assert "trace-0123456789" in response.json()["error"]["message"]
    assert response["X-Request-ID"] == "trace-0123456789"
    assert any("trace-0123456789" in record.getMessage() for record in caplog.records)


def test_every_response_carries_a_request_id(api, db):
    response = api.post(GETMEETING, {})
    assert len(response["X-Request-ID"]) == 32


def test_an_unsafe_request_id_is_replaced(api, db):
    response = api.post(GETMEETING, {}, HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline"


def test_the_admin_keeps_its_html_pages(client, db):
    response = client.get("/admin/nope/")
    assert "json" not in response["Content-Type"]
