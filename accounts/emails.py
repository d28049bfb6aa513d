"""The one normal form of an employee's e-mail address: stored, looked up and counted by
django-axes in this form, so that every spelling that reaches an account shares its failure
count, and no spelling reaches an account it does not equal.

NFKC folds compatibility look-alikes (fullwidth letters, the long s U+017F) to their plain
letters, casefold ignores case, and surrounding spaces are dropped. A database's own case
folding (PostgreSQL's UPPER maps the dotless i U+0131 to I) is never relied on: lookups are exact.
"""

from __future__ import annotations

import unicodedata


def email_normal_form(value: str) -> str:
    # NFKC again after casefold, as Unicode's NFKC_Casefold does: folding case can leave a
    # decomposed sequence (`ǰ` → j + caron) that NFKC composes again.
    folded = unicodedata.normalize("NFKC", value).casefold()
    return unicodedata.normalize("NFKC", folded).strip()
