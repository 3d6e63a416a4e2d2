"""Forms rules that touch the database: create, broadcast, answer (latest wins, history kept), progress."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import reminders, roster
from bot.config import Config
from models.forms import Form, FormResponse, FormRevision, FormStatus, FormTarget
from models.roster import Contact, District, Group, Unit
from rules import forms as rules
from rules.workdays import calendar_from_setting

REMINDER_KIND = "form_reminder"
CARD_KIND = "form_card"  # a broadcast's group card waiting for the group's morning digest
SUMMARY_KIND = "form_summary"


@dataclass(frozen=True)
class UnitStatus:
    """Where one required unit stands on a form."""

    unit: Unit
    response: FormResponse | None

    @property
    def answered(self) -> bool:
        return self.response is not None


def spec_of(form: Form) -> rules.FormSpec:
    """The definition of a stored form."""
    return rules.FormSpec(form.title, form.instructions, rules.parse_fields(form.fields))


def create(session: Session, *, district: District, definition: rules.FormSpec, deadline: date,
           units: list[Unit] | None, created_by: str | None, now: datetime, template: str | None = None,
           include_secretariat: bool = False) -> Form:
    """Create a draft form; required units default to the district's units except the secretariat's.

    The secretariat asks; it answers its own form only when the form says so (`include_secretariat`,
    or units listed by name that include it).
    """
    chosen = units if units else default_units(district, include_secretariat)
    form = Form(district_id=district.id, title=definition.title, instructions=definition.instructions,
                fields=rules.fields_json(definition), template=template, deadline=deadline,
                status=FormStatus.DRAFT, created_by=created_by, created_at=now)
    form.targets = [FormTarget(unit_id=u.id) for u in chosen]
    session.add(form)
    session.flush()
    return form


def default_units(district: District, include_secretariat: bool = False) -> list[Unit]:
    """The units asked when none are named: every unit of the district, the secretariat's only if asked."""
    return [u for u in district.units if include_secretariat or not u.is_secretariat]


def get(session: Session, form_id: int) -> Form | None:
    """Find a form by its number."""
    return session.get(Form, form_id)


def parse_id(text: str) -> int | None:
    """Read a form number as typed: 3, #3, ＃3."""
    cleaned = rules.fold(text).lstrip("#").strip()
    return int(cleaned) if cleaned.isdigit() and len(cleaned) < 10 else None


def target_units(session: Session, form: Form) -> list[Unit]:
    """The units that must answer, in the roster's order."""
    return list(session.scalars(
        select(Unit).join(FormTarget, FormTarget.unit_id == Unit.id)
        .where(FormTarget.form_id == form.id).order_by(Unit.position, Unit.id)))


def is_target(session: Session, form: Form, unit_id: int) -> bool:
    """Tell whether the unit must answer the form."""
    return session.scalar(select(FormTarget.id).where(
        FormTarget.form_id == form.id, FormTarget.unit_id == unit_id)) is not None


def response_of(session: Session, form: Form, unit_id: int, lock: bool = False) -> FormResponse | None:
    """The unit's current answer (locked for update when about to change it)."""
    query = select(FormResponse).where(FormResponse.form_id == form.id, FormResponse.unit_id == unit_id)
    return session.scalars(query.with_for_update() if lock else query).first()


def progress(session: Session, form: Form) -> list[UnitStatus]:
    """Each required unit with its current answer (or None)."""
    responses = {r.unit_id: r for r in session.scalars(
        select(FormResponse).where(FormResponse.form_id == form.id))}
    return [UnitStatus(unit, responses.get(unit.id)) for unit in target_units(session, form)]


def waiting_units(session: Session, form: Form) -> list[Unit]:
    """Required units that have not answered yet."""
    return [s.unit for s in progress(session, form) if not s.answered]


def open_forms(session: Session, district_id: int) -> list[Form]:
    """Forms of a district still collecting answers, oldest first."""
    return list(session.scalars(select(Form).where(
        Form.district_id == district_id, Form.status == FormStatus.OPEN).order_by(Form.id)))


def drafts(session: Session, district_id: int) -> list[Form]:
    """Forms of a district not broadcast yet."""
    return list(session.scalars(select(Form).where(
        Form.district_id == district_id, Form.status == FormStatus.DRAFT).order_by(Form.id)))


def forms_for_unit(session: Session, unit: Unit) -> list[Form]:
    """Open forms this unit must answer."""
    return list(session.scalars(
        select(Form).join(FormTarget, FormTarget.form_id == Form.id)
        .where(FormTarget.unit_id == unit.id, Form.status == FormStatus.OPEN).order_by(Form.id)))


def may_answer(session: Session, form: Form, contact: Contact | None) -> str | None:
    """Why this contact cannot answer this form now (zh-TW), or None when they may."""
    if contact is None or not contact.is_active:
        return "只有已核准的網絡單位聯繫窗口可以填寫表單。"
    if form.status == FormStatus.DRAFT:
        return f"表單 #{form.id} 尚未發布。"
    if form.status == FormStatus.CLOSED:
        return f"表單 #{form.id}「{form.title}」已結束收件。"
    if not is_target(session, form, contact.unit_id):
        return f"「{contact.unit.card_name}」不在表單 #{form.id} 的填寫單位名單中。"
    return None


