"""A named school with a class and a seat or student number: one child, even without a name.

A class alone (三年二班 班親會) or a school alone (中壢國小 家長日) is not personal data; the seat or
student number is what points at one pupil. A 學號 with a value is personal data on its own.
"""
from __future__ import annotations

import re
from typing import Iterator

from rules.privacy.common import Hit
from rules.privacy.kinds import Kind

_ZH = "一二三四五六七八九十"
_SCHOOL = (
    r"[\u4e00-\u9fffA-Za-z]{1,6}?(?:國小|國中|高中|高職|高工|高商|國民小學|國民中學|實驗中學|實小|附小|附中|大學|學校|完全中學)"
)
_CLASS = (
    r"(?:[" + _ZH + r"1-9]年(?: ?級)?[ ]?[0-9" + _ZH + r"甲乙丙丁戊忠孝仁愛信義和平]{1,3} ?班"
    r"|高[一二三] ?[0-9" + _ZH + r"]{1,2} ?班|[1-9]\d{2,3} ?班?)"
)
_SEAT = r"(?:座號 ?[0-9]{1,2} ?號?|(?<![0-9])[0-9]{1,2} ?號(?!樓|之)|學號 ?[:：]? ?[A-Za-z]?[0-9]{5,9})"
_STUDENT = re.compile(
    r"(" + _SCHOOL + r")[ ]{0,2}(?:的 ?)?(" + _CLASS + r")[ ]{0,2}(?:的 ?)?(" + _SEAT + r")"
)
_STUDENT_NUMBER = re.compile(r"學號 ?[:：是為]? ?(?<![0-9A-Za-z])([A-Za-z]{0,2}[0-9]{5,10})(?![0-9])")


def find_students(t: str) -> Iterator[Hit]:
    """School + class + seat number, or a student number after 學號."""
    if "號" not in t:
        return
    for m in _STUDENT.finditer(t):
        preview = re.sub(r"[0-9" + _ZH + r"甲乙丙丁戊]", "*", t[m.start(2):m.end(3)])
        yield Hit(Kind.STUDENT, m.start(2), m.end(3), preview, 45)
    for m in _STUDENT_NUMBER.finditer(t):
        yield Hit(Kind.STUDENT, m.start(1), m.end(1), m.group(1)[:1] + "*" * (len(m.group(1)) - 1), 46)
