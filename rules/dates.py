"""ROC (民國) dates, times and 列管 case numbers, as people in the liaison groups write them.

Officials write 108年3月21日, 108.3.21, 108/03/21 or 1080321 (year + 1911 = Gregorian), times as
14時00分 or 下午2時, weekdays as (星期四) or (四), and tracked items as 1080129-1 (DOMAIN.md,
"Dates and numbers people write"; seeds/000 and seeds/001 headers). Everything here is a pure
function of its arguments: callers pass `today`; nothing reads the clock.

Parsers never raise on user text: they return a result whose `error` is a zh-TW sentence that can
be shown to the user as is.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

TAIPEI = ZoneInfo("Asia/Taipei")
ROC_OFFSET = 1911  # ROC year 1 = 1912
WEEKDAY_NAMES = "一二三四五六日"  # date.weekday() order, Monday first
DATE_HINT = "請寫成 115/12/5 或 2026-12-05"
TIME_HINT = "請寫成 14:00 或 下午2時"

RocStyle = Literal["slash", "chinese", "compact", "dot"]


# ---------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------

def roc_year(d: date) -> int:
    """Return the ROC (民國) year of a date."""
    return d.year - ROC_OFFSET


def roc_date(d: date, style: RocStyle = "slash") -> str:
    """Format a date as an ROC date: 115/12/05, 115年12月5日, 1151205 or 115.12.5."""
    y = roc_year(d)
    if y < 1:
        raise ValueError(f"{d.isoformat()} is before ROC year 1 (1912)")
    # Numeric styles pad the year to 3 digits (099/01/01) so that every numeric form this module
    # writes is one that parse_date reads back: a 2-digit leading number is ambiguous there.
    if style == "slash":
        return f"{y:03d}/{d.month:02d}/{d.day:02d}"
    if style == "chinese":
        return f"{y}年{d.month}月{d.day}日"
    if style == "compact":
        return f"{y:03d}{d.month:02d}{d.day:02d}"
    if style == "dot":
        return f"{y:03d}.{d.month}.{d.day}"
    raise ValueError(f"unknown ROC date style: {style!r}")


def weekday_name(d: date) -> str:
    """Return the one-character weekday name: 一 … 日."""
    return WEEKDAY_NAMES[d.weekday()]


def roc_weekday(d: date) -> str:
    """Return the weekday in parentheses, as written after a date: (四)."""
    return f"({weekday_name(d)})"


def to_taipei(dt: datetime) -> datetime:
    """Convert an aware datetime to Asia/Taipei; refuse naive ones so a UTC value is never misread."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("naive datetime: attach a tzinfo (e.g. TAIPEI) before using it")
    return dt.astimezone(TAIPEI)


def format_time(t: time) -> str:
    """Format a time of day as 14:00."""
    return f"{t.hour:02d}:{t.minute:02d}"


def roc_datetime(dt: datetime) -> str:
    """Format an aware datetime in Taipei time: 115/12/05(六) 14:00."""
    local = to_taipei(dt)
    return f"{roc_date(local.date())}{roc_weekday(local.date())} {format_time(local.time())}"


# ---------------------------------------------------------------------------
# Normalising user text
# ---------------------------------------------------------------------------

# NFKC already folds full-width digits, ／：（）～ and the ideographic space; these are the dashes
# and waves NFKC leaves alone but people type between two times.
_EXTRA_FOLDS = str.maketrans({"〜": "~", "–": "-", "—": "-", "―": "-", "−": "-", "‐": "-"})


