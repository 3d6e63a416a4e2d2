"""Urgent requests: creating, claiming, closing, escalating, purging — database work without LINE."""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session, joinedload

from bot import reminders, roster
from bot.config import Config
from bot.db import as_loaded, insert_on_conflict, write
from models.incidents import Incident, IncidentCounter, IncidentStatus, IncidentUnit, IncidentUpdate, UpdateKind
from models.roster import Contact, District, Group, Unit
from rules.dates import TAIPEI, case_number, find_case_numbers
from rules.incidents import Parties, Refusal, Urgency, claim_refusal, close_refusal, escalation_times, units_named
from rules.workdays import calendar_from_setting

ESCALATION = "incident_escalation"


def key_prefix(incident: Incident) -> str:
    return f"incident:{incident.id}:"


def district_group(session: Session, district: District) -> Group | None:
    """The district's bound group that requests are posted to (the first one bound)."""
    groups = roster.groups_of_district(session, district.id)
    return groups[0] if groups else None


def next_number(session: Session, district_id: int, now: datetime) -> str:
    """Allocate `ROC date + sequence` (1151122-03) in one atomic upsert, so two workers never share a number."""
    day = now.astimezone(TAIPEI).date()
    bumped = _bump_counter(session.get_bind().dialect.name)
    last = write(session, bumped, {"district_id": district_id, "day": day}).scalar_one()
    return case_number(day, last, width=2)


@lru_cache(maxsize=2)
def _bump_counter(dialect: str) -> Any:
    """The day's first two requests may arrive at once: the upsert creates the row or bumps it under its row
    lock. Built once per dialect (building it cost about as much as running it)."""
    insert = insert_on_conflict(dialect, IncidentCounter).values(district_id=bindparam("district_id"), day=bindparam("day"),
                                                    last=1)
    return insert.on_conflict_do_update(index_elements=[IncidentCounter.district_id, IncidentCounter.day],
                                        set_={"last": IncidentCounter.last + 1}).returning(IncidentCounter.last)


def resolve_tags(district: District, tags: tuple[str, ...]) -> tuple[list[Unit], list[str]]:
    """Map `@衛生局` style tags to the district's units; return the units and the unknown tags."""
    units, unknown = [], []
    for tag in tags:
        unit = roster.find_unit_in(district, tag)
        if unit is None:
            unknown.append(tag)
        elif unit not in units:
            units.append(unit)
    return units, unknown


def named_in_text(district: District, body: str, besides: int) -> list[Unit]:
    """Units written in plain text ("請衛生局協助"), except the requester's own (`besides`)."""
    names = {u.id: (u.name, u.short_name, *[a for a in u.aliases.split(",") if a]) for u in district.units
             if u.id != besides}
    by_id = {u.id: u for u in district.units}
    return [by_id[i] for i in units_named(body, names)]


def create(session: Session, *, requester: Contact, group: Group, category: str, urgency: Urgency, body: str,
           units: list[Unit], message_id: str | None, now: datetime, config: Config) -> Incident:
    """Record a request and schedule its escalations.

    Written with Core statements and put in the session as loaded, with the units asked: through the
    ORM's flush the two INSERTs cost about three times as much (a 求助 is the busiest writer in an incident).
    """
    district = requester.unit.district
    fields: dict[str, Any] = dict(
        number=next_number(session, district.id, now), district_id=district.id, requester_id=requester.id,
        requester_unit_id=requester.unit_id, category=category, urgency=urgency, text=body,
        line_message_id=message_id, group_line_id=group.line_group_id, status=IncidentStatus.OPEN, created_at=now,
        claimed_at=None, claimed_unit_id=None, closed_at=None, for_case_conference=False, purged_at=None)
    incident_id = write(session, _INSERT_INCIDENT, fields).scalar_one()
    links = [{"incident_id": incident_id, "unit_id": u.id} for u in units]
    ids = write(session, _INSERT_ASKED, links).scalars().all() if links else []
    asked = [as_loaded(session, IncidentUnit(id=link_id, incident_id=incident_id, unit_id=u.id), unit=u)
             for link_id, u in zip(ids, units)]
    incident = as_loaded(session, Incident(id=incident_id, **fields), asked=asked)
    schedule_escalations(session, incident, config)
    return incident


_INSERT_INCIDENT = insert(Incident).returning(Incident.id)
_INSERT_ASKED = insert(IncidentUnit).returning(IncidentUnit.id, sort_by_parameter_order=True)


def schedule_escalations(session: Session, incident: Incident, config: Config) -> None:
    """Re-post to the asked units after the first period, then tell the secretariat."""
    first, second = escalation_times(
        incident.created_at, incident.urgency, timedelta(minutes=config.incident_escalation_minutes),
        timedelta(minutes=config.incident_second_escalation_minutes), calendar_from_setting(config.workday_calendar))
    reminders.add(session, ESCALATION, incident.id, incident.group_line_id,
                  {key_prefix(incident) + "repost": first, key_prefix(incident) + "secretariat": second})


