"""Personal-data screen for messages posted to the inter-agency LINE groups.

The city's ruling (seeds/000) is that case reports must not reach the group: an unmasked name, an ID
number, a phone number, a house-numbered address or a birth date is not acceptable there. `screen`
finds such items in a message so the bot can stop it; public agency details are let through.

`masked(text, findings)` gives the version a sender may send instead (rules.privacy.mask).
Kinds in `CONFIRMABLE_KINDS` (NAME, SENSITIVE_CONTEXT) are refused like the others but the sender may
confirm they point at no person; structured identifiers are never confirmable (rules.privacy.kinds).

Modules: kinds (what is reported), normalise (width folding, the digit view), identifiers (IDs,
passports), accounts (NHI, bank, LINE ID, hospital records), phones, emails, plates, schools,
addresses, dates (birth dates, 年次, lunar birthdays), names (+ name_words, surnames), sensitive
(indirect identification), directory (public agency data), screen (runs them all), mask.

Pure standard library; every regex uses bounded quantifiers so that long hostile input stays linear.
"""
from __future__ import annotations

from rules.privacy.directory import DEFAULT_PUBLIC
from rules.privacy.kinds import CONFIRMABLE_KINDS, KIND_LABELS, Finding, Kind, PublicDirectory
from rules.privacy.mask import masked
from rules.privacy.normalise import normalize
from rules.privacy.screen import kinds_found, screen
from rules.privacy.surnames import SURNAMES

__all__ = [
    "CONFIRMABLE_KINDS", "DEFAULT_PUBLIC", "KIND_LABELS", "SURNAMES", "Finding", "Kind", "PublicDirectory",
    "kinds_found", "masked", "normalize", "screen",
]
