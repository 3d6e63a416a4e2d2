"""The screen: run every detector, resolve overlaps, report findings."""
from __future__ import annotations

import bisect
from typing import Iterable

from rules.privacy.accounts import find_bank, find_line_ids, find_nhi, find_records
from rules.privacy.addresses import find_addresses
from rules.privacy.common import Hit
from rules.privacy.dates import find_birth_dates
from rules.privacy.directory import merge_directory
from rules.privacy.emails import find_emails
from rules.privacy.identifiers import find_ids, find_passports
from rules.privacy.kinds import Finding, Kind, PublicDirectory
from rules.privacy.names import find_names
from rules.privacy.normalise import digit_view, normalize
from rules.privacy.phones import find_phones
from rules.privacy.plates import find_plates
from rules.privacy.schools import find_students
from rules.privacy.sensitive import find_sensitive


def _resolve(hits: list[Hit]) -> list[Finding]:
    """Drop hits that overlap a higher-ranked (or, on a tie, longer) hit; order by position."""
    chosen: list[Hit] = []  # disjoint, kept sorted by start (hence also by end)
    starts: list[int] = []
    for hit in sorted(hits, key=lambda h: (-h.rank, h.start - h.end, h.start)):
        at = bisect.bisect_right(starts, hit.start)
        if at and chosen[at - 1].end > hit.start:
            continue
        if at < len(chosen) and chosen[at].start < hit.end:
            continue
        chosen.insert(at, hit)
        starts.insert(at, hit.start)
    return [Finding(h.kind, h.start, h.end, h.preview) for h in chosen]


def screen(text: str, public: PublicDirectory | None = None) -> list[Finding]:
    """Find personal data in `text`; spans refer to the original text, previews are masked."""
    if not text:
        return []
    t = normalize(text)
    d = digit_view(t)  # same length: numbers typed in Chinese numerals or with O for 0 read as digits
    directory = merge_directory(public)
    return _resolve([
        *find_emails(t), *find_ids(t), *find_passports(t), *find_nhi(d), *find_bank(d), *find_records(t),
        *find_phones(t, d, directory), *find_line_ids(t), *find_plates(t), *find_students(t),
        *find_birth_dates(t), *find_addresses(t, directory), *find_names(t), *find_sensitive(t),
    ])


def kinds_found(findings: Iterable[Finding]) -> list[Kind]:
    """Kinds of the findings, unique, in order of first appearance."""
    return list(dict.fromkeys(f.kind for f in findings))