def normalize(text: str) -> str:
    """Fold full-width characters and dash variants (NFKC) so one set of patterns fits all."""
    return unicodedata.normalize("NFKC", text).translate(_EXTRA_FOLDS)


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class DateParse:
    """A parsed date, or the zh-TW reason it could not be read."""

    value: date | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Tell whether a date was read."""
        return self.value is not None


_ROC_PREFIX = r"(?P<roc>民國\s*)?"
# 115年12月5日 / 民國115年12月5日 / 2026年12月5日; the closing 日 may be left out.
_CHINESE_YMD = re.compile(
    _ROC_PREFIX + r"(?P<y>\d{1,4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})(?!\d)\s*[日號号]?"
)
# 115/12/5, 115-12-5, 115.12.5, 2026-12-05, 12/5/6 (the last one is refused as ambiguous).
_SEPARATED_YMD = re.compile(
    _ROC_PREFIX + r"(?P<y>\d{1,4})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d|(?P=sep)\d)"
)
# 1151205 (ROC, 7 digits) or 20261205 (Gregorian, 8 digits); 6 digits are refused as ambiguous.
_COMPACT = re.compile(_ROC_PREFIX + r"(?P<digits>\d{6,8})(?!\d)")
# 12月5日 and 12/5: month and day alone mean the next such date.
_CHINESE_MD = re.compile(r"(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日號号]")
_SLASH_MD = re.compile(r"(?P<m>\d{1,2})/(?P<d>\d{1,2})(?!\d|/\d)")
# (星期四) (週四) (周四) (四) (禮拜四), or bare 星期四 / 週四 after a space.
_WEEKDAY = re.compile(
    r"\s*(?:\(\s*(?:星期|週|周|禮拜)?\s*(?P<wd>[一二三四五六日天])\s*\)"
    r"|\s(?:星期|週|周|禮拜)(?P<wd2>[一二三四五六日天]))"
)
_DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ymd_chinese", _CHINESE_YMD),
    ("ymd_separated", _SEPARATED_YMD),
    ("compact", _COMPACT),
    ("md_chinese", _CHINESE_MD),
    ("md_slash", _SLASH_MD),
)


def _unreadable_date(raw: str) -> DateParse:
    return DateParse(None, f"看不懂日期「{raw}」，{DATE_HINT}")


def _ambiguous_year(raw: str) -> DateParse:
    return DateParse(
        None,
        f"「{raw}」的年份不明確，請寫民國三位數年份（例如 115/12/5）或西元四位數年份（例如 2026/12/5）",
    )


def _build(raw: str, gregorian_year: int, month: int, day: int, *, roc: bool) -> DateParse:
    """Check year, month and day and build the date."""
    if gregorian_year <= ROC_OFFSET:
        if roc:
            return DateParse(None, f"民國年份須從1年起，「{raw}」的年份不對")
        return DateParse(None, f"日期「{raw}」早於民國元年（1912年），請確認年份")
    if not 1 <= month <= 12:
        return DateParse(None, f"日期「{raw}」不存在（月份須為1到12），{DATE_HINT}")
    last = calendar.monthrange(gregorian_year, month)[1]
    if not 1 <= day <= last:
        roc_year_ = gregorian_year - ROC_OFFSET
        return DateParse(None, f"日期「{raw}」不存在（民國{roc_year_}年{month}月沒有{day}日）")
    return DateParse(date(gregorian_year, month, day))


def _year_from(digits: str, roc_prefix: bool, chinese: bool) -> int | None:
    """Turn the written year into a Gregorian year; None when it is ambiguous."""
    n = int(digits)
    if roc_prefix:
        # 民國 makes any width an ROC year; a 4-digit one cannot be meant (民國2026年).
        return n + ROC_OFFSET if len(digits) <= 3 else -1
    if len(digits) == 4:
        return n
    if len(digits) == 3 or chinese:
        # With 年 even 99年 is clearly ROC; in 12/5/6 a 1-2 digit lead could be a year, a month or a day.
        return n + ROC_OFFSET
    return None


def _next_month_day(raw: str, month: int, day: int, today: date) -> DateParse:
    """Resolve a month and day alone to the next such date on or after today."""
    if not 1 <= month <= 12:
        return _unreadable_date(raw)
    if not 1 <= day <= calendar.monthrange(2024, month)[1]:  # 2024 is a leap year: 2/29 exists
        return DateParse(None, f"日期「{raw}」不存在（{month}月沒有{day}日）")
    # Feb 29 may need up to 8 years (1900-style century gaps aside); other dates need at most 2.
    for year in range(today.year, today.year + 9):
        if day <= calendar.monthrange(year, month)[1]:
            candidate = date(year, month, day)
            if candidate >= today:
                return DateParse(candidate)
    return DateParse(None, f"日期「{raw}」不存在（{month}月沒有{day}日）")


def _resolve_date(kind: str, m: re.Match[str], today: date) -> DateParse:
    """Turn one date-pattern match into a date or an error."""
    raw = m.group(0).strip()
    g = m.groupdict()
    if kind in ("md_chinese", "md_slash"):
        return _next_month_day(raw, int(g["m"]), int(g["d"]), today)
    if kind == "compact":
        digits = g["digits"]
        if len(digits) == 7:  # ROC yyy mm dd, as in the case number 1080129-1
            return _build(raw, int(digits[:3]) + ROC_OFFSET, int(digits[3:5]), int(digits[5:]), roc=True)
        if len(digits) == 8 and not g["roc"]:
            return _build(raw, int(digits[:4]), int(digits[4:6]), int(digits[6:]), roc=False)
        return _ambiguous_year(raw) if len(digits) == 6 else _unreadable_date(raw)
    year = _year_from(g["y"], bool(g["roc"]), chinese=kind == "ymd_chinese")
    if year is None:
        return _ambiguous_year(raw)
    if year < 0:
        return DateParse(None, f"民國年份「{g['y']}」不對，{DATE_HINT}")
    return _build(raw, year, int(g["m"]), int(g["d"]), roc=len(g["y"]) < 4)


def _check_weekday(value: date, given: str) -> str | None:
    """Return an error when the written weekday is not the date's real weekday."""
    given = "日" if given == "天" else given
    real = weekday_name(value)
    if given == real:
        return None
    return f"{roc_date(value, 'chinese')}是星期{real}，不是星期{given}，請確認日期"