def save(session: Session, form: Form, contact: Contact, answers: dict[str, Any], *, via: str,
         now: datetime) -> FormResponse:
    """Store the unit's answer: the latest wins, every submission is kept as a revision."""
    late = rules.is_late(now, form.deadline)
    response = response_of(session, form, contact.unit_id, lock=True)
    if response is None:
        try:
            # A savepoint: two contacts of one unit answering at the same moment must not lose an answer.
            with session.begin_nested():
                response = FormResponse(form_id=form.id, unit_id=contact.unit_id, answers=answers, revision=0,
                                        submitted_by=contact.line_user_id, submitted_at=now,
                                        first_submitted_at=now, late=late)
                session.add(response)
                session.flush()
        except IntegrityError:
            response = response_of(session, form, contact.unit_id, lock=True)
            assert response is not None
    response.revision += 1
    response.answers = dict(answers)
    response.submitted_by = contact.line_user_id
    response.submitted_at = now
    # A unit that answered on time stays on time when it corrects later; the late edit is marked in its revision.
    response.late = rules.is_late(response.first_submitted_at, form.deadline)
    response.revisions.append(FormRevision(number=response.revision, answers=dict(answers),
                                           submitted_by=contact.line_user_id, submitted_at=now, via=via, late=late))
    session.flush()
    if not waiting_units(session, form):
        cancel_chasers(session, form)  # everyone answered: nothing left to chase
    return response


def revisions(session: Session, form: Form) -> list[FormRevision]:
    """Every submission to a form, oldest first (who answered when)."""
    return list(session.scalars(
        select(FormRevision).join(FormResponse).where(FormResponse.form_id == form.id)
        .order_by(FormRevision.submitted_at, FormRevision.id)))


def names_of(session: Session, line_ids: set[str]) -> dict[str, str]:
    """Display names of contacts by LINE id (for history and exports)."""
    if not line_ids:
        return {}
    return {c.line_user_id: c.display_name or c.line_user_id[-6:] for c in session.scalars(
        select(Contact).where(Contact.line_user_id.in_(line_ids)))}


def contacts_by_unit(session: Session, unit_ids: list[int]) -> dict[int, list[Contact]]:
    """Active contacts of each unit, to mention them."""
    found: dict[int, list[Contact]] = {}
    for contact in roster.contacts_of_units(session, unit_ids):
        found.setdefault(contact.unit_id, []).append(contact)
    return found


def groups_of(session: Session, form: Form) -> list[Group]:
    """The LINE groups bound to the form's district."""
    return roster.groups_of_district(session, form.district_id)


def send_cost(session: Session, form: Form, answered_in: str | None = None) -> tuple[list[Group], int]:
    """The groups a broadcast reaches and what it costs: a group push counts once per member, and the
    group the command was typed in (`answered_in`) gets a free reply."""
    groups = groups_of(session, form)
    return groups, sum(max(g.member_count, 1) for g in groups if g.line_group_id != answered_in)


def update(form: Form, *, definition: rules.FormSpec, deadline: date, units: list[Unit]) -> None:
    """Change a draft's definition, deadline and units (an empty list: the default units, as in `create`)."""
    if form.status != FormStatus.DRAFT:
        raise ValueError("only a draft can be edited")
    chosen = units or default_units(form.district)
    form.title, form.instructions = definition.title, definition.instructions
    form.fields = rules.fields_json(definition)
    form.deadline = deadline
    kept = {t.unit_id: t for t in form.targets}
    form.targets = [kept.get(u.id) or FormTarget(unit_id=u.id) for u in chosen]


def open_form(session: Session, form: Form, config: Config, now: datetime) -> list[Group]:
    """Mark a form open and schedule its chasers; returns the district's groups to post the card to."""
    rules.parse_offsets(config.form_reminder_offsets)  # a broken setting fails before anything changes
    groups = groups_of(session, form)
    if form.status == FormStatus.DRAFT:
        form.status = FormStatus.OPEN
        form.broadcast_at = now
    schedule_chasers(session, form, config, now, groups)
    return groups


def card_key(form: Form, line_group_id: str) -> str:
    return f"form:{form.id}:card:{line_group_id}"


def hold_card(session: Session, form: Form, group: Group, moment: datetime) -> None:
    """Post the broadcast's card to the group at its morning digest (`moment`) rather than now."""
    reminders.schedule(session, key=card_key(form, group.line_group_id), kind=CARD_KIND, subject_id=form.id,
                       to=group.line_group_id, due_at=moment)


def schedule_chasers(session: Session, form: Form, config: Config, now: datetime, groups: list[Group]) -> None:
    """Reminders to each group before the deadline, and the deadline summary to the secretariat."""
    calendar = calendar_from_setting(config.workday_calendar)
    offsets = rules.parse_offsets(config.form_reminder_offsets)
    for offset, moment in rules.reminder_moments(form.deadline, offsets, config.form_reminder_max, calendar, now):
        for group in groups:
            reminders.schedule(session, key=f"form:{form.id}:remind:{offset}d:{group.line_group_id}",
                               kind=REMINDER_KIND, subject_id=form.id, to=group.line_group_id,
                               due_at=moment, not_after=rules.deadline_end(form.deadline))
    summary_at = rules.summary_moment(form.deadline, calendar)
    for line_id in roster.approvers(session, form.district, config.admin_line_user_ids):
        reminders.schedule(session, key=f"form:{form.id}:summary:{line_id}", kind=SUMMARY_KIND,
                           subject_id=form.id, to=line_id, due_at=summary_at)


def cancel_chasers(session: Session, form: Form) -> int:
    """Stop the pending reminders of a form (the summary stays)."""
    return reminders.cancel(session, f"form:{form.id}:remind:")


def close(session: Session, form: Form, now: datetime) -> None:
    """Stop collecting: no more answers, reminders or summary."""
    form.status = FormStatus.CLOSED
    form.closed_at = now
    reminders.cancel(session, f"form:{form.id}:")


def may_manage(contact: Contact | None, form: Form, is_admin: bool) -> bool:
    """The district's secretariat (or an admin) manages its forms."""
    return roster.may_manage_district(contact, form.district, is_admin)
