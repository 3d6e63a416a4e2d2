"""The last line of defence: every message bound for a group or room is screened before it is sent.

Fields are guarded where they are typed (bot/privacy_guard.py); this screen sits where every
group-bound message passes, so a new field or capability cannot forget it: what an event said
(`screen_event`, called by bot/inbox.py for the webhook and the waiting-event paths alike) and what
the scheduler's reminders say (`screen_scheduled`, called by bot/reminders.py). A finding blocks
that message, is audited (kinds only), and the sender (or the district secretariat, for a
scheduled message) is told in 1:1.

What passes by construction rather than by luck: the directory's agency phones and addresses (the
screen's public directory), mentions (a textV2 `{key}` placeholder is a LINE mention object, never
a typed name), roster contacts' display names, masked previews (王○明, 09**-***-678: masked text is
what the detector lets through), and words a sender confirmed are not a person (a shop, a place),
kept as keyed digests in the confirmation's audit row.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime
from typing import Any, Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.context import Ctx
from bot.events import Inbound
from bot.messages import Message, Outbound, push, reply, text
from bot.privacy_findings import is_confirmable, record, token
from models import crypto
from models.audit import AuditEntry
from models.roster import Contact, ContactStatus, Group, Role, Unit
from rules.privacy import KIND_LABELS, Finding, PublicDirectory, kinds_found, screen

CONFIRMED = "privacy_confirmed"
_PLACEHOLDER = re.compile(r"\{[A-Za-z0-9_]{1,20}\}")
# Keys whose values a reader sees; postback data and URIs are the bot's own, not shown.
_SHOWN_KEYS = frozenset({"text", "altText", "title", "label", "displayText"})


def is_group(to: str | None) -> bool:
    """Groups and rooms (LINE ids starting C / R); users start with U."""
    return bool(to) and str(to).startswith(("C", "R"))


def shown_texts(message: Any) -> Iterator[str]:
    """The strings of a message a reader sees, mentions left out (they are LINE objects, not text)."""
    if isinstance(message, dict):
        for key, value in message.items():
            if key in _SHOWN_KEYS and isinstance(value, str):
                yield _PLACEHOLDER.sub(" ", value) if message.get("type") == "textV2" and key == "text" else value
            elif isinstance(value, (dict, list)):
                yield from shown_texts(value)
    elif isinstance(message, list):
        for item in message:
            yield from shown_texts(item)


def digest(word: str) -> str:
    """A keyed digest of a confirmed word: comparable later, unreadable without the data key."""
    key = hashlib.sha256(b"privacy-allow:" + crypto.active().first_key()).digest()
    return hmac.new(key, word.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


class KnownClean:
    """Digests of strings the screen found nothing in, so a card's labels are not screened for every card.

    A 求助 card shows about twenty strings (its buttons, the unit names, the category); screened one by one
    they cost more CPU than the rest of the card. The screen is a pure function of the text and the public
    directory, so a string found clean once stays clean. Only a keyed digest is kept, never the text: an
    unsent message leaves no copy here. Past `limit` digests the set starts again.
    """

    def __init__(self, limit: int = 4096) -> None:
        self._limit = limit
        self._seen: dict[tuple[int, bytes], None] = {}

    def screen(self, shown: str, public: PublicDirectory | None) -> list[Finding]:
        key = (id(public), hashlib.blake2b(shown.encode("utf-8"), digest_size=16, key=_CLEAN_KEY).digest())
        if key in self._seen:
            return []
        found = screen(shown, public)
        if not found:
            if len(self._seen) >= self._limit:
                self._seen.clear()
            self._seen[key] = None
        return found


_CLEAN_KEY = secrets.token_bytes(16)  # per process: the digests mean nothing outside it
_KNOWN_CLEAN = KnownClean()


def findings(session: Session, public: PublicDirectory | None, messages: list[Message],
             confirmed: frozenset[str] = frozenset()) -> list[Finding]:
    """Personal data in what the messages show, minus what passes by construction."""
    found: list[tuple[str, Finding]] = []
    for shown in dict.fromkeys(shown_texts(messages)):  # a card repeats labels (unit names, buttons): once each
        found.extend((token(shown, f), f) for f in _KNOWN_CLEAN.screen(shown, public))
    found = [(word, f) for word, f in found if word not in confirmed]
    if any(is_confirmable(f.kind) for _, f in found):
        names = _roster_names(session)
        allowed = _confirmed_digests(session)
        found = [(word, f) for word, f in found if not is_confirmable(f.kind)
                 or (word not in names and digest(word) not in allowed)]
    return [f for _, f in found]


def screen_event(ctx: Ctx, event: Inbound, said: list[Outbound]) -> list[Outbound]:
    """Drop what an event would say to a group with personal data in it; tell the sender in 1:1."""
    kept: list[Outbound] = []
    blocked: list[Finding] = []
    for outbound in said:
        found = findings(ctx.session, ctx.directory.public, outbound.messages, ctx.privacy_confirmed) \
            if is_group(outbound.to or event.chat_id) else []
        if found:
            blocked.extend(found)
        else:
            kept.append(outbound)
    if not blocked:
        return said
    record(ctx.session, ctx.now, ctx.user_id or "", blocked, "outbound")
    notice = text(_notice(blocked))
    if event.user_id is None:
        return kept
    if event.in_group:
        return kept + [push(event.user_id, notice)]
    return kept + [reply(notice)]


def screen_scheduled(session: Session, public: PublicDirectory | None, said: Iterable[Outbound], to: str,
                     now: datetime, kind: str) -> list[Outbound]:
    """Drop a scheduled message for a group's members with personal data in it; tell the district secretariat.

    A reminder scheduled for a group may go to the group itself or, to spend fewer counted messages, 1:1
    to some of its members (an escalation aimed at the asked units' contacts): both are screened.
    """
    kept: list[Outbound] = []
    for outbound in said:
        meant_for_group = is_group(to) or is_group(outbound.to or to)
        found = findings(session, public, outbound.messages) if meant_for_group else []
        if not found:
            kept.append(outbound)
            continue
        record(session, now, "scheduler", found, f"outbound:{kind}")
        kept.extend(push(user_id, text(_notice(found, scheduled=True))) for user_id in
                    _secretariat_of(session, to if is_group(to) else (outbound.to or to)))
    return kept


def remember_confirmed(session: Session, now: datetime, actor: str, where: str, kinds: list[str],
                       words: Iterable[str]) -> None:
    """Audit a sender's 'this is not a person' (kinds only), keeping the words as keyed digests."""
    session.add(AuditEntry(at=now, actor=actor, action=CONFIRMED,
                           detail={"where": where, "kinds": kinds, "allow": sorted(digest(w) for w in words)}))


def _notice(found: list[Finding], scheduled: bool = False) -> str:
    kinds = "、".join(KIND_LABELS[k] for k in kinds_found(found))
    what = "一則排程要送到群組的訊息" if scheduled else "您剛才的操作要送到群組的訊息"
    return (f"{what}疑似含有個人資料（{kinds}），小幫手已攔下，沒有送到群組。"
            "請檢查內容（姓名請遮蔽、不寫電話與門牌），修改後再送一次。")


def _roster_names(session: Session) -> frozenset[str]:
    names = session.scalars(select(Contact.display_name).where(Contact.display_name.is_not(None)))
    return frozenset("".join(n.split()) for n in names if n)


def _confirmed_digests(session: Session) -> frozenset[str]:
    details = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == CONFIRMED))
    return frozenset(d for detail in details for d in (detail or {}).get("allow", []))


def _secretariat_of(session: Session, group_line_id: str) -> list[str]:
    district_id = session.scalar(select(Group.district_id).where(Group.line_group_id == group_line_id))
    if district_id is None:
        return []
    return list(session.scalars(select(Contact.line_user_id).join(Unit).where(
        Unit.district_id == district_id, Contact.status == ContactStatus.ACTIVE,
        Contact.role.in_([Role.SECRETARIAT, Role.ADMIN]))))
