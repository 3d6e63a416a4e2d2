"""`flask --app wsgi calendar ...`: operators' access to a district's schedule links and activities."""
from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from bot.cli import app_services, district_named
from handlers.calendar import render, service
from rules import calendar as periods
from rules.dates import to_taipei

calendar_cli = AppGroup("calendar", help="Activity calendars: feed links and schedules.")


@calendar_cli.command("links")
@click.option("--district", required=True)
@click.option("--reset", is_flag=True, help="Revoke every link given out before (after a leak).")
def links_command(district: str, reset: bool) -> None:
    """Print the district's ICS feed, month view and spreadsheet URLs."""
    services = app_services()
    with services.db.transaction() as session:
        found = district_named(session, district)
        if reset:
            service.rotate_feed(session, found, services.clock())
        urls = service.feed_urls(services.config, service.feed_token(session, services.config, found, services.clock()))
    for name, url in urls.items():
        click.echo(f"{name}: {url}")


@calendar_cli.command("list")
@click.option("--district", required=True)
@click.option("--weeks", default=4, show_default=True, type=int)
def list_command(district: str, weeks: int) -> None:
    """List the district's coming activities."""
    services = app_services()
    with services.db.transaction() as session:
        found = district_named(session, district)
        first = to_taipei(services.clock()).date()
        last = periods.week_of(first) + timedelta(weeks=weeks, days=-1)
        for activity in service.window(session, found.id, first, last):
            mark = " [可共同宣導]" if activity.joinable else ""
            click.echo(f"{render.when(activity)}  {activity.title}  {activity.place}  "
                       f"{activity.unit.card_name}{mark}")
