"""Quarterly review of the roster: contacts silent for CONTACT_SILENT_DAYS are listed to their secretariat.

People change jobs without telling the bot; a contact who has not used it for half a year may
no longer speak for the unit. Once a quarter (from the 1st of January, April, July and October,
09:00 Taipei) each district's secretariat gets the list in 1:1 and decides with 停用. An audit
row per quarter marks the review done, so a restart or a second scheduler sends it once.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot import outbox, roster
from bot.messages import push
from handlers.roster import render
from models.audit import AuditEntry
from rules.dates import TAIPEI

REVIEW_HOUR = 9


def quarter_start(now: datetime) -> datetime:
    """09:00 Taipei on the first day of the quarter `now` is in."""
    local = now.astimezone(TAIPEI)
    month = 3 * ((local.month - 1) // 3) + 1
    return local.replace(month=month, day=1, hour=REVIEW_HOUR, minute=0, second=0, microsecond=0)


def review_silent(services, now: datetime) -> int:
    """Job: once a quarter, tell each district's secretariat who has gone silent; returns messages queued."""
    start = quarter_start(now)
    if now < start:
        return 0
    label = f"{start.year}Q{(start.month - 1) // 3 + 1}"
    silent_since = now - timedelta(days=services.config.contact_silent_days)
    with services.db.transaction() as session:
        done = session.scalars(select(AuditEntry.id).where(
            AuditEntry.action == "silent_review", AuditEntry.at >= start)).first()
        if done is not None:
            return 0
        session.add(AuditEntry(at=now, actor="scheduler", action="silent_review", detail={"quarter": label}))
        silent = roster.silent_contacts(session, silent_since)
        said = []
        for district_id in sorted({c.unit.district_id for c in silent}):
            listed = [c for c in silent if c.unit.district_id == district_id]
            notice = render.silent_review(listed, services.config.contact_silent_days)
            for user_id in roster.approvers(session, listed[0].unit.district, services.config.admin_line_user_ids):
                said.append(push(user_id, notice, dedupe_key=f"silent:{label}:{district_id}:{user_id}"))
        rows = outbox.enqueue_claimed_all(session, said, now)
    outbox.send_claimed(services.db, services.gateway, rows, now)
    return len(rows)
