"""The Danish catalogue is complete, compiled and covers every string our code translates."""

from __future__ import annotations

import re

from tests.i18n.catalogue import (
    MO,
    PO,
    python_msgids,
    read_mo,
    read_po,
    template_msgids,
)

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def messages():
    header, *entries = read_po()
    assert header.msgid == ""
    return header, [entry for entry in entries if not entry.obsolete]


def test_the_catalogue_is_danish_and_nothing_in_it_is_fuzzy():
    header, entries = messages()
    assert "Language: da\n" in header.msgstr[0]
    assert "charset=UTF-8" in header.msgstr[0]
    assert "fuzzy" not in header.flags
    assert len(entries) > 150
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []


def test_every_message_is_translated():
    _, entries = messages()
    untranslated = [e.msgid for e in entries if not e.msgstr or not all(e.msgstr)]
    assert untranslated == []
    plural = [e for e in entries if e.msgid_plural]
    assert plural
    assert all(len(e.msgstr) == 2 for e in plural)  # Danish: nplurals=2


def test_translations_keep_their_placeholders():
    _, entries = messages()
    for entry in entries:
        wanted = set(PLACEHOLDER.findall(entry.msgid))
        for msgstr in entry.msgstr:
            assert set(PLACEHOLDER.findall(msgstr)) == wanted, entry.msgid


def test_the_compiled_catalogue_is_up_to_date_with_the_po_file():
    assert MO.stat().st_size > 0, f"run `manage.py compilemessages` ({PO} has no .mo)"
    _, entries = messages()
    expected: dict[object, str] = {}
    for entry in entries:
        if entry.msgid_plural:
            expected.update({(entry.msgid, n): text for n, text in enumerate(entry.msgstr)})
        else:
            expected[entry.msgid] = entry.msgstr[0]
    assert read_mo() == expected, "django.mo is stale: run `manage.py compilemessages -l da`"


def test_every_string_of_our_templates_is_in_the_catalogue():
    used = template_msgids()
    assert {"Start on tablets", "%(n)s failed attempt", "system"} <= used  # the reader works
    _, entries = messages()
    missing = used - {e.msgid for e in entries} - {e.msgid_plural for e in entries}
    assert missing == set(), "run `manage.py makemessages -l da` and translate"


def test_every_string_our_code_translates_is_in_the_catalogue():
    used = python_msgids()
    assert {"Meetings in progress", "Device is already in an active meeting"} <= used
    _, entries = messages()
    missing = used - {e.msgid for e in entries}
    assert missing == set(), "run `manage.py makemessages -l da` and translate"


def test_the_catalogue_has_no_messages_nothing_uses():
    _, entries = messages()
    unused = {e.msgid for e in entries} - template_msgids() - python_msgids()
    assert unused == set(), "run `manage.py makemessages -l da` to drop them"