def find(session: Session, number_text: str, district_id: int | None, with_history: bool = False) -> Incident | None:
    """Find a request by its number in the user's district (`with_history`: with what its card shows)."""
    found = find_case_numbers(number_text)
    if not found:
        return None
    day, seq = found[0][1], found[0][2]
    params: dict[str, Any] = {"number": case_number(day, seq, width=2)}
    if district_id is not None:
        params["district_id"] = district_id
    return session.scalars(_find_query(with_history, district_id is not None), params).unique().first()


@lru_cache(maxsize=4)
def _find_query(with_history: bool, in_district: bool) -> Any:
    query = select(Incident).where(Incident.number == bindparam("number"))
    if with_history:  # what the card shows, in the same query
        query = query.options(joinedload(Incident.asked).joinedload(IncidentUnit.unit),
                              joinedload(Incident.requester_unit), joinedload(Incident.claimed_unit))
    if in_district:
        query = query.where(Incident.district_id == bindparam("district_id"))
    return query


def recent_updates(session: Session, incident: Incident, limit: int) -> list[IncidentUpdate]:
    """The request's last `limit` updates, oldest first (a long history is not loaded whole)."""
    newest = session.scalars(_recent_query(limit), {"incident_id": incident.id})
    return list(reversed(newest.all()))


@lru_cache(maxsize=4)
def _recent_query(limit: int) -> Any:
    return (select(IncidentUpdate).where(IncidentUpdate.incident_id == bindparam("incident_id"))
            .options(joinedload(IncidentUpdate.unit)).order_by(IncidentUpdate.id.desc()).limit(limit))


def parties(incident: Incident) -> Parties:
    """The request's parties as plain ids, for the rules of claiming and closing."""
    return Parties(status=str(incident.status), requester_unit_id=incident.requester_unit_id,
                   asked_unit_ids=frozenset(u.id for u in incident.asked_units),
                   claimed_unit_id=incident.claimed_unit_id)


def asked_unit_ids(session: Session, incident: Incident) -> list[int]:
    """The units a request waits for: those asked, or every unit of the district but the requester's."""
    asked = [u.id for u in incident.asked_units]
    return asked or [u.id for u in incident.district.units if u.id != incident.requester_unit_id]


def claim_refused(incident: Incident, contact: Contact) -> Refusal | None:
    """Why the contact's unit may not take the request as it stands (None: it may)."""
    return claim_refusal(parties(incident), contact.unit_id)


def claim(session: Session, incident: Incident, contact: Contact, now: datetime) -> Refusal | None:
    """Take the request for the contact's unit; the reason when the rules say no (nothing changes)."""
    refused = claim_refused(incident, contact)
    if refused is not None:
        return refused
    incident.status = IncidentStatus.CLAIMED
    incident.claimed_at = now
    incident.claimed_unit_id = contact.unit_id
    incident.claimed_unit = contact.unit
    _add_update(session, incident, contact, UpdateKind.CLAIM, None, None, now)
    reminders.cancel(session, key_prefix(incident))
    return None


def may_close(incident: Incident, contact: Contact | None, can_manage: bool) -> bool:
    """The requesting unit, the claiming unit or the secretariat closes (or flags) a request."""
    refused = close_refusal(parties(incident), contact.unit_id if contact else None, can_manage)
    return refused is None or refused == Refusal.CLOSED


def close(session: Session, incident: Incident, contact: Contact, can_manage: bool, now: datetime) -> Refusal | None:
    """Close the request; the reason when it is closed already or the contact may not (nothing changes)."""
    refused = close_refusal(parties(incident), contact.unit_id, can_manage)
    if refused is not None:
        return refused
    incident.status = IncidentStatus.CLOSED
    incident.closed_at = now
    _add_update(session, incident, contact, UpdateKind.CLOSE, None, None, now)
    reminders.cancel(session, key_prefix(incident))
    return None


def flag_for_conference(incident: Incident, contact: Contact | None, can_manage: bool) -> str | None:
    """Put a closed request on the next case conference's list; the reason when it cannot be."""
    if incident.status != IncidentStatus.CLOSED:
        return "open"
    if not may_close(incident, contact, can_manage):
        return "not_involved"
    incident.for_case_conference = True
    return None


def open_for_unit(session: Session, unit: Unit, limit: int = 10) -> list[Incident]:
    """The unit's requests not yet closed: raised by it, claimed by it, or asking it (newest first)."""
    asking = select(IncidentUnit.incident_id).where(IncidentUnit.unit_id == unit.id)
    unnamed = ~select(IncidentUnit.id).where(IncidentUnit.incident_id == Incident.id).exists()
    query = (select(Incident).where(Incident.district_id == unit.district_id,
                                    Incident.status != IncidentStatus.CLOSED)
             .where((Incident.requester_unit_id == unit.id) | (Incident.claimed_unit_id == unit.id)
                    | ((Incident.status == IncidentStatus.OPEN) & (Incident.id.in_(asking) | unnamed)))
             .options(joinedload(Incident.asked).joinedload(IncidentUnit.unit),
                      joinedload(Incident.requester_unit), joinedload(Incident.claimed_unit))
             .order_by(Incident.created_at.desc()).limit(limit))
    return list(session.scalars(query).unique())


