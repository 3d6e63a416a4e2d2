"""`flask --app wsgi meetings ...`: schedule, list, move and cancel meetings and add tracked items from a shell.

The commands go through the same service functions as chat, so reminders and the group's notice
are the same; notices are written to the outbox and delivered after commit (the scheduler retries).
"""
from __future__ import annotations

import click
from flask.cli import AppGroup

from bot import outbox, privacy_outbound, roster
from bot.cli import app_services, district_named
from bot.messages import Outbound, push
from bot.reminders import pending
from bot.services import Services
from handlers.meetings import render, service, tracked
from models.meetings import Meeting
from rules.dates import parse_datetime_phrase, roc_datetime, to_taipei
from rules.meetings.plan import find_types, split_owners

meetings_cli = AppGroup("meetings", help="Meetings, their reminders and tracked items (列管事項).")


def _start(services: Services, raw: str):
    phrase = parse_datetime_phrase(raw, to_taipei(services.clock()).date())
    start = phrase.start_at()
    if not phrase.ok or start is None or phrase.rest:
        raise click.UsageError(f"--start must be a date and time such as \"2026-12-05 14:00\" or \"115/12/5 14:00\""
                               f" ({phrase.error or 'no time'})")
    if start <= services.clock():
        raise click.UsageError("--start is in the past")
    return start


def _send(services: Services, said: list[Outbound]) -> None:
    """Write notices to the outbox in their own transaction, then try them once (the scheduler retries)."""
    now = services.clock()
    with services.db.transaction() as session:
        said = privacy_outbound.screen_scheduled(session, services.directory.public, said, "", now, "operator")
        rows = outbox.enqueue_claimed_all(session, said, now)
    outbox.send_claimed(services.db, services.gateway, rows, now)


def _meeting(session, meeting_id: int) -> Meeting:
    meeting = service.get(session, meeting_id)
    if meeting is None:
        raise click.UsageError(f"no meeting {meeting_id}")
    return meeting


@meetings_cli.command("types")
def types_command() -> None:
    """List the meeting tiers of MEETING_TYPES_FILE."""
    for meeting_type in service.meeting_types(app_services().config).values():
        click.echo(f"{meeting_type.key}  {meeting_type.name}  {meeting_type.cadence}")


@meetings_cli.command("add")
@click.option("--district", required=True)
@click.option("--type", "type_word", required=True, help="Tier name or key, e.g. 區級聯繫會議 or district_liaison.")
@click.option("--start", required=True, help='Taipei time, e.g. "2026-12-05 14:00" or "115/12/5 14:00".')
@click.option("--place", required=True)
@click.option("--agenda", default="")
@click.option("--organiser", default=None, help="LINE user id of the secretariat member (default: the district's).")
def add_command(district: str, type_word: str, start: str, place: str, agenda: str, organiser: str | None) -> None:
    """Schedule a meeting, its reminders and deadlines, and announce it in the district's group."""
    services = app_services()
    found = find_types(service.meeting_types(services.config), type_word)
    if len(found) != 1:
        raise click.UsageError(f"--type {type_word!r} names {len(found)} tiers; see `meetings types`")
    starts_at = _start(services, start)
    with services.db.transaction() as session:
        meeting = service.create(session, district=district_named(session, district), meeting_type=found[0],
                                 start=starts_at, place=place, agenda=agenda, organiser=organiser,
                                 group_line_id=None, now=services.clock(), rules=service.policy(services.config))
        said = [push(meeting.group_line_id, render.announcement(meeting), render.attendance_card(meeting),
                     dedupe_key=f"meeting:{meeting.id}:announce")] if meeting.group_line_id else []
        line = f"{meeting.id}: {meeting.type_name} {roc_datetime(meeting.starts_at)} {meeting.place}"
        where = meeting.group_line_id or "no bound group: not announced"
    _send(services, said)
    click.echo(f"{line} -> {where}")


@meetings_cli.command("list")
@click.option("--district", required=True)
def list_command(district: str) -> None:
    """List upcoming meetings with their deadlines and pending reminders."""
    services = app_services()
    with services.db.transaction() as session:
        for meeting in service.upcoming(session, district_named(session, district).id, services.clock()):
            click.echo(f"{meeting.id}: {meeting.type_name} {roc_datetime(meeting.starts_at)} {meeting.place}")
            for label in (meeting.cases_label, meeting.minutes_label):
                if label:
                    click.echo(f"    {label}")
            for row in pending(session, service.meeting_key(meeting.id)):
                click.echo(f"    reminder {row.key} at {roc_datetime(row.due_at)}")


@meetings_cli.command("move")
@click.option("--id", "meeting_id", required=True, type=int)
@click.option("--start", required=True)
@click.option("--place", default=None)
def move_command(meeting_id: int, start: str, place: str | None) -> None:
    """Move a meeting; its reminders and deadlines follow and the group is told once."""
    services = app_services()
    starts_at = _start(services, start)
    with services.db.transaction() as session:
        meeting = _meeting(session, meeting_id)
        if meeting.is_cancelled:
            raise click.UsageError("the meeting is cancelled")
        meeting_type = service.meeting_types(services.config)[meeting.type_key]
        old = service.move(session, meeting, starts_at, place, meeting_type, services.clock(),
                           service.policy(services.config))
        group = service.group_for(session, meeting)
        said = [push(group, render.moved(meeting, old), render.attendance_card(meeting),
                     dedupe_key=service.moved_key(meeting))] if group else []
    _send(services, said)
    click.echo(f"{meeting_id}: moved to {roc_datetime(starts_at)}")


@meetings_cli.command("cancel")
@click.option("--id", "meeting_id", required=True, type=int)
def cancel_command(meeting_id: int) -> None:
    """Cancel a meeting and its reminders; the group is told once."""
    services = app_services()
    with services.db.transaction() as session:
        meeting = _meeting(session, meeting_id)
        if meeting.is_cancelled:
            raise click.UsageError("already cancelled")
        count = service.cancel(session, meeting, services.clock())
        group = service.group_for(session, meeting)
        said = [push(group, render.cancelled(meeting), dedupe_key=f"meeting:{meeting.id}:cancelled")] if group else []
    _send(services, said)
    click.echo(f"{meeting_id}: cancelled with {count} pending reminders")


@meetings_cli.command("add-item")
@click.option("--meeting", "meeting_id", required=True, type=int, help="The meeting that decided it.")
@click.option("--owners", required=True, help="Owning units, e.g. 分局,家服中心.")
@click.option("--subject", required=True)
def add_item_command(meeting_id: int, owners: str, subject: str) -> None:
    """Record a tracked item (列管事項) numbered after its meeting."""
    services = app_services()
    with services.db.transaction() as session:
        meeting = _meeting(session, meeting_id)
        units = []
        for word in split_owners(owners):
            unit = roster.find_unit(session, meeting.district, word)
            if unit is None:
                raise click.UsageError(f"no unit {word!r} in {meeting.district.name}")
            units.append(unit)
        item = tracked.add_item(session, meeting, units, subject, "cli", services.clock(),
                                service.policy(services.config))
        click.echo(f"{item.number}: {item.subject} ({render.owners(item)})")
