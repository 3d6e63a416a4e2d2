"""`flask --app wsgi roster ...`: operators seed districts, add and import contacts, bind groups."""
from __future__ import annotations

from typing import Any, Callable, Iterator

import click
from flask.cli import AppGroup

from bot import roster
from bot.cli import app_services, district_named
from handlers.roster import render as roster_render
from models.roster import Contact, Role


def _progress(label: str) -> Callable[[list[Any]], Iterator[Any]]:
    """Wrap a list of work items in click's progress bar (drawn only on a terminal)."""
    def track(items: list[Any]) -> Iterator[Any]:
        with click.progressbar(items, label=label) as bar:
            yield from bar
    return track


roster_cli = AppGroup("roster", help="Districts, units, contacts and groups.")


@roster_cli.command("seed")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False), help="Roster data file (YAML).")
def seed_command(path: str | None) -> None:
    """Create the districts and units of a roster data file (idempotent)."""
    from pathlib import Path

    from bot.directory import load_directory
    services = app_services()
    directory = load_directory(Path(path)) if path else services.directory
    with services.db.transaction() as session:
        result = roster.seed(session, directory)
    click.echo(f"{directory.city}: added {result.districts} districts and {result.units} units.")


@roster_cli.command("add-contact")
@click.option("--line-id", required=True, help="LINE user id (U...).")
@click.option("--district", required=True)
@click.option("--unit", "unit_name", required=True, help="Unit name, short name or alias.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.MEMBER.value)
@click.option("--name", "display_name", default="", help="Display name (optional).")
def add_contact_command(line_id: str, district: str, unit_name: str, role: str, display_name: str) -> None:
    """Add or update an approved contact."""
    services = app_services()
    with services.db.transaction() as session:
        found = district_named(session, district)
        unit = roster.find_unit(session, found, unit_name)
        if unit is None:
            raise click.UsageError(f"no unit {unit_name!r} in {found.name}")
        contact = roster.add_contact(session, line_id, unit, Role(role), display_name, services.clock())
        click.echo(f"{contact.line_user_id}: {roster_render.contact_line(contact)}")


@roster_cli.command("import-contacts")
@click.option("--file", "path", required=True, type=click.Path(exists=True, dir_okay=False))
def import_contacts_command(path: str) -> None:
    """Add the approved contacts listed in a YAML file (see data/roster/demo_contacts.yaml)."""
    services = app_services()
    with services.db.transaction() as session:
        count = roster.import_contacts(session, path, services.clock(), track=_progress("importing contacts"))
    click.echo(f"imported {count} contacts")


@roster_cli.command("bind-group")
@click.option("--group-id", required=True, help="LINE group id (C...).")
@click.option("--district", required=True)
def bind_group_command(group_id: str, district: str) -> None:
    """Bind a LINE group to a district."""
    from models.roster import Group
    services = app_services()
    with services.db.transaction() as session:
        found = district_named(session, district)
        group = roster.group_of(session, group_id)
        if group is None:
            group = Group(line_group_id=group_id, joined_at=services.clock())
            session.add(group)
        group.district_id = found.id
        group.bound_at = services.clock()
        group.member_count = services.gateway.group_member_count(group_id) or group.member_count or 0
    click.echo(f"{group_id} -> {found.name}")


@roster_cli.command("deactivate")
@click.option("--line-id", "line_id", required=True, help="The contact's LINE user id (see `roster list`).")
@click.option("--reason", default="deactivated", show_default=True, help="Kept in the audit log.")
def deactivate_command(line_id: str, reason: str) -> None:
    """Take a contact off the roster (left the job, lost the phone): no mentions, pushes or rights."""
    services = app_services()
    with services.db.transaction() as session:
        contact = roster.contact_of(session, line_id)
        if contact is None:
            raise click.UsageError(f"no contact with LINE id {line_id!r}")
        roster.deactivate(session, contact, "cli", reason[:40], services.clock())
        click.echo(f"{contact.line_user_id}: {roster_render.contact_line(contact)}")


@roster_cli.command("list")
def list_command() -> None:
    """List contacts and bound groups."""
    from sqlalchemy import select

    from models.roster import Group
    services = app_services()
    with services.db.transaction() as session:
        for contact in session.scalars(select(Contact).order_by(Contact.id)):
            click.echo(f"{contact.line_user_id}  {roster_render.contact_line(contact)}  {contact.display_name}")
        for group in session.scalars(select(Group).order_by(Group.id)):
            where = group.district.name if group.district else "(未綁定)"
            click.echo(f"{group.line_group_id}  {where}  members={group.member_count}")


richmenu_cli = AppGroup("richmenu", help="The rich menus (圖文選單) of registered contacts and the secretariat.")


@richmenu_cli.command("setup")
@click.option("--font", "font_path", type=click.Path(exists=True, dir_okay=False),
              help="A CJK font for the menu images (default: RICHMENU_FONT, then common system fonts).")
def richmenu_setup_command(font_path: str | None) -> None:
    """Create both rich menus with their images, point their aliases at them, link every approved contact."""
    from sqlalchemy import select

    from handlers.roster import menu
    from models.roster import ContactStatus
    services = app_services()
    for alias, rich_menu_id in menu.setup(services.gateway, font_path).items():
        click.echo(f"{alias}: {rich_menu_id}")
    with services.db.transaction() as session:
        contacts = list(session.scalars(select(Contact).where(Contact.status == ContactStatus.ACTIVE)))
        with click.progressbar(contacts, label="linking contacts") as bar:
            linked = menu.link(services.gateway, bar)
    click.echo(f"linked {linked} of {len(contacts)} approved contacts")
