"""Fewer pushes for the same notices: the group's morning digest, and one push for what is due together.

LINE counts a push once per recipient however many messages it carries (up to five), so notices for
the same group are worth sending together (rules/economy.py has the choice per kind of message):

- At the group's digest time (Group.digest_time, else DIGEST_TIME, on workdays) the routine reminders
  for that group due before the next digest are pulled forward to now, if at least two would share the
  push and one of them would be a group push anyway (rules/economy.digest_picks). Reminders whose lead
  allows it (e.g. an activity's announcement, a meeting's 7-day reminder) ride along days early rather
  than cost a push of their own later. How early each kind may go, if at all, is its capability's call
  (`Capability.digestible` returns a DigestFit or None). Pulled rows are marked `in_digest`, so a
  chaser knows the group is being written to anyway.
- A routine group push waits BUNDLE_WINDOW_MINUTES (10) in the outbox; when the first of a group's
  waiting pushes is due, all of them that nobody has tried yet are merged into one push: plain
  texts joined into one text, Flex bubbles side by side in one carousel, at most five messages;
  what does not fit waits for the next push. Urgent rows (a request's card, escalations) are never
  merged or held.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.outbox import push_cost
from models.outbox import OutboxKind, OutboxMessage, OutboxStatus
from models.reminders import Reminder, ReminderState
from models.roster import Group
from rules.dates import TAIPEI
from rules.economy import (
    MAX_EARLY,
    MAX_MESSAGES_PER_PUSH,
    DigestFit,
    digest_moment,
    digest_picks,
    next_digest,
    parse_digest_time,
)
from rules.workdays import calendar_from_setting

log = logging.getLogger(__name__)
DIGEST_KIND = "group_digest"  # marker rows: one per group and day, so a digest is pulled once
MAX_BUBBLES = 12
DAY_END = time(18, 0)  # a digest may wait for a notice that keeps its hour until the working day ends


def pull_into_digests(services: Any, now: datetime) -> int:
    """Job: at each group's digest time, bring the day's routine reminders for it forward to now.

    It runs every tick, just ahead of the reminders: the day's markers are read in one query, so on
    every tick but a group's digest moment it costs two statements, however many groups there are.
    """
    config = services.config
    if not config.digest_time:
        return 0
    workdays = calendar_from_setting(config.workday_calendar)
    pulled = 0
    with services.db.transaction() as session:
        groups = list(session.scalars(select(Group).where(Group.district_id.is_not(None), Group.left_at.is_(None))))
        due = [(group, moment) for group in groups
               if (moment := _digest_due(group, config.digest_time, workdays.is_workday, now)) is not None]
        done = _markers_of(session, [_marker(group, moment) for group, moment in due])
        for group, moment in due:
            if _marker(group, moment) not in done:
                pulled += _pull(session, group, moment, workdays.is_workday, services.router.digestible, now,
                                _time_of(group, config.digest_time))
    return pulled


def _digest_due(group: Group, default_time: str, is_workday: Callable[[Any], bool], now: datetime) -> datetime | None:
    """Today's digest moment of the group once it has come (Taipei, workdays); None before it or on a day off."""
    local = now.astimezone(TAIPEI)
    moment = digest_moment(local.replace(hour=0, minute=0, second=0, microsecond=0), _time_of(group, default_time))
    return moment if local >= moment and is_workday(moment.date()) else None


def _marker(group: Group, moment: datetime) -> str:
    return f"digest:{group.line_group_id}:{moment.date().isoformat()}"


def _markers_of(session: Session, keys: list[str]) -> set[str]:
    """Which of these digest markers exist (a digest already pulled), in one query."""
    return set(session.scalars(select(Reminder.key).where(Reminder.key.in_(keys)))) if keys else set()


def next_digest_of(group: Group, config: Any, now: datetime, skip: int = 0) -> datetime | None:
    """The group's next morning digest strictly after `now` (Taipei; `skip` more after it), None when off."""
    if not config.digest_time:
        return None
    workdays = calendar_from_setting(config.workday_calendar)
    at = _time_of(group, config.digest_time)
    moment = next_digest(now.astimezone(TAIPEI), at, workdays.is_workday)
    for _ in range(skip):
        moment = next_digest(moment, at, workdays.is_workday)
    return moment


HELD = DigestFit(early=timedelta(days=1))
"""A one-off notice held for the group's digests (a form's card, a new meeting): due at the second digest
after it was made, it rides the first if that one goes anyway (rules.economy.digest_picks)."""


def hold_until(group: Group, config: Any, now: datetime) -> datetime | None:
    """When a held one-off notice is due at the latest (the second digest from now); None when digests are off."""
    return next_digest_of(group, config, now, skip=1)


def _time_of(group: Group, default_time: str) -> time:
    try:
        return parse_digest_time(group.digest_time or default_time)
    except ValueError:
        return parse_digest_time(default_time)