def _match_date(text: str, pos: int, today: date) -> tuple[DateParse, int] | None:
    """Match a date (and an optional weekday) at pos; None when nothing there looks like a date."""
    for kind, pattern in _DATE_PATTERNS:
        m = pattern.match(text, pos)
        if not m:
            continue
        result = _resolve_date(kind, m, today)
        end = m.end()
        wd = _WEEKDAY.match(text, end)
        if wd:
            end = wd.end()
            if result.value is not None:
                error = _check_weekday(result.value, wd.group("wd") or wd.group("wd2"))
                if error:
                    result = DateParse(None, error)
        return result, end
    return None


def parse_date(text: str, today: date) -> DateParse:
    """Read a date as people write it (ROC or Gregorian, optional weekday); month/day alone means the next one."""
    s = normalize(text).strip()
    if not s:
        return DateParse(None, f"請寫日期，{DATE_HINT}")
    found = _match_date(s, 0, today)
    if found is None:
        return _unreadable_date(s)
    result, end = found
    if s[end:].strip():
        return _unreadable_date(s)
    return result


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
    rf"(?:\s*(?P<m2>\d{{1,2}})\s*分鐘?|(?P<m3>\d{{2}})(?!\d)|(?P<half>半))?"
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


def _token_from(m: re.Match[str]) -> _TimeToken:
    """Collect hour, minute and day part from a _TIME match."""
    g = m.groupdict()
    hour_text = g["h1"] or g["h2"] or g["h4"]
    hour = _CN_HOURS[hour_text] if hour_text in _CN_HOURS else int(hour_text)
    minute = 30 if g["half"] else int(g["m1"] or g["m2"] or g["m3"] or 0)
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


# ---------------------------------------------------------------------------
# 列管 case numbers: 1080129-1 = ROC 108-01-29, item 1 (DOMAIN.md; seeds/000)
# ---------------------------------------------------------------------------

_CASE_NUMBER = re.compile(r"(?<!\d)(?P<date>\d{7})\s*-\s*(?P<seq>\d{1,4})(?!\d)")


def case_number(d: date, seq: int, width: int = 1) -> str:
    """Format a tracking number: ROC yyymmdd, a dash, the item number zero-padded to width (1151122-03)."""
    if seq < 1:
        raise ValueError("case item numbers start at 1")
    # The date part is always 7 digits; ROC years below 100 are zero-padded (0990101) so it stays fixed-width.
    return f"{roc_date(d, 'compact')}-{seq:0{width}d}"


def _case_from(m: re.Match[str]) -> tuple[date, int] | None:
    digits, seq = m.group("date"), int(m.group("seq"))
    built = _build(digits, int(digits[:3]) + ROC_OFFSET, int(digits[3:5]), int(digits[5:]), roc=True)
    if built.value is None or seq < 1:
        return None
    return built.value, seq


def parse_case_number(text: str) -> tuple[date, int] | None:
    """Read a whole tracking number such as 1080129-1 into (date, item); None when it is not one."""
    m = _CASE_NUMBER.fullmatch(normalize(text).strip())
    return _case_from(m) if m else None


def find_case_numbers(text: str) -> list[tuple[str, date, int]]:
    """Find every valid tracking number in a message, as (canonical text, date, item)."""
    found = []
    for m in _CASE_NUMBER.finditer(normalize(text)):
        parsed = _case_from(m)
        if parsed:
            found.append((f"{m.group('date')}-{m.group('seq')}", *parsed))
    return found


def add_months(d: date, months: int) -> date:
    """Move a date by whole calendar months, clamping the day to the month's end (3/31 - 1 month = 2/28)."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


__all__ = [
    "TAIPEI", "ROC_OFFSET", "DateParse", "TimeParse", "TimeRangeParse", "DateTimePhrase",
    "roc_year", "roc_date", "roc_weekday", "weekday_name", "roc_datetime", "format_time", "to_taipei",
    "normalize", "parse_date", "parse_time", "parse_time_range", "parse_datetime_phrase",
    "find_datetime_phrase", "case_number", "parse_case_number", "find_case_numbers", "add_months",
]
