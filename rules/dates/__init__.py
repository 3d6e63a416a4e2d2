"""ROC (民國) dates, times and 列管 case numbers, as people in the liaison groups write them.

Officials write 108年3月21日, 108.3.21, 108/03/21 or 1080321 (year + 1911 = Gregorian), times as
14時00分 or 下午2時, weekdays as (星期四) or (四), and tracked items as 1080129-1 (DOMAIN.md,
"Dates and numbers people write"; seeds/000 and seeds/001 headers). Everything here is a pure
function of its arguments: callers pass `today`; nothing reads the clock.

One module per role: `roc` (formatting, normalising, month arithmetic), `days` (dates), `times`
(times and ranges), `relative` (明天, 下週三 as said in chat), `phrases` (date and time inside a one-line command), `cases` (case numbers).
Callers import from `rules.dates`; the modules are the package's own layout.
"""

from rules.dates.cases import case_number, find_case_numbers, parse_case_number
from rules.dates.days import DateParse, parse_date
from rules.dates.phrases import DateTimePhrase, find_datetime_phrase, parse_datetime_phrase
from rules.dates.relative import cn_number, parse_relative
from rules.dates.roc import (
    ROC_OFFSET,
    TAIPEI,
    add_months,
    format_time,
    normalize,
    roc_date,
    roc_datetime,
    roc_long,
    roc_long_datetime,
    roc_weekday,
    roc_year,
    to_taipei,
    weekday_name,
)
from rules.dates.times import TimeParse, TimeRangeParse, parse_time, parse_time_range

__all__ = [
    "TAIPEI", "ROC_OFFSET", "DateParse", "TimeParse", "TimeRangeParse", "DateTimePhrase",
    "roc_year", "roc_date", "roc_weekday", "weekday_name", "roc_datetime", "roc_long", "roc_long_datetime", "format_time", "to_taipei",
    "normalize", "parse_date", "parse_time", "parse_time_range", "parse_datetime_phrase",
    "find_datetime_phrase", "parse_relative", "cn_number", "case_number", "parse_case_number", "find_case_numbers", "add_months",
]
