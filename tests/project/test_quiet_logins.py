"""A login is routine: django-axes' INFO lines (one per login, failed or not) go to DEBUG on
the console, so `make run` and production logs show them only when LOG_LEVEL is DEBUG; its
warnings (a lockout) keep their level."""

from __future__ import annotations

import io
import logging

import pytest

from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def console():
    """What the console handler of settings.LOGGING writes, at LOG_LEVEL's default (INFO; the
    tests run at WARNING)."""
    root = logging.getLogger()
    handler = next(h for h in root.handlers if type(h) is logging.StreamHandler)
    stream, kept, level = io.StringIO(), handler.stream, root.level
    handler.setStream(stream)
    root.setLevel(logging.INFO)
    yield stream
    root.setLevel(level)
    handler.setStream(kept)


@pytest.mark.django_db
def test_logins_leave_no_info_line_and_a_lockout_still_warns(client, console):
    user = UserFactory.create()
    client.post("/admin/login/", {"username": user.email, "password": "wrong"})
    client.post("/admin/login/", {"username": user.email, "password": PASSWORD})
    written = console.getvalue()
    assert " INFO axes" not in written, written
    logging.getLogger("axes.handlers").warning("AXES: Locked out %s", "someone")
    assert " WARNING axes.handlers AXES: Locked out someone" in console.getvalue()


def test_at_debug_the_lines_show_as_debug(console):
    logging.getLogger().setLevel(logging.DEBUG)  # LOG_LEVEL=DEBUG (the fixture restores it)
    logging.getLogger("axes.handlers").info("AXES: Successful login by %s", "someone")
    assert " DEBUG axes.handlers AXES: Successful login by someone" in console.getvalue()
