"""Dates as people say them in chat: 今天, 明天, 後天, 大後天, 下週三, 這週五, 下個月5號, 3天後.

Read against `today` (the caller's, in Taipei); nothing reads the clock. Weeks run Monday to Sunday, as
office calendars do, so 下週三 is the Wednesday of next week and 這週五 the Friday of this one (even
if it has passed: the caller decides whether a past date is acceptable). A bare 週五 / 星期五 means
the next Friday on or after today. Numbers may be written in digits or in Chinese (下個月五號).
"""
from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from rules.dates.roc import add_months, roc_date

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
CN_NUMBER = r"[一二兩三四五六七八九十廿〇零]{1,3}"
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEK_WORD = r"(?:週|周|星期|禮拜)"

# Words after which a date ends: a space, a time (14:00, 下午, 兩點), a weekday in parentheses, or the end.
_END = r"(?=$|\s|\d|[(（]|上午|下午|早上|中午|晚上|傍晚|凌晨|清晨|夜間|[零一二兩三四五六七八九十]+\s*[點点時])"
_DAY_WORDS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "後天": 2, "大後天": 3, "昨天": -1, "昨日": -1,
              "前天": -2}
_RELATIVE = re.compile(
    r"(?:(?P<word>大後天|後天|今天|今日|明天|明日|昨天|昨日|前天)"
    rf"|(?P<which>下下|下|這|这|本|上)?\s*(?:個)?\s*{_WEEK_WORD}\s*(?P<wd>[一二三四五六日天])"
    rf"|(?P<month>下|這|这|本|上)\s*(?:個)?\s*月\s*(?P<md>\d{{1,2}}|{CN_NUMBER})\s*[號号日]"
    rf"|(?P<n>\d{{1,3}}|{CN_NUMBER})\s*(?P<unit>天|週|周|星期|個禮拜)\s*(?:後|之後|以後))"
    + _END
)


def cn_number(text: str) -> int | None:
    """Read 5, 五, 零五, 十五, 二十一, 廿一, 三十 (0–99); None when it is not a number."""
    if text.isdigit():
        return int(text)
    text = text.replace("廿", "二十")
    if len(text) == 2 and text[0] in "零〇":  # 十點零五分
        text = text[1]
    if text in _CN_DIGITS:
        return _CN_DIGITS[text]
    tens, ten, ones = text.partition("十")
    if not ten:
        return None
    if (tens and tens not in _CN_DIGITS) or (ones and ones not in _CN_DIGITS):
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _weekday(which: str | None, weekday: int, today: date) -> date:
    monday = today - timedelta(days=today.weekday())
    if which in ("這", "这", "本"):
        return monday + timedelta(days=weekday)
    if which == "下":
        return monday + timedelta(days=7 + weekday)
    if which == "下下":
        return monday + timedelta(days=14 + weekday)
    if which == "上":
        return monday + timedelta(days=weekday - 7)
    return today + timedelta(days=(weekday - today.weekday()) % 7)  # bare 週五: the next one, today included


def _month_day(which: str, day_text: str, today: date) -> tuple[date | None, str | None]:
    shift = {"下": 1, "上": -1}.get(which, 0)
    first = add_months(today.replace(day=1), shift)
    day = cn_number(day_text)
    last = calendar.monthrange(first.year, first.month)[1]
    if day is None or not 1 <= day <= last:
        return None, f"{roc_date(first, 'chinese')[:-2]}沒有{day_text}日，請確認日期"
    return first.replace(day=day), None


def match_relative(text: str, pos: int, today: date) -> tuple[date | None, str | None, int] | None:
    """Match a spoken date at pos: (date, None, end), (None, zh-TW error, end), or None when there is none."""
    m = _RELATIVE.match(text, pos)
    if not m:
        return None
    g = m.groupdict()
    if g["word"]:
        return today + timedelta(days=_DAY_WORDS[g["word"]]), None, m.end()
    if g["wd"]:
        return _weekday(g["which"], _WEEKDAYS[g["wd"]], today), None, m.end()
    if g["month"]:
        value, error = _month_day(g["month"], g["md"], today)
        return value, error, m.end()
    count = cn_number(g["n"])
    if count is None:
        return None, f"看不懂「{m.group(0)}」，請寫成 3天後 或 115/12/5", m.end()
    days = count if g["unit"] == "天" else count * 7
    return today + timedelta(days=days), None, m.end()


def parse_relative(text: str, today: date) -> date | None:
    """Read a whole spoken date (明天, 下週三 ...); None when the text is not one."""
    s = text.strip()
    found = match_relative(s, 0, today)
    if found is None or found[2] != len(s):
        return None
    return found[0]
