"""The POST forms of an admin page, parsed from its HTML, for the sweep to submit."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin


class _FormParser(HTMLParser):
    """The POST forms of a page: (action, fields, named submit buttons)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]], list[tuple[str, str]]]] = []
        self._form: tuple[str, list, list] | None = None
        self._select: list[Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = (a.get("action", ""), [], [])
            if a.get("method", "get").lower() == "post":
                self.forms.append(self._form)
        if self._form is None or (not a.get("name") and tag != "option"):
            return
        kind = a.get("type", "submit" if tag == "button" else "text").lower()
        if tag in ("button", "input") and kind in ("submit", "image"):
            self._form[2].append((a["name"], a.get("value", "")))
        elif tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in a:
                self._form[1].append((a["name"], a.get("value", "on")))
        elif tag in ("input", "textarea") and kind != "button" and "disabled" not in a:
            self._form[1].append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = [a["name"], None]
        elif tag == "option" and self._select is not None and (
                self._select[1] is None or "selected" in a):
            self._select[1] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None and self._form is not None:
            self._form[1].append((self._select[0], self._select[1] or ""))
            self._select = None
        elif tag == "form":
            self._form = None


def post_forms(page_url: str, html: str) -> list[tuple[str, dict[str, list[str]]]]:
    """(url, data) for every way to submit every POST form of a page (one per named button)."""
    parser = _FormParser()
    parser.feed(html)
    found = []
    for action, fields, submits in parser.forms:
        ways: list[tuple[str, str] | None] = [*submits] or [None]  # no named button: one way
        for submit in ways:
            data: dict[str, list[str]] = {}
            for name, value in [*fields, *([submit] if submit else [])]:
                if name != "csrfmiddlewaretoken":
                    data.setdefault(name, []).append(value)
            found.append((urljoin(page_url, action), data))
    return found


