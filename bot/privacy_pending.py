"""The masked version in one tap: what a refused chat text offers, and the sender's decision.

    refused text --offer--> card: 送出遮蔽版 / 修改 / 取消 [/ 這不是人名，照原文送出]
    送出遮蔽版 --> the original command runs again with the masked text (through the router)
    照原文送出 --> only when every finding is confirmable (a name-like word that is a shop or a place):
                  audited (kinds only) and run again with the original, those words let through
    修改 / 取消 / any new text / expiry --> what waited is erased

What waits for the decision (the masked text and, for a confirm step, the original) is kept only
in the conversation row, which is encrypted, under the key `_privacy`: in the row of the flow the
sender is in, or in a short row of its own (flow `privacy`). The buttons carry the row's id and
version, so a button of an earlier refusal (or one already used) is refused politely.
"""
from __future__ import annotations

import dataclasses
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot import conversations, flows, privacy_outbound
from bot.context import Ctx
from bot.events import EventKind, Inbound
from bot.messages import FlexCard, Message, Outbound, postback, reply, text
from bot.privacy_findings import findings_in, is_confirmable, token
from models.conversations import Conversation
from rules.dates import to_taipei
from rules.privacy import Finding, kinds_found, masked

FLOW = "privacy"
ACTION = "privacy"
KEY = conversations.PENDING
MINUTES = 10  # long enough to read the masked version on a phone, short enough not to keep it around
STALE = "這個按鈕已失效（已處理過或已逾時），內容沒有送出。請重新輸入。"

def offer(ctx: Ctx, label: str, body: str, findings: list[Finding]) -> list[Message]:
    """Keep what the sender may decide on and return the card with the buttons; [] when nothing can be offered."""
    event = ctx.event
    if event is None or event.kind != EventKind.TEXT or not (event.user_id and event.chat_id) or body not in event.text:
        return []  # the guard cannot run this text again (a web page, a postback)
    masked_body = masked(body, findings, today=to_taipei(ctx.now).date())
    masked_full = event.text.replace(body, masked_body, 1)
    sendable = masked_body != body and not findings_in(ctx, masked_full)
    confirmable = all(is_confirmable(f.kind) for f in findings)
    if not sendable and not confirmable:
        return []
    row = _row_for(ctx, event)
    row.data = {**(row.data or {}), KEY: {
        "label": label, "masked": masked_full if sendable else None, "nonce": secrets.token_hex(6),
        "original": event.text if confirmable else None,
        "confirm": sorted({token(body, f) for f in findings}) if confirmable else [],
        "kinds": [str(k) for k in kinds_found(findings)]}}
    ctx.session.flush()  # the version the buttons carry is the one after this write
    return [_card(row, row.data[KEY]["nonce"], masked_body if sendable else None, confirmable)]


def _row_for(ctx: Ctx, event: Inbound) -> Conversation:
    assert event.chat_id and event.user_id
    row = ctx.conversation or conversations.load(ctx.session, event.chat_id, event.user_id, ctx.now)
    if row is not None:
        return row
    return conversations.start(ctx.session, event.chat_id, event.user_id, FLOW, "decide", ctx.now, MINUTES)


def _card(row: Conversation, nonce: str, masked_body: str | None, confirmable: bool) -> Message:
    # id and version name the row as it was; the nonce tells this refusal from a later one in a reused row id.
    def button(label: str, choice: str) -> dict[str, Any]:
        return postback(label, ACTION, display=label, d=choice, c=row.id, v=row.version, n=nonce)
    actions = [button("送出遮蔽版", "mask")] if masked_body else []
    if confirmable:
        actions.append(button("這不是人名，照原文送出", "orig"))
    actions += [button("修改", "edit"), button("取消", "cancel")]
    body = (f"遮蔽版：\n{masked_body}" if masked_body else
            "若標示的字詞不是人名（例如店名、地名），可確認後照原文送出；否則請修改。")
    return FlexCard(title="要送出遮蔽版嗎？", alt="內容含個資：要送出遮蔽版嗎？", body=body, actions=actions).message()


def on_decision(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """A tap on 送出遮蔽版 / 照原文送出 / 修改 / 取消."""
    row = None
    if event.chat_id and event.user_id:
        row = ctx.conversation or conversations.load(ctx.session, event.chat_id, event.user_id, ctx.now)
    pending = (row.data or {}).get(KEY) if row is not None else None
    if row is None or not pending or event.postback.get("c") != str(row.id) \
            or event.postback.get("v") != str(row.version) or event.postback.get("n") != pending.get("nonce"):
        return [reply(text(STALE))]
    erase(ctx.session, row)
    choice = event.postback.get("d")
    if choice == "mask" and pending.get("masked"):
        return _run_again(event, ctx, pending["masked"])
    if choice == "orig" and pending.get("original"):
        words = frozenset(pending.get("confirm") or ())
        privacy_outbound.remember_confirmed(ctx.session, ctx.now, ctx.user_id or "", pending.get("label", ""),
                                            pending.get("kinds", []), words)
        ctx.privacy_confirmed = words
        return _run_again(event, ctx, pending["original"])
    if choice == "edit":
        draft = pending.get("masked")
        said = [text("請修改後重新輸入。" + ("可複製下面的遮蔽版再修改：" if draft else ""))]
        return [reply(*said, *([text(draft)] if draft else []))]
    return [reply(text("已取消：內容沒有送出，也沒有保存。"))]


def on_pending(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """The `privacy` row's flow: a tap decides; any new text drops what waited and is handled as usual."""
    row = ctx.conversation
    if event.kind == EventKind.POSTBACK:
        return on_decision(event, ctx)
    if row is not None:
        erase(ctx.session, row)
    ctx.conversation = None
    return ctx.router.dispatch(event, ctx) if ctx.router is not None else []


def erase(session: Session, row: Conversation) -> None:
    """Drop what waited for a decision: the whole row if it was the guard's, else only its key."""
    if row.flow == FLOW:
        conversations.end(session, row)
        return
    conversations.drop_pending(row)
    session.flush()


def _run_again(event: Inbound, ctx: Ctx, said: str) -> list[Outbound]:
    """Run the refused command again, as if the sender had typed `said`."""
    again = dataclasses.replace(event, kind=EventKind.TEXT, text=said, postback={}, params={}, message_id=None)
    ctx.event, ctx.conversation = again, None
    return ctx.router.dispatch(again, ctx) if ctx.router is not None else []


def expire(services: Any, now: datetime) -> int:
    """Job: delete expired conversation rows, so an abandoned draft or masked version is not kept."""
    with services.db.transaction() as session:
        return session.execute(delete(Conversation).where(Conversation.expires_at <= now)).rowcount or 0


# The guard's own short row: one state, a tap decides; passive, so a command word runs as usual.
PENDING_FLOW = flows.Flow(name=FLOW, title="個資確認", passive=True, actions=frozenset({ACTION}), states=(
    flows.State("decide", lambda ctx, data: [], lambda event, ctx, data: flows.handled(*on_pending(event, ctx))),))
