"""The personal-data screen applied to chat: what to check against, how to refuse, what to audit.

Every capability that accepts free text calls `check`; a refusal names the kinds found with
masked previews only, explains how to rephrase, and records an audit row with the kinds
(never the text).
"""
from __future__ import annotations

from rules.privacy import KIND_LABELS, Finding, Kind, kinds_found, screen

from bot.context import Ctx
from bot.messages import Message, text
from models.audit import AuditEntry

HOW_TO_REPHRASE = {
    Kind.NAME: "姓名請遮蔽（如 王○明、陳OO）",
    Kind.ADDRESS: "地址寫到路段或地標即可（如 新興路附近），不寫門牌",
    Kind.BIRTH_DATE: "以年齡代替出生日期（如 8歲男童）",
    Kind.PHONE: "電話請私訊或以公務電話聯繫，不貼在文字中",
}


def check(ctx: Ctx, body: str) -> list[Finding]:
    """Screen a text bound for the group or the database."""
    return screen(body, ctx.directory.public)


def found_summary(findings: list[Finding]) -> str:
    """`身分證字號（A1******89）、電話號碼（09**-***-678）` — kinds with masked previews only."""
    parts = []
    for kind in kinds_found(findings):
        previews = "、".join(dict.fromkeys(f.preview for f in findings if f.kind == kind))
        parts.append(f"{KIND_LABELS[kind]}（{previews}）")
    return "、".join(parts)


def refusal(findings: list[Finding], what: str = "這則訊息") -> Message:
    """The polite refusal for text that was not accepted (sent as a reply, never a push)."""
    tips = [HOW_TO_REPHRASE[k] for k in kinds_found(findings) if k in HOW_TO_REPHRASE]
    body = (f"{what}含有個人資料：{found_summary(findings)}，因此沒有送出，也沒有保存。\n"
            + ("請改寫：" + "；".join(tips) + "。\n" if tips else "請刪除這些資料後再送一次。\n")
            + "正式通報請循113保護專線或「關懷e起來」線上通報系統。")
    return text(body)


def unsend_request(findings: list[Finding]) -> Message:
    """Asked in the group: remove the message (LINE lets the sender unsend it)."""
    kinds = "、".join(KIND_LABELS[k] for k in kinds_found(findings))
    return text(f"提醒：剛才的訊息可能含有個人資料（{kinds}）。請長按該訊息選擇「收回」。"
                "群組內請勿張貼個案個資；正式通報請循113保護專線或「關懷e起來」。")


def audit(ctx: Ctx, findings: list[Finding], where: str) -> None:
    """Record that text was refused: who, when, which kinds; never the text."""
    ctx.session.add(AuditEntry(at=ctx.now, actor=ctx.user_id or "", action="privacy_refused",
                               detail={"where": where, "kinds": [str(k) for k in kinds_found(findings)]}))
