"""The Danish catalogue as files: a small .po reader (no gettext tools or polib needed), the
compiled .mo through Python's `gettext`, and the msgids our templates and code use."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale" / "da" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"
APPS = ("accounts", "conferences", "devices", "flexcare", "reports")
TEMPLATES = ROOT / "templates"
GETTEXT_FUNCTIONS = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy",
                     "ngettext", "ngettext_lazy"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def _unquote(text: str) -> str:
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"not a quoted .po string: {text!r}")
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes[m.group(1)], text[1:-1])


def read_po(path: Path = PO) -> list[Entry]:
    """Every entry of a .po file, the header (msgid "") first."""
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        entry, current = Entry(), None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry.obsolete = True
            elif line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                value = _unquote(line)
                if current == "msgid":
                    entry.msgid += value
                elif current == "msgid_plural":
                    entry.msgid_plural = (entry.msgid_plural or "") + value
                else:
                    entry.msgstr[-1] += value
            else:
                keyword, _, value = line.partition(" ")
                if keyword == "msgid":
                    entry.msgid, current = _unquote(value), "msgid"
                elif keyword == "msgid_plural":
                    entry.msgid_plural, current = _unquote(value), "msgid_plural"
                elif keyword.startswith("msgstr"):
                    entry.msgstr.append(_unquote(value))
                    current = "msgstr"
                else:
                    raise ValueError(f"unexpected line in {path.name}: {line!r}")
        entries.append(entry)
    return entries


def read_mo(path: Path = MO) -> dict[object, str]:
    """The compiled catalogue: msgid → msgstr, (msgid, n) → plural form n."""
    with path.open("rb") as handle:
        catalog = dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]  # gettext private, not in typeshed
    catalog.pop("", None)  # the header
    return catalog


def template_msgids() -> set[str]:
    """msgids of {% translate %}, {% blocktranslate %} and _("…") in our templates (pages,
    and the e-mails' text)."""
    found: set[str] = set()
    for template in [*TEMPLATES.rglob("*.html"), *TEMPLATES.rglob("*.txt")]:
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"""{%\s*(?:translate|trans)\s+(["'])(.*?)\1""", text):
            found.add(match.group(2))
        for match in re.finditer(r"""_\((["'])(.*?)\1\)""", text):
            found.add(match.group(2))
        blocks = re.finditer(
            r"{%\s*blocktrans(?:late)?\b[^%]*%}(.*?)(?:{%\s*plural\s*%}(.*?))?"
            r"{%\s*endblocktrans(?:late)?\s*%}", text, re.DOTALL)
        for match in blocks:
            for part in match.groups():
                if part is not None:
                    found.add(re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", part))
    return found


def python_msgids() -> set[str]:
    """The literal first argument of every gettext call (`_`, `gettext_lazy`, …) in our
    apps' code (migrations aside)."""
    found: set[str] = set()
    for app in APPS:
        for source in (ROOT / app).rglob("*.py"):
            if "migrations" in source.parts:
                continue
            for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if name not in GETTEXT_FUNCTIONS:
                    continue
                first = node.args[1] if name.startswith("pgettext") else node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.add(first.value)
    return found