def report(session: Session, incident: Incident, contact: Contact, body: str, message_id: str | None,
           now: datetime) -> IncidentUpdate:
    return _add_update(session, incident, contact, UpdateKind.REPORT, body, message_id, now)


def ask_info(session: Session, incident: Incident, contact: Contact, now: datetime) -> IncidentUpdate:
    return _add_update(session, incident, contact, UpdateKind.INFO_REQUEST, None, None, now)


def _add_update(session: Session, incident: Incident, contact: Contact, kind: UpdateKind, body: str | None,
                message_id: str | None, now: datetime) -> IncidentUpdate:
    """A line of the request's history, written with a Core INSERT (a tap in a burst writes one each)."""
    fields: dict[str, Any] = dict(incident_id=incident.id, kind=kind, contact_id=contact.id, unit_id=contact.unit_id,
                                  text=body, line_message_id=message_id, created_at=now)
    row_id = write(session, _INSERT_UPDATE, fields).scalar_one()
    return as_loaded(session, IncidentUpdate(id=row_id, **fields), unit=contact.unit)


_INSERT_UPDATE = insert(IncidentUpdate).returning(IncidentUpdate.id)


def forget_message(session: Session, message_id: str) -> list[str]:
    """An unsent LINE message takes its stored copy with it; returns the texts cleared (to clear their quotes)."""
    rows: list[Incident | IncidentUpdate] = [
        *session.scalars(select(Incident).where(Incident.line_message_id == message_id)),
        *session.scalars(select(IncidentUpdate).where(IncidentUpdate.line_message_id == message_id))]
    cleared: list[str] = []
    for row in rows:
        if row.text:
            cleared.append(row.text)
        row.text = None
    return cleared


def purge_expired(session: Session, now: datetime, retention_days: int) -> int:
    """Drop request and update texts older than the retention period; counts and times remain."""
    cutoff = now - timedelta(days=retention_days)
    old = list(session.scalars(select(Incident).where(Incident.created_at < cutoff, Incident.purged_at.is_(None))))
    for incident in old:
        incident.text = None
        incident.purged_at = now
        for row in incident.updates:
            row.text = None
    return len(old)


def in_period(session: Session, district_id: int | None, since: datetime) -> list[Incident]:
    query = select(Incident).where(Incident.created_at >= since).order_by(Incident.created_at)
    if district_id is not None:
        query = query.where(Incident.district_id == district_id)
    return list(session.scalars(query))


def secretariat_ids(session: Session, district: District) -> list[str]:
    """LINE ids of the district's approved secretariat contacts (falls back to admins)."""
    return roster.approvers(session, district, frozenset())


def board(session: Session, district_id: int, *, since: datetime | None = None, until: datetime | None = None,
          category: str | None = None, unit_id: int | None = None, status: str | None = None) -> list[Incident]:
    """A district's requests for the console's board, newest first, with what the board shows loaded."""
    query = select(Incident).where(Incident.district_id == district_id).options(
        joinedload(Incident.asked).joinedload(IncidentUnit.unit), joinedload(Incident.requester_unit),
        joinedload(Incident.claimed_unit)).order_by(Incident.created_at.desc(), Incident.id.desc())
    if since is not None:
        query = query.where(Incident.created_at >= since)
    if until is not None:
        query = query.where(Incident.created_at < until)
    if category:
        query = query.where(Incident.category == category)
    if status:
        query = query.where(Incident.status == status)
    if unit_id is not None:
        asked = select(IncidentUnit.incident_id).where(IncidentUnit.unit_id == unit_id)
        query = query.where((Incident.requester_unit_id == unit_id) | (Incident.claimed_unit_id == unit_id)
                            | Incident.id.in_(asked))
    return list(session.scalars(query).unique())


def escalations_sent(session: Session, incident_ids: list[int]) -> dict[int, list[datetime]]:
    """When each request's escalations went out (re-post to the units, then the secretariat), by request."""
    from models.reminders import Reminder, ReminderState
    sent: dict[int, list[datetime]] = {i: [] for i in incident_ids}
    if not incident_ids:
        return sent
    rows = session.execute(select(Reminder.subject_id, Reminder.sent_at).where(
        Reminder.kind == ESCALATION, Reminder.subject_id.in_(incident_ids), Reminder.state == ReminderState.SENT,
        Reminder.sent_at.is_not(None)).order_by(Reminder.sent_at))
    for subject_id, at in rows:
        if at is not None:
            sent[subject_id].append(at)
    return sent