def _pull(session: Session, group: Group, moment: datetime, is_workday: Callable[[Any], bool],
          digestible: Mapping[str, Callable[[Reminder], DigestFit | None]], now: datetime, at: time) -> int:
    session.add(Reminder(key=_marker(group, moment), kind=DIGEST_KIND, subject_id=group.id, to=group.line_group_id,
                         due_at=moment, state=ReminderState.SENT, sent_at=now))
    horizon = next_digest(moment, at, is_workday)
    waiting = [(row, fit) for row in session.scalars(select(Reminder).where(
        Reminder.to == group.line_group_id, Reminder.state == ReminderState.SCHEDULED,
        Reminder.due_at < horizon + MAX_EARLY).order_by(Reminder.due_at))
        if (fit := digestible.get(row.kind, _never)(row)) is not None]
    day_end = moment.replace(hour=DAY_END.hour, minute=DAY_END.minute)
    picks, when = digest_picks([(row.due_at, fit) for row, fit in waiting], now, horizon, day_end)
    for index in picks:  # none: nothing to share a push with, each keeps its own time
        row = waiting[index][0]
        row.due_at = when
        row.in_digest = True
    return len(picks)


def _never(_row: Reminder) -> DigestFit | None:
    return None



def bundle_due(db: Any, now: datetime) -> int:
    """Merge the due, untried, non-urgent pushes to each group into as few pushes as fit; return rows merged."""
    with db.transaction() as session:
        rows = list(session.scalars(select(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.kind == OutboxKind.PUSH,
            OutboxMessage.attempts == 0, OutboxMessage.urgent.is_(False))
            .order_by(OutboxMessage.id).with_for_update(skip_locked=True)))
        by_chat: dict[str, list[OutboxMessage]] = {}
        for row in rows:
            if row.to.startswith(("C", "R")):
                by_chat.setdefault(row.to, []).append(row)
        merged = 0
        for chat, waiting in by_chat.items():
            if not any(row.next_attempt_at <= now for row in waiting):
                continue  # still inside its window: others to this group may join it
            for pack in _packs(waiting):
                if len(pack) > 1:
                    _merge(session, chat, pack, now)
                    merged += len(pack)
        return merged


def _packs(rows: list[OutboxMessage]) -> list[list[OutboxMessage]]:
    """Consecutive rows whose messages, compacted, fit in one push."""
    packs: list[list[OutboxMessage]] = []
    for row in rows:
        if packs and len(compact([m for r in packs[-1] + [row] for m in r.messages])) <= MAX_MESSAGES_PER_PUSH:
            packs[-1].append(row)
        else:
            packs.append([row])
    return packs


def _merge(session: Session, chat: str, pack: list[OutboxMessage], now: datetime) -> None:
    capabilities = {row.capability or "other" for row in pack}
    combined = OutboxMessage(
        kind=OutboxKind.PUSH, to=chat, messages=compact([m for row in pack for m in row.messages]),
        status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now, quota_cost=push_cost(session, chat),
        capability=capabilities.pop() if len(capabilities) == 1 else "digest",
        purpose=("+".join(sorted({row.purpose or "other" for row in pack})))[:60], created_at=now)
    session.add(combined)
    session.flush()
    for row in pack:
        row.status, row.bundled_into, row.sent_at = OutboxStatus.BUNDLED, combined.id, now
    log.info("outbox %s carries %s notices for one group push", combined.id, len(pack))


def compact(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fewer message objects saying the same: plain texts joined, single Flex bubbles in one carousel."""
    out: list[dict[str, Any]] = []
    ours: set[int] = set()  # carousels made here (a capability's own carousel is left as it is)
    for message in messages:
        last = out[-1] if out else None
        if last is not None and _plain_text(message) and _plain_text(last) and \
                len(last["text"]) + len(message["text"]) < 4900:
            out[-1] = {"type": "text", "text": last["text"] + "\n\n" + message["text"]}
        elif last is not None and _bubble(message) and (_bubble(last) or (
                len(out) - 1 in ours and len(last["contents"]["contents"]) < MAX_BUBBLES)):
            out[-1] = _add_bubble(last, message)
            ours.add(len(out) - 1)
        else:
            out.append(message)
    return out


def _plain_text(message: dict[str, Any]) -> bool:
    return message.get("type") == "text" and "quickReply" not in message and "quoteToken" not in message


def _bubble(message: dict[str, Any]) -> bool:
    return message.get("type") == "flex" and message.get("contents", {}).get("type") == "bubble" \
        and "quickReply" not in message


def _add_bubble(last: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
    contents = last["contents"]
    bubbles = [contents] if contents.get("type") == "bubble" else list(contents["contents"])
    return {"type": "flex", "altText": (last["altText"] + "；" + message["altText"])[:400],
            "contents": {"type": "carousel", "contents": bubbles + [message["contents"]]}}
