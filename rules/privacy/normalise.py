"""Normalisation that keeps spans: one output character per input character."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Dashes and dots people paste from word processors; NFKC leaves most of them alone.
_EXTRA_MAP = {
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\ufe63": "-", "\u30fc": "-", "\u2027": ".", "\u00b7": ".",
    "\u25cb": "○", "\u25ef": "○", "\u3007": "○", "\u301c": "~", "\uff5e": "~",
}


@lru_cache(maxsize=8192)
def _norm_char(ch: str) -> str:
    """Map one character to its NFKC form when that form is a single character."""
    if ch in _EXTRA_MAP:
        return _EXTRA_MAP[ch]
    folded = unicodedata.normalize("NFKC", ch)
    # Keeping one character per character is what lets spans refer to the original text.
    return folded if len(folded) == 1 else ch


def normalize(text: str) -> str:
    """Return NFKC-folded text of the same length (full-width to half-width, dash variants to '-')."""
    if text.isascii():
        return text
    return "".join(map(_norm_char, text))


# Chinese numerals people type in phone numbers and IDs (兩 and 么 are spoken 2 and 1).
_ZH_DIGITS = {c: str(i) for i, c in enumerate("零一二三四五六七八九")} | {
    "〇": "0", "○": "0", "兩": "2", "么": "1", "洞": "0",
}
# A run of digit-like characters with the separators people put inside numbers.
_RUN = re.compile(r"[0-9零〇○一二三四五六七八九兩么洞OoIl][0-9零〇○一二三四五六七八九兩么洞OoIl \-.\n,，、]{5,40}")
_LOOKALIKE = {"O": "0", "o": "0", "I": "1", "l": "1"}


def digit_view(t: str) -> str:
    """Text of the same length where numbers typed with Chinese numerals or look-alike letters become digits.

    Only runs holding at least seven digit-like characters are rewritten, so 一二三 in prose, a
    masked 王O明 or 陳OO and a 文化一路○○號 stay as they are. A look-alike letter (O for 0, l for 1)
    counts only next to a real digit; a Chinese numeral only in a run of at least four numerals or
    digits in a row, once the run has some.
    """
    if not _RUN.search(t):
        return t
    chars = list(t)
    for m in _RUN.finditer(t):
        run = m.group()
        core = [c for c in run if c not in " -.\n,，、"]
        if len(core) < 7 or sum(c.isdigit() or c in _ZH_DIGITS for c in core) < 6:
            continue
        for k, c in enumerate(run, start=m.start()):
            if c in _ZH_DIGITS:
                chars[k] = _ZH_DIGITS[c]
            elif c in _LOOKALIKE and _digit_near(t, k):
                chars[k] = _LOOKALIKE[c]
    return "".join(chars)


def _digit_near(t: str, k: int) -> bool:
    """True if the character at k sits between digits (or starts a run before one), not inside a word."""
    before = t[k - 1] if k else ""
    after = t[k + 1] if k + 1 < len(t) else ""
    if before.isascii() and before.isalpha() or after.isascii() and after.isalpha():
        return False
    return after.isdigit() or after in _ZH_DIGITS or before.isdigit()
