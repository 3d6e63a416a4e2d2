"""`flask --app wsgi forms ...`: create forms from a file or template, broadcast, progress, export."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click
import yaml
from flask.cli import AppGroup

from bot import outbox, privacy_outbound, roster
from bot.cli import app_services
from bot.messages import push
from handlers.forms import export, render, service
from rules import forms as rules
from rules.dates import parse_date, to_taipei

forms_cli = AppGroup("forms", help="Unified forms (統一表格): create, broadcast, progress, export.")


def _read(path: str) -> dict[str, Any]:
    text = Path(path).read_text(encoding="utf-8")
    data = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    if not isinstance(data, dict):
        raise click.UsageError(f"{path}: expected a mapping with title, instructions, fields")
    return data


def _deadline(raw: Any, today: date) -> date:
    parsed = parse_date(str(raw), today)
    if parsed.value is None:
        raise click.UsageError(f"deadline {raw!r}: {parsed.error}")
    return parsed.value


@forms_cli.command("templates")
def templates_command() -> None:
    """List the ready templates."""
    for key, data in rules.templates().items():
        click.echo(f"{key}: {data.get('name', '')} ({len(data['fields'])} fields)")


@forms_cli.command("create")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False), help="Definition (YAML or JSON).")
@click.option("--template", "template_key", help="A ready template (see `forms templates`).")
@click.option("--district", help="District (defaults to the file's `district`).")
@click.option("--deadline", help="Last day, 2026-12-01 or 115/12/01 (defaults to the file's `deadline`).")
def create_command(path: str | None, template_key: str | None, district: str | None, deadline: str | None) -> None:
    """Create a draft form from a file or a template; units default to the district's, secretariat aside."""
    if bool(path) == bool(template_key):
        raise click.UsageError("give exactly one of --file or --template")
    if template_key:
        data = rules.templates().get(template_key)
        if data is None:
            raise click.UsageError(f"no template {template_key!r}; try: {', '.join(rules.templates())}")
    else:
        data = _read(str(path))
    services = app_services()
    now = services.clock()
    try:
        definition = rules.parse_definition(data)
    except rules.SpecError as exc:
        raise click.UsageError(str(exc)) from exc
    with services.db.transaction() as session:
        found = roster.find_district(session, district or str(data.get("district") or ""))
        if found is None:
            raise click.UsageError("unknown or missing district (use --district 中壢區)")
        if not (deadline or data.get("deadline")):
            raise click.UsageError("missing deadline (use --deadline 2026-12-01)")
        due = _deadline(deadline or data.get("deadline"), to_taipei(now).date())
        units = []
        for name in data.get("units") or []:
            unit = roster.find_unit(session, found, str(name))
            if unit is None:
                raise click.UsageError(f"no unit {name!r} in {found.name}")
            units.append(unit)
        form = service.create(session, district=found, definition=definition, deadline=due, units=units,
                              created_by=None, now=now, template=template_key,
                              include_secretariat=bool(data.get("include_secretariat")))
        click.echo(f"created form {form.id}: {form.title} ({found.name}, deadline {render.day(due)}, "
                   f"{len(form.targets)} units)")


@forms_cli.command("broadcast")
@click.argument("form_id", type=int)
def broadcast_command(form_id: int) -> None:
    """Post a form's card to its district's bound groups and schedule its reminders."""
    services = app_services()
    now = services.clock()
    with services.db.transaction() as session:
        form = service.get(session, form_id)
        if form is None:
            raise click.UsageError(f"no form {form_id}")
        if not service.groups_of(session, form):
            raise click.UsageError(f"{form.district.name} has no bound group (roster bind-group)")
        groups = service.open_form(session, form, services.config, now)
        card = render.broadcast_card(form, len(service.target_units(session, form)))
        rows = outbox.enqueue_claimed_all(session, privacy_outbound.screen_scheduled(session, services.directory.public, [
            push(group.line_group_id, card, dedupe_key=f"form:{form.id}:card:{group.line_group_id}:{now.timestamp()}")
            for group in groups], "", now, "operator"), now)
    outbox.send_claimed(services.db, services.gateway, rows, now)
    click.echo(f"form {form_id} sent to {len(rows)} group(s) (the scheduler retries a failed delivery)")


@forms_cli.command("list")
def list_command() -> None:
    """List forms with their state and how many units answered."""
    from sqlalchemy import select

    from models.forms import Form
    services = app_services()
    with services.db.transaction() as session:
        for form in session.scalars(select(Form).order_by(Form.id)):
            statuses = service.progress(session, form)
            done = sum(1 for s in statuses if s.answered)
            click.echo(f"{form.id}  {form.status:6}  {form.district.name}  {render.day(form.deadline)}  "
                       f"{done}/{len(statuses)}  {form.title}")


@forms_cli.command("progress")
@click.argument("form_id", type=int)
def progress_command(form_id: int) -> None:
    """Show ✓/✗ per unit and each question's tally."""
    services = app_services()
    with services.db.transaction() as session:
        form = service.get(session, form_id)
        if form is None:
            raise click.UsageError(f"no form {form_id}")
        click.echo(render.progress_text([(form, service.progress(session, form), service.spec_of(form))])["text"])


@forms_cli.command("export")
@click.argument("form_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="File to write (.xlsx or .csv).")
def export_command(form_id: int, out: str) -> None:
    """Write a form's answers to an .xlsx or .csv file."""
    services = app_services()
    with services.db.transaction() as session:
        form = service.get(session, form_id)
        if form is None:
            raise click.UsageError(f"no form {form_id}")
        table = export.build(session, form)
    body = export.to_csv(table) if out.endswith(".csv") else export.to_xlsx(table, services.clock())
    Path(out).write_bytes(body)
    click.echo(f"wrote {out}")
