"""The date and time at the head (or after the name) of a one-line command, and the text after them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from rules.dates.days import _match_date
from rules.dates.roc import DATE_HINT, TAIPEI, normalize
from rules.dates.times import _bad_end, _match_range_tokens, _range_result, _token_error, _token_time

# ---------------------------------------------------------------------------
# One-line commands: "115/12/5 14:00-16:00 中壢區公所3樓 家暴防治宣導講座"
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class DateTimePhrase:
    """The date, start and optional end time at the head of a command, and the text after them."""

    date: date | None
    start: time | None
    end: time | None
    rest: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Tell whether the phrase was read without error."""
        return self.error is None

    def start_at(self) -> datetime | None:
        """Return the start as an aware Taipei datetime, when both date and start time are known."""
        if self.date is None or self.start is None:
            return None
        return datetime.combine(self.date, self.start, TAIPEI)

    def end_at(self) -> datetime | None:
        """Return the end as an aware Taipei datetime, when known."""
        if self.date is None or self.end is None:
            return None
        return datetime.combine(self.date, self.end, TAIPEI)


def _phrase_at(s: str, pos: int, today: date) -> DateTimePhrase | None:
    """Read date, optional time or time range, and the rest, starting at pos."""
    found = _match_date(s, pos, today)
    if found is None:
        return None
    parsed, i = found
    if parsed.error:
        return DateTimePhrase(None, None, None, s[i:].strip(), parsed.error)
    j = len(s) - len(s[i:].lstrip())
    tokens = _match_range_tokens(s, j)
    if tokens is None:
        return DateTimePhrase(parsed.value, None, None, s[i:].strip())
    start, end, k, bad_end = tokens
    rest = s[k:].strip()
    if bad_end:
        return DateTimePhrase(parsed.value, None, None, rest, _bad_end(bad_end))
    if end is None:
        value = _token_time(start)
        if value is None:
            return DateTimePhrase(parsed.value, None, None, rest, _token_error(start))
        return DateTimePhrase(parsed.value, value, None, rest)
    span = _range_result(start, end)
    return DateTimePhrase(parsed.value, span.start, span.end, rest, span.error)


def parse_datetime_phrase(text: str, today: date) -> DateTimePhrase:
    """Split a leading date, optional start(-end) time and the remaining text; rest is NFKC-normalised."""
    s = normalize(text).strip()
    phrase = _phrase_at(s, 0, today)
    if phrase is None:
        return DateTimePhrase(None, None, None, s, f"開頭找不到日期，{DATE_HINT}")
    return phrase


def find_datetime_phrase(text: str, today: date) -> tuple[str, DateTimePhrase]:
    """Find the first word that starts a date; return the text before it and the parsed phrase.

    For commands where a name comes first: `區級聯繫會議 115/12/5 14:00 本所3樓簡報室`.
    """
    s = normalize(text).strip()
    for m in re.finditer(r"(?:^|(?<=\s))\S", s):
        phrase = _phrase_at(s, m.start(), today)
        if phrase is not None:
            return s[: m.start()].strip(), phrase
    return s, DateTimePhrase(None, None, None, "", f"找不到日期，{DATE_HINT}")
