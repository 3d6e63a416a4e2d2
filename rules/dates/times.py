"""Times of day and start–end ranges as people type them: 14:00, 14時30分, 下午2點半, 下午2時至4時.

A bare 2點 with no day part is asked about rather than guessed. Parsers never raise on user text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from typing import NamedTuple

from rules.dates.relative import CN_NUMBER, cn_number
from rules.dates.roc import TIME_HINT, format_time, normalize

# ---------------------------------------------------------------------------
# Times
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class TimeParse:
    """A parsed time of day, or the zh-TW reason it could not be read."""

    value: time | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Tell whether a time was read."""
        return self.value is not None


@dataclass(frozen=True)
class TimeRangeParse:
    """A parsed start–end pair, or the zh-TW reason it could not be read."""

    start: time | None
    end: time | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Tell whether both ends were read."""
        return self.error is None


# Day-part words and how they shift a 12-hour clock reading.
_PERIODS = {
    "上午": "am", "早上": "am", "清晨": "am", "凌晨": "dawn", "中午": "noon",
    "下午": "pm", "傍晚": "pm", "晚上": "night", "夜間": "night", "夜裡": "night",
}
_PERIOD_RE = "|".join(_PERIODS)
_CN_HOURS = {"零": 0, "一": 1, "二": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9, "十": 10, "十一": 11, "十二": 12}
_CN_HOUR_RE = r"十[一二]?|[零一二兩三四五六七八九]"
# One time token: 14:00, 2:30pm, 14時30分, 14 時 00 分, 2點半, 兩點, 2pm, each with an optional day part.
_TIME = re.compile(
    rf"(?P<period>{_PERIOD_RE})?\s*(?:"
    rf"(?P<h1>\d{{1,2}}):(?P<m1>\d{{2}})(?!\d)(?:\s*(?P<ap1>[ap])\.?m(?![a-z])\.?)?"
    rf"|(?P<h2>\d{{1,2}}|{_CN_HOUR_RE})\s*[時点點]"
    rf"(?:\s*(?P<m2>\d{{1,2}}|{CN_NUMBER})\s*分鐘?|(?P<m3>\d{{2}})(?!\d)|(?P<half>半)|(?P<quarter>[一三])刻)?"
    rf"|(?P<h4>\d{{1,2}})\s*(?P<ap4>[ap])\.?m(?![a-z])\.?"
    rf")",
    re.IGNORECASE,
)
# A bare hour that only makes sense before a range separator: 下午2至4時, 14-16時.
_BARE_HOUR = re.compile(rf"(?P<period>{_PERIOD_RE})?\s*(?P<h>\d{{1,2}}|{_CN_HOUR_RE})(?=\s*(?:-|~|至|到))")
_RANGE_SEP = re.compile(r"\s*(?:-|~|至|到)\s*")


@dataclass(frozen=True)
class _TimeToken:
    """One time as written, before the day part is applied."""

    hour: int
    minute: int
    period: str | None  # am / pm / noon / night / dawn, or AM / PM for an English suffix
    raw: str
    end: int
    padded: bool = False  # written with a leading zero (02:00): a deliberate 24-hour reading

    @property
    def vague(self) -> bool:
        """Tell whether the hour could be early morning or afternoon (2點, 3:00) with no day part given."""
        return self.period is None and 1 <= self.hour <= 6 and not self.padded


def _minute(g: dict[str, str | None]) -> int:
    """The minutes as written: 30, 三十分, 半, 一刻 (15) or 三刻 (45); 60 (refused later) when unreadable."""
    if g["half"]:
        return 30
    if g["quarter"]:
        return 15 if g["quarter"] == "一" else 45
    written = g["m1"] or g["m2"] or g["m3"] or "0"
    value = cn_number(written)
    return 60 if value is None else value


def _token_from(m: re.Match[str]) -> _TimeToken:
    """Collect hour, minute and day part from a _TIME match."""
    g = m.groupdict()
    hour_text = g["h1"] or g["h2"] or g["h4"]
    hour = _CN_HOURS[hour_text] if hour_text in _CN_HOURS else int(hour_text)
    minute = _minute(g)
    suffix = g["ap1"] or g["ap4"]
    period = suffix.upper() + "M" if suffix else (_PERIODS[g["period"]] if g["period"] else None)
    if suffix and g["period"]:
        period = "conflict"
    return _TimeToken(hour, minute, period, m.group(0).strip(), m.end(), hour_text.startswith("0"))


def _apply_period(hour: int, period: str | None) -> int | None:
    """Turn a written hour and day part into a 24-hour hour; None when they do not fit."""
    if period is None:
        return hour if 0 <= hour <= 23 else None
    if period in ("AM", "PM"):
        if not 1 <= hour <= 12:
            return None
        return hour % 12 + (12 if period == "PM" else 0)
    if period == "am":
        # 上午12時 is read both as noon and as midnight, so it is refused rather than guessed.
        return hour if 0 <= hour <= 11 else None
    if period == "dawn":
        return 0 if hour == 12 else (hour if 0 <= hour <= 6 else None)
    if period == "noon":
        return hour if hour in (11, 12) else (hour + 12 if 1 <= hour <= 2 else None)
    if period == "pm":
        return hour + 12 if 1 <= hour <= 11 else (hour if 12 <= hour <= 23 else None)
    if period == "night":
        # 晚上12點 is midnight of which day? Refused; 00:00 or 23:59 says it plainly.
        return hour + 12 if 1 <= hour <= 11 else (hour if 13 <= hour <= 23 else None)
    return None


def _token_time(tok: _TimeToken, period: str | None = None) -> time | None:
    """Resolve a token to a time, optionally with a day part borrowed from the other end of a range."""
    if period is None and tok.vague:
        return None  # nobody meets at 02:00, but guessing 14:00 silently is worse than asking
    hour = _apply_period(tok.hour, period if period is not None else tok.period)
    if hour is None or not 0 <= tok.minute <= 59:
        return None
    return time(hour, tok.minute)


def _token_error(tok: _TimeToken) -> str:
    """Explain why a token is not a time."""
    if tok.vague:
        mm = f"{tok.minute:02d}"
        return f"「{tok.raw}」是清晨還是下午？請寫成 {tok.hour + 12}:{mm}（下午）或 0{tok.hour}:{mm}（清晨）"
    return _bad_time(tok.raw)


def _bad_time(raw: str) -> str:
    if re.fullmatch(r"24\s*[:時點]\s*0*\s*分?", raw):
        return f"時間「{raw}」不存在，午夜請寫 00:00，當天最後請寫 23:59"
    return f"看不懂時間「{raw}」，{TIME_HINT}"


def _match_time(text: str, pos: int) -> tuple[TimeParse, int] | None:
    """Match one time at pos; None when nothing there looks like a time."""
    m = _TIME.match(text, pos)
    if not m:
        return None
    tok = _token_from(m)
    value = _token_time(tok)
    return (TimeParse(value) if value else TimeParse(None, _token_error(tok))), tok.end


def parse_time(text: str) -> TimeParse:
    """Read a time of day: 14:00, 14時30分, 下午2點半, 晚上7點, 中午12時, 2pm."""
    s = normalize(text).strip()
    found = _match_time(s, 0)
    if found is None or s[found[1]:].strip():
        return TimeParse(None, _bad_time(s))
    return found[0]


def _pick(candidates: list[time | None], ok: Callable[[time], bool]) -> time | None:
    """Return the first candidate that exists and satisfies ok."""
    for c in candidates:
        if c is not None and ok(c):
            return c
    return None


def _plus12(tok: _TimeToken) -> time | None:
    """Read a 1–11 hour as afternoon."""
    return time(tok.hour + 12, tok.minute) if 1 <= tok.hour <= 11 and 0 <= tok.minute <= 59 else None


def _resolve_range(start: _TimeToken, end: _TimeToken) -> tuple[time | None, time | None]:
    """Resolve both ends, letting a day part written on one end carry to the other (下午2時至4時)."""
    s_own, e_own = _token_time(start), _token_time(end)
    if start.period is None and end.period is not None and e_own is not None:
        s = _pick([_token_time(start, end.period), s_own], lambda t: t < e_own)
        return s or s_own, e_own
    if end.period is None:
        borrowed = _token_time(end, start.period) if start.period else None
        # 上午11時至1時 and 10時至2時 end after noon; 10:00-09:00 stays an error (no silent +12).
        plus12 = _plus12(end) if not end.padded and (start.period or end.vague) else None
        e = _pick([borrowed, e_own, plus12], lambda t: s_own is not None and t > s_own)
        return s_own, e or borrowed or e_own
    return s_own, e_own


class _RangeTokens(NamedTuple):
    """A start token, an optional end token, where matching stopped, and unreadable end text if any."""

    start: _TimeToken
    end: _TimeToken | None
    stop: int
    bad_end: str | None = None


def _bare_start(text: str, pos: int) -> _TimeToken | None:
    """Match an hour without unit that is followed by a range separator."""
    bare = _BARE_HOUR.match(text, pos)
    if not bare:
        return None
    h, period = bare.group("h"), bare.group("period")
    hour = _CN_HOURS[h] if h in _CN_HOURS else int(h)
    return _TimeToken(hour, 0, _PERIODS[period] if period else None, bare.group(0).strip(), bare.end(),
                      h.startswith("0"))


def _match_range_tokens(text: str, pos: int) -> _RangeTokens | None:
    """Match a time and, after a separator, an end time; None when nothing there is a time."""
    m = _TIME.match(text, pos)
    start = _token_from(m) if m else _bare_start(text, pos)
    if start is None:
        return None
    sep = _RANGE_SEP.match(text, start.end)
    e = _TIME.match(text, sep.end()) if sep else None
    if e:
        return _RangeTokens(start, _token_from(e), e.end())
    if not m:
        return None  # a bare hour (3-5樓) is only a time when an end time follows
    # 至/到 also begin ordinary words (至中壢區公所集合); a dash or tilde before a digit promises an end.
    if sep and sep.group(0).strip() in ("-", "~") and text[sep.end():sep.end() + 1].isdigit():
        return _RangeTokens(start, None, sep.end(), bad_end=text[sep.end():].split(" ")[0])
    return _RangeTokens(start, None, start.end)


def _range_result(start: _TimeToken, end: _TimeToken) -> TimeRangeParse:
    """Resolve two tokens into an ordered range or an error."""
    s, e = _resolve_range(start, end)
    if s is None:
        return TimeRangeParse(None, None, _token_error(start))
    if e is None:
        return TimeRangeParse(None, None, _token_error(end))
    if e <= s:
        return TimeRangeParse(None, None, f"結束時間須晚於開始時間（{format_time(s)}–{format_time(e)}）")
    return TimeRangeParse(s, e)


def _bad_end(raw: str) -> str:
    return f"看不懂結束時間「{raw}」，{TIME_HINT}"


def parse_time_range(text: str) -> TimeRangeParse:
    """Read a start–end pair: 14:00-16:00, 14時至16時, 下午2時至4時, 14:00~16:00; the end must be later."""
    s = normalize(text).strip()
    found = _match_range_tokens(s, 0)
    if found is not None and found.bad_end:
        return TimeRangeParse(None, None, _bad_end(found.bad_end))
    if found is None or found.end is None or s[found.stop:].strip():
        return TimeRangeParse(None, None, f"看不懂時段「{s}」，請寫成 14:00-16:00 或 下午2時至4時")
    return _range_result(found.start, found.end)
