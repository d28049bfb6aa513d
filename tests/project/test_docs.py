"""The repository stands on its own: the code's pointers into docs/ lead to existing sections,
the documentation's own links resolve, nothing cites a document outside the repository, and
the README's glossary is the one in docs/glossary.md."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SKIPPED_DIRS = {".git", ".venv", "var", "test-artifacts", "node_modules", "__pycache__",
                ".pytest_cache", ".ruff_cache"}
TEXT_SUFFIXES = {".py", ".md", ".html", ".txt", ".example", ".toml", ".sh", ".cfg", ".ini",
                 ".js", ".po", ".yml", ".yaml"}

# `docs/api.md`, `docs/domain.md#claim-window` wherever they are written.
DOCS_POINTER = re.compile(r"\bdocs/([\w-]+\.md)(?:#([\w-]+))?")
# Markdown links: [text](target), relative targets only.
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
# The product and contract documents the code once cited, kept outside the repository
# (spelled in pieces so that this file does not match itself).
OUTSIDE = re.compile("|".join([r"\bPRODUCT" + r"\.md", r"\bAPI" + r"\.md",
                               r"shared/" + "spec", r"shared/" + "reference"]))


def _text_files() -> list[Path]:
    found = []
    for path in ROOT.rglob("*"):
        if any(part in SKIPPED_DIRS for part in path.relative_to(ROOT).parts):
            continue
        if path.is_file() and (path.suffix in TEXT_SUFFIXES or path.name == "Makefile"):
            found.append(path)
    return found


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@cache
def anchors(path: Path) -> frozenset[str]:
    """The anchors of a Markdown file's headings (outside code blocks), with GitHub's `-1`,
    `-2` suffixes for repeated ones."""
    seen: Counter[str] = Counter()
    found = set()
    fenced = False
    for line in path.read_text().splitlines():
        if line.startswith("```"):
            fenced = not fenced
        match = None if fenced else re.match(r"#{1,6} (.+)", line)
        if match:
            base = slug(match.group(1))
            found.add(f"{base}-{seen[base]}" if seen[base] else base)
            seen[base] += 1
    return frozenset(found)


def _broken(target: Path, anchor: str | None) -> str | None:
    if not target.is_file():
        return "no such file"
    if anchor and anchor not in anchors(target):
        return "no such section"
    return None


def test_every_pointer_into_docs_leads_to_an_existing_section():
    pointers = {(path, match.group(1), match.group(2))
                for path in _text_files()
                for match in DOCS_POINTER.finditer(path.read_text(errors="replace"))}
    assert len(pointers) > 30  # the code does point into docs/
    broken = [f"{path.relative_to(ROOT)}: docs/{name}#{anchor or ''} ({why})"
              for path, name, anchor in pointers
              if (why := _broken(DOCS / name, anchor))]
    assert broken == []


def test_the_documentations_own_links_resolve():
    pages = [ROOT / "README.md", *DOCS.glob("*.md")]
    broken = []
    for page in pages:
        for target in MARKDOWN_LINK.findall(page.read_text()):
            if re.match(r"[a-z]+:", target):  # https:, mailto:: outside the repository
                continue
            file, _, anchor = target.partition("#")
            why = _broken((page.parent / file).resolve() if file else page, anchor or None)
            if why:
                broken.append(f"{page.relative_to(ROOT)}: {target} ({why})")
    assert broken == []


def test_nothing_cites_a_document_outside_the_repository():
    cited = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in _text_files()
             for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
             if OUTSIDE.search(line)]
    assert cited == []


def _table_after(text: str, heading: str) -> list[str]:
    """The rows of the first table after `heading`."""
    after = text.split(f"\n{heading}\n", 1)[1]
    rows = []
    for line in after.splitlines():
        if line.startswith("|"):
            rows.append(line)
        elif rows:
            break
    return rows


def test_the_readme_glossary_is_the_first_table_of_docs_glossary():
    readme = _table_after((ROOT / "README.md").read_text(), "### Glossary")
    glossary = _table_after((DOCS / "glossary.md").read_text(), "## Things")
    assert len(glossary) > 5
    assert readme == glossary
