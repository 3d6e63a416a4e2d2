"""What the screen reports: kinds of personal data, their labels, and which ones a sender may confirm.

Confirmable kinds are judgement calls, not structured identifiers: a name-like finding may be a
place or a shop, and an indirect identification (a diagnosis tied to a small group) may be too
vague to point at anyone. They are refused like every other kind, but the sender may confirm the
text is not personal data and send it once (audited without the text). A structured identifier
(ID, phone, e-mail, account, plate, ...) is never confirmable: its masked version is the only
thing that may be sent.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """Kinds of personal data the screen reports."""

    NATIONAL_ID = "national_id"
    RESIDENT_ID = "resident_id"
    PASSPORT = "passport"
    NHI_CARD = "nhi_card"
    BANK_ACCOUNT = "bank_account"
    PLATE = "plate"
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"
    BIRTH_DATE = "birth_date"
    NAME = "name"
    LINE_ID = "line_id"
    MEDICAL_RECORD = "medical_record"
    STUDENT = "student"
    SENSITIVE_CONTEXT = "sensitive_context"

    @property
    def confirmable(self) -> bool:
        """True if the sender may confirm a finding of this kind is not personal data."""
        return self in CONFIRMABLE_KINDS

    @property
    def label(self) -> str:
        """The zh-TW label users see."""
        return KIND_LABELS[self]


# Judgement calls a sender may overrule; everything else is structured and never sendable as is.
CONFIRMABLE_KINDS: frozenset[Kind] = frozenset({Kind.NAME, Kind.SENSITIVE_CONTEXT})

KIND_LABELS: dict[Kind, str] = {
    Kind.NATIONAL_ID: "身分證字號",
    Kind.RESIDENT_ID: "居留證號",
    Kind.PASSPORT: "護照號碼",
    Kind.NHI_CARD: "健保卡號",
    Kind.BANK_ACCOUNT: "銀行帳號",
    Kind.PLATE: "車牌號碼",
    Kind.EMAIL: "電子郵件",
    Kind.PHONE: "電話號碼",
    Kind.ADDRESS: "門牌地址",
    Kind.BIRTH_DATE: "出生日期",
    Kind.NAME: "姓名",
    Kind.LINE_ID: "LINE ID",
    Kind.MEDICAL_RECORD: "病歷號碼",
    Kind.STUDENT: "學校班級座號",
    Kind.SENSITIVE_CONTEXT: "可識別個人的敏感資訊",
}


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind, span in the original text and a masked preview."""

    kind: Kind
    start: int
    end: int
    preview: str


@dataclass(frozen=True)
class PublicDirectory:
    """Public agency phone numbers (digits) and addresses that are not personal data."""

    phones: frozenset[str] = frozenset()
    addresses: frozenset[str] = frozenset()
