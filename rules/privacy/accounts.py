"""Numbers that open a person's records: NHI cards, bank and post-office accounts, LINE IDs, hospital records.

All of them need a label (健保, 帳號, 局號, a bank's name, LINE/賴, 病歷號, 住院號) before the value;
bare, they are indistinguishable from statistics and document numbers.
"""
from __future__ import annotations

import re
from typing import Iterator

from rules.privacy.common import NOT_DIGIT_AFTER, Hit, digits_of, mask_keep
from rules.privacy.kinds import Kind
from rules.privacy.phones import MOBILE

# Between digits: a space or two, a dash, or a line break.
_NSEP = r"(?: {0,2}[\-\n] {0,2}| {1,2})?"

_NHI = re.compile(
    r"健保[^0-9\n]{0,8}?(?<![0-9])(\d(?:" + _NSEP + r"\d){11})" + NOT_DIGIT_AFTER
)

_BANK_NAMES = (
    "台銀|臺銀|土銀|合庫|一銀|第一銀|華南|彰銀|國泰|中信|玉山|台新|富邦|永豐|兆豐|遠東|元大|凱基|聯邦|新光|"
    "星展|渣打|匯豐|王道|樂天|將來|連線銀行|LINE ?Bank|農會|信用合作社|中華郵政|郵局|郵政|存簿"
)
_BANK = re.compile(
    r"(?<![第字])(?:帳號|帳戶|戶頭|銀行|匯款|轉帳|匯入|匯至|匯到|匯給|轉到|轉入|" + _BANK_NAMES + r"|"
    r"(?<![A-Za-z])(?:account|acct)(?![A-Za-z]))"
    r"([^0-9\n]{0,14}?)"
    r"((?:\(\d{3,4}\) ?)?\d(?:" + _NSEP + r"\d){9,19})" + NOT_DIGIT_AFTER,
    re.IGNORECASE,
)
# Post-office books: a 7-digit office number (局號) and a 7-digit account, with or without labels.
_POST_OFFICE = re.compile(
    r"(?:局號[^0-9\n]{0,4}?(\d{7})[^0-9\n]{0,8}?帳號[^0-9\n]{0,4}?(\d{7})"
    r"|(?:郵局|郵政|存簿)[^0-9\n]{0,8}?(\d{7})[ \-]{1,3}(\d{7}))" + NOT_DIGIT_AFTER
)
# Words between a bank label and a number that show the number is something else.
_BANK_GAP_STOP = re.compile(r"電話|手機|專線|分機|傳真|客服|來電|致電|回電|聯絡|連絡|撥|[第字]|tel", re.IGNORECASE)


# The value first, its label after it: 0000 1234 5678 是健保卡號, 0001234-0567890（郵局帳號）.
_LABEL_AFTER = r"(?![0-9])[^0-9A-Za-z\n]{0,6}?"
_NHI_AFTER = re.compile(r"(?<![0-9])(\d(?:" + _NSEP + r"\d){11})" + _LABEL_AFTER + r"健保")
_BANK_AFTER = re.compile(
    r"(?<![0-9])(\d(?:" + _NSEP + r"\d){9,19})" + _LABEL_AFTER + r"(?:帳號|帳戶|戶頭|存簿|" + _BANK_NAMES + r")"
)
_RECORD_AFTER = re.compile(
    r"(?<![0-9A-Za-z])([A-Za-z]{0,2}[0-9](?:[0-9\-]{3,15})[0-9])(?![0-9A-Za-z])[^0-9A-Za-z\n]{0,8}?"
    r"(?:病[歷例]號|住院號)"
)


def find_nhi(t: str) -> Iterator[Hit]:
    """Twelve-digit NHI card numbers next to a 健保 label (before or after)."""
    for rx in (_NHI, _NHI_AFTER):
        for m in rx.finditer(t):
            yield Hit(Kind.NHI_CARD, m.start(1), m.end(1), mask_keep(digits_of(m.group(1)), 2, 2), 85)


def find_bank(t: str) -> Iterator[Hit]:
    """Bank / post-office account numbers after an account label or a bank's name."""
    for m in _BANK.finditer(t):
        if _BANK_GAP_STOP.search(m.group(1)):
            continue
        digits = digits_of(m.group(2))
        # A mobile number next to a bank word is still a phone number.
        if not 10 <= len(digits) <= 20 or MOBILE.fullmatch(digits):
            continue
        yield Hit(Kind.BANK_ACCOUNT, m.start(2), m.end(2), mask_keep(digits, 0, 3), 80)
    for m in _BANK_AFTER.finditer(t):
        digits = digits_of(m.group(1))
        if not MOBILE.fullmatch(digits):
            yield Hit(Kind.BANK_ACCOUNT, m.start(1), m.end(1), mask_keep(digits, 0, 3), 80)
    for m in _POST_OFFICE.finditer(t):
        first = 1 if m.group(1) else 3
        start, end = m.start(first), m.end(first + 1)
        yield Hit(Kind.BANK_ACCOUNT, start, end, mask_keep(digits_of(t[start:end]), 0, 3), 81)


# A private LINE ID after a LINE / 賴 label. Official accounts start with @ and are public.
_LINE = re.compile(
    # "line" in English prose (LINE takes a reply token) is no label: it needs ID, 帳號 or a colon.
    r"(?:(?<![A-Za-z])line(?: ?(?:id|帳號|帳戶|號碼)(?:是|為)?[ :：=]{0,3}|(?:是|為|的是)[ :：]{0,2}|[ ]?[:：=][ ]{0,2})"
    r"|賴(?: ?(?:id|帳號|帳戶|號碼))?(?:是|為|我|的是)?[ :：=]{0,3})(?:是|為)?[ :：]{0,2}"
    r"(?<![@A-Za-z0-9])([A-Za-z0-9][A-Za-z0-9._\-]{2,19})(?![A-Za-z0-9@.\-])",
    re.IGNORECASE,
)
_LINE_STOP = frozenset({"bot", "pay", "notify", "today", "official", "group", "id", "line", "app", "qr", "ok"})


def find_line_ids(t: str) -> Iterator[Hit]:
    """Private LINE IDs: Line ID: lily0923, 賴: ahong_520, line：wang.mei88."""
    for m in _LINE.finditer(t):
        value = m.group(1)
        if value.lower() in _LINE_STOP or (value.isdigit() and len(value) < 6):
            continue
        yield Hit(Kind.LINE_ID, m.start(1), m.end(1), mask_keep(value, 1, 1), 75)


# 病歷號 12345678, 住院號：114-000123, 病歷：76543210 (病例 is the common typo).
_RECORD = re.compile(
    r"(?:病[歷例]|住院|門診|急診)(?:號碼|編號|號|碼)?(?:是|為)?[ :：]{0,3}"
    r"(?<![0-9A-Za-z])([A-Za-z]{0,2}[0-9](?:[0-9\-]{3,15})[0-9])(?![0-9A-Za-z])"
)


def find_records(t: str) -> Iterator[Hit]:
    """Hospital record and admission numbers next to their label (before or after)."""
    for m in _RECORD.finditer(t):
        label = t[m.start():m.start(1)]
        if not re.search(r"號|碼|[:：]|是|為", label):
            continue  # 住院 3 天 is a stay, not a number
        yield Hit(Kind.MEDICAL_RECORD, m.start(1), m.end(1), mask_keep(m.group(1), 1, 2), 84)
    for m in _RECORD_AFTER.finditer(t):
        yield Hit(Kind.MEDICAL_RECORD, m.start(1), m.end(1), mask_keep(m.group(1), 1, 2), 84)
