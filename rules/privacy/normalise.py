"""Normalisation that keeps spans: one output character per input character."""
from __future__ import annotations

import unicodedata
from functools import lru_cache

# Dashes and dots people paste from word processors; NFKC leaves most of them alone.
_EXTRA_MAP = {
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\ufe63": "-", "\u30fc": "-", "\u2027": ".", "\u00b7": ".",
    "\u25cb": "○", "\u25ef": "○", "\u3007": "○",
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
