"""The one privacy guard: every user-typed text that will be stored or shown in a group passes here.

`require_clean(ctx, label, text)` is the only way a capability checks a field typed in chat: it
returns None for clean text, or the one refusal (one wording, masked previews only) after writing
an audit row with the kinds found (never the text). When the refused text came as a chat message,
the refusal also offers the masked version in one tap (see bot/privacy_pending.py): the guard keeps
what waits for the sender's decision, encrypted, in the conversation row, and runs the original
command again with the masked text. Web pages use `problem(...)`, the same check and wording.

The group screen (any group text with personal data gets a request to unsend it) is middleware of
the framework, not of a capability: it runs before every route.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy.orm import Session

from bot import privacy_pending
from bot.context import Ctx
from bot.directory import Directory
from bot.events import EventKind, Inbound
from bot.messages import Message, Outbound, reply, text
from bot.privacy_findings import findings_in, record
from bot.router import Capability, Job, Route
from rules.privacy import KIND_LABELS, Finding, Kind, kinds_found, screen

HOW_TO_REPHRASE = {
    Kind.NAME: "姓名請遮蔽（如 王○明、陳OO）",
    Kind.ADDRESS: "地址寫到路段或地標即可（如 新興路附近），不寫門牌",
    Kind.BIRTH_DATE: "以年齡代替出生日期（如 8歲男童）",
    Kind.PHONE: "電話請私訊或以公務電話聯繫，不貼在文字中",
}


def check(ctx: Ctx, body: str) -> list[Finding]:
    """Screen a text bound for the group or the database (no refusal, no audit: see require_clean)."""
    return findings_in(ctx, body)


def found_summary(findings: list[Finding]) -> str:
    """`身分證字號（A1******89）、電話號碼（09**-***-678）` — kinds with masked previews only."""
    parts = []
    for kind in kinds_found(findings):
        previews = "、".join(dict.fromkeys(f.preview for f in findings if f.kind == kind))
        parts.append(f"{KIND_LABELS[kind]}（{previews}）")
    return "、".join(parts)


def refusal_text(findings: list[Finding], label: str) -> str:
    """The one wording of a refusal: what was found (masked), that nothing was kept, how to rephrase."""
    tips = [HOW_TO_REPHRASE[k] for k in kinds_found(findings) if k in HOW_TO_REPHRASE]
    return (f"「{label}」含有個人資料：{found_summary(findings)}，因此沒有送出，也沒有保存。\n"
            + ("請改寫：" + "；".join(tips) + "。\n" if tips else "請刪除這些資料後再送一次。\n")
            + "正式通報請循113保護專線或「關懷e起來」線上通報系統。")


def refusal(findings: list[Finding], label: str = "這則訊息") -> Message:
    """The refusal as a chat message (sent as a reply, never a push)."""
    return text(refusal_text(findings, label))


def require_clean(ctx: Ctx, label: str, body: str | None) -> list[Outbound] | None:
    """None when `body` is clean; else audit it and return the refusal (with the masked version in one tap)."""
    if not body:
        return None
    findings = findings_in(ctx, body)
    if not findings:
        return None
    audit(ctx, findings, label)
    return [reply(refusal(findings, label), *privacy_pending.offer(ctx, label, body, findings))]


def problem(session: Session, directory: Directory, now: datetime, actor: str, label: str,
            body: str | None) -> str | None:
    """For web pages: the refusal's wording when `body` holds personal data (audited), else None."""
    if not body:
        return None
    findings = screen(body, directory.public)
    if not findings:
        return None
    record(session, now, actor, findings, label)
    return refusal_text(findings, label)


def unsend_request(findings: list[Finding]) -> Message:
    """Asked in the group: remove the message (LINE lets the sender unsend it)."""
    kinds = "、".join(KIND_LABELS[k] for k in kinds_found(findings))
    return text(f"提醒：剛才的訊息可能含有個人資料（{kinds}）。請長按該訊息選擇「收回」。"
                "群組內請勿張貼個案個資；正式通報請循113保護專線或「關懷e起來」。")


def screen_group_text(event: Inbound, ctx: Ctx) -> list[Outbound] | None:
    """Middleware: any group text holding personal data gets a request to unsend it, and nothing more."""
    if event.kind != EventKind.TEXT or not event.in_group:
        return None
    findings = findings_in(ctx, event.text)
    if not findings:
        return None
    audit(ctx, findings, "group")
    return [reply(unsend_request(findings))]


def may_write(event: Inbound) -> bool:
    """Whether the group screen will likely audit this text: a group text in which the screen finds anything.

    Decided without the roster or the sender's confirmations, so it may say yes where the guard then lets
    the text pass: that only takes SQLite's write lock for nothing.
    """
    return event.kind == EventKind.TEXT and event.in_group and bool(screen(event.text))


def audit(ctx: Ctx, findings: Iterable[Finding], where: str, action: str = "privacy_refused") -> None:
    """Record that text was refused (or confirmed): who, when, where, which kinds; never the text."""
    record(ctx.session, ctx.now, ctx.user_id or "", findings, where, action)


# The guard in the route table: the group screen before every route, the one-tap decision, expiry.
CAPABILITY = Capability(
    name="privacy",
    middleware=(screen_group_text,),  # before every capability's routes: the first capability listed
    writes_when=(may_write,),
    routes=(Route(privacy_pending.on_decision, action=privacy_pending.ACTION),),
    flows=(privacy_pending.PENDING_FLOW,),
    jobs=(Job("conversations_expire", privacy_pending.expire, every=timedelta(minutes=10)),),
)
