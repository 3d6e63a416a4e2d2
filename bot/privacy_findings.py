"""What a screen found, shared by the guard, the masked version in one tap and the outbound screen.

The lowest of the privacy modules (bot/privacy_guard.py, bot/privacy_pending.py,
bot/privacy_outbound.py import it, it imports none of them): the screen with the sender's confirmed
words left out, the words a finding covers, which kinds may be confirmed, and the audit row.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bot.context import Ctx
from bot.db import write
from models.audit import AuditEntry
from rules.privacy import Finding, Kind, kinds_found, screen


def findings_in(ctx: Ctx, body: str) -> list[Finding]:
    """Screen a text, leaving out what the sender confirmed in this event is not a person (a shop, a place)."""
    found = screen(body, ctx.directory.public)
    if not ctx.privacy_confirmed:
        return found
    return [f for f in found if token(body, f) not in ctx.privacy_confirmed]


def token(body: str, finding: Finding) -> str:
    """The words a finding covers, as compared when the sender confirmed them."""
    return "".join(body[finding.start:finding.end].split())


def is_confirmable(kind: Kind) -> bool:
    """Names and indirect identification may be sent once confirmed; structured identifiers never."""
    return kind.confirmable


def record(session: Session, now: datetime, actor: str, findings: Iterable[Finding], where: str,
           action: str = "privacy_refused") -> None:
    """Write the audit row of a privacy decision (kinds only), with a Core INSERT: personal data typed into a
    group is refused often, and this row was the one object its event flushed."""
    write(session, _INSERT_AUDIT, {"at": now, "actor": actor, "action": action,
                                   "detail": {"where": where, "kinds": [str(k) for k in kinds_found(findings)]}})


_INSERT_AUDIT = insert(AuditEntry)
