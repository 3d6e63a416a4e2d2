"""The console's meetings: schedule, move and cancel (with the Taiwan calendar's warnings), attendance by unit,
the agenda, the 列管 table in the minutes' shape (前次會議待辦事項辦理情形), the 會議紀錄 draft (.docx) and the
day its minutes went to 社會局; and 會議統計: meetings held against the required cadence, minutes within their
week, 列管 items open and closed, every district side by side for the city's secretariat.

Every change goes through the capability's service functions, as the chat's do, and tells the group
once (the same dedupe keys as the chat), after the transaction committed.
"""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from bot import privacy_guard
from bot.console import ConsolePage, Desk, desk, managed_districts, services
from bot.console.charts import bars, rate_bars
from bot.console.export import download
from bot.messages import push
from handlers.meetings import minutes, render, service, tracked
from models.meetings import ANSWER_LABELS, ITEM_STATUS_LABELS, ItemStatus, Meeting, TrackedItem
from models.roster import District
from rules.dates import TAIPEI, roc_date, to_taipei
from rules.meetings.cadence import CYCLE_LABELS, MINUTES_LABELS, CycleState, MinutesState, cadence, minutes_state, share
from rules.workdays import calendar_from_setting

blueprint = Blueprint("console_meetings", __name__, url_prefix="/console/<int:district_id>/meetings",
                      template_folder="templates")
PAGE = ConsolePage("會議與列管", "console_meetings.index", order=20)
STATISTICS_PAGE = ConsolePage("會議統計", "console_meetings.statistics", order=22)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _meeting(d: Desk, meeting_id: int) -> Meeting:
    meeting = service.get(d.session, meeting_id)
    if meeting is None or meeting.district_id != d.district.id:
        abort(404)
    return meeting


def _when(raw_day: str, raw_time: str) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(raw_day), time.fromisoformat(raw_time), TAIPEI)
    except ValueError:
        return None


def day_warnings(day: date, calendar_setting: str) -> list[str]:
    """What the Taiwan calendar says about a meeting day (a holiday, a weekend), as the chat warns."""
    calendar = calendar_from_setting(calendar_setting)
    if calendar.is_workday(day):
        return []
    name = getattr(calendar, "holiday_name", lambda _: None)(day)  # the Taiwan calendar names its holidays
    shown = roc_date(day, "chinese")
    return [f"{shown}是{name}（放假日），各單位可能無法出席。" if name else f"{shown}是週末，各單位可能無法出席。"]


def _refused(d: Desk, label: str, text: str | None) -> str | None:
    """The one guard's refusal (audited, kinds only) when typed text holds personal data, else None."""
    return privacy_guard.problem(d.session, services().directory, d.now, d.person.line_user_id, label, text)


def _checked(d: Desk, form: Any, confirmed_field: str = "confirm") -> tuple[datetime | None, list[str], list[str]]:
    """Read the date and time; return the start, errors (refused) and warnings (need confirming)."""
    start = _when(form.get("day", ""), form.get("time", ""))
    if start is None:
        return None, ["請填寫日期與開始時間。"], []
    if start <= d.now:
        return None, ["這個時間已經過了，請確認日期。"], []
    warnings = [] if form.get(confirmed_field) else day_warnings(start.date(), d.config.workday_calendar)
    return start, [], warnings


@blueprint.get("/")
def index(district_id: int) -> Any:
    """Upcoming and past meetings, the cycles still lacking one, and the form to schedule."""
    with desk(district_id) as d:
        return _index_page(d, {}, [], [])


def _index_page(d: Desk, form: Any, errors: list[str], warnings: list[str]) -> Any:
    types = service.meeting_types(d.config)
    upcoming = service.upcoming(d.session, d.district.id, d.now)
    held = [m for m in d.session.scalars(select(Meeting).where(
        Meeting.district_id == d.district.id, Meeting.starts_at < d.now).order_by(Meeting.starts_at.desc()).limit(20))]
    proposals = service.proposals(d.session, d.district.id, types, d.now, service.policy(d.config))
    return render_template("meetings/index.html", district=d.district.name, district_id=d.district.id,
                           upcoming=upcoming, held=held, proposals=proposals, types=list(types.values()),
                           form=form, errors=errors, warnings=warnings, when=render.when,
                           roc_date=roc_date, to_taipei=to_taipei), (400 if errors else 200)


@blueprint.post("/")
def schedule(district_id: int) -> Any:
    """Schedule a meeting, as 新增會議 does in chat; warn first about holidays and weekends."""
    with desk(district_id) as d:
        form = request.form
        types = service.meeting_types(d.config)
        meeting_type = types.get(form.get("type", ""))
        place, agenda = form.get("place", "").strip(), form.get("agenda", "").strip()
        start, errors, warnings = _checked(d, form)
        if meeting_type is None:
            errors.append("請選擇會議類別。")
        if not place:
            errors.append("請填寫地點。")
        errors += [p for p in (_refused(d, "地點", place), _refused(d, "議程", agenda)) if p]
        if errors or warnings or start is None or meeting_type is None:
            return _index_page(d, form, errors, warnings)
        meeting = service.create(d.session, district=d.district, meeting_type=meeting_type, start=start, place=place,
                                 agenda=agenda, organiser=d.person.line_user_id, group_line_id=None, now=d.now,
                                 rules=service.policy(d.config))
        if meeting.group_line_id:
            d.tell(push(meeting.group_line_id, render.announcement(meeting), render.attendance_card(meeting),
                        dedupe_key=f"meeting:{meeting.id}:announce"))
        d.audit("console.meeting_schedule", meeting=meeting.id)
        flash(f"已排定{meeting.type_name}（{render.when(meeting)}）" +
              ("，已通知群組。" if meeting.group_line_id else "；尚無綁定群組，未通知。"), "ok")
        return redirect(url_for(".detail", district_id=district_id, meeting_id=meeting.id))


def _detail_page(d: Desk, meeting: Meeting, form: Any | None = None, errors: list[str] | None = None,
                 warnings: list[str] | None = None) -> Any:
    board = service.board(d.session, meeting)
    counts = {label: sum(1 for _, a in board if a == answer) for answer, label in ANSWER_LABELS.items()}
    counts["未回覆"] = sum(1 for _, a in board if a is None)
    decided = tracked_items_of(d, meeting)
    return render_template(
        "meetings/detail.html", district_id=d.district.id, meeting=meeting, when=render.when(meeting),
        minutes_due=roc_date(to_taipei(meeting.minutes_due_at).date(), "chinese") if meeting.minutes_due_at else "",
        minutes_sent=roc_date(to_taipei(meeting.minutes_sent_at).date(), "chinese") if meeting.minutes_sent_at else "",
        held=meeting.starts_at <= d.now,
        board=board, labels=ANSWER_LABELS, counts=counts, review=tracked.review_items(d.session, meeting),
        decided=decided, units=d.district.units, status_labels=ITEM_STATUS_LABELS, owners=render.owners,
        roc_date=roc_date, to_taipei=to_taipei, form=form or {}, errors=errors or [], warnings=warnings or [],
        day_value=to_taipei(meeting.starts_at).date().isoformat(),
        time_value=to_taipei(meeting.starts_at).strftime("%H:%M")), (400 if errors else 200)


def tracked_items_of(d: Desk, meeting: Meeting) -> list[TrackedItem]:
    """The items this meeting decided (numbered after its date)."""
    return list(d.session.scalars(select(TrackedItem).where(TrackedItem.meeting_id == meeting.id)
                                  .order_by(TrackedItem.seq)))


@blueprint.get("/<int:meeting_id>")
def detail(district_id: int, meeting_id: int) -> Any:
    """One meeting: time, place, agenda, attendance by unit, the 列管 table, the minutes draft."""
    with desk(district_id) as d:
        return _detail_page(d, _meeting(d, meeting_id))


@blueprint.post("/<int:meeting_id>/move")
def move(district_id: int, meeting_id: int) -> Any:
    """Move a meeting (its deadlines and reminders follow) and tell the group once."""
    with desk(district_id) as d:
        meeting = _meeting(d, meeting_id)
        if meeting.is_cancelled:
            return _detail_page(d, meeting, request.form, ["這場會議已取消。"])
        start, errors, warnings = _checked(d, request.form)
        place = request.form.get("place", "").strip() or None
        found = _refused(d, "地點", place)
        if found:
            errors.append(found)
        if not errors and start == meeting.starts_at and (place is None or place == meeting.place):
            errors.append("時間與地點都沒有變更。")
        if errors or warnings or start is None:
            return _detail_page(d, meeting, request.form, errors, warnings)
        old = service.move(d.session, meeting, start, place, service.meeting_types(d.config)[meeting.type_key], d.now,
                           service.policy(d.config))
        if meeting.group_line_id:
            d.tell(push(meeting.group_line_id, render.moved(meeting, old), render.attendance_card(meeting),
                        dedupe_key=service.moved_key(meeting)))
        d.audit("console.meeting_move", meeting=meeting.id)
        flash(f"已改期：{render.when(meeting)}。", "ok")
        return redirect(url_for(".detail", district_id=district_id, meeting_id=meeting.id))


@blueprint.post("/<int:meeting_id>/cancel")
def cancel(district_id: int, meeting_id: int) -> Any:
    """Cancel a meeting and its reminders; tell the group once."""
    with desk(district_id) as d:
        meeting = _meeting(d, meeting_id)
        if not meeting.is_cancelled:
            service.cancel(d.session, meeting, d.now)
            if meeting.group_line_id:
                d.tell(push(meeting.group_line_id, render.cancelled(meeting),
                            dedupe_key=f"meeting:{meeting.id}:cancelled"))
            d.audit("console.meeting_cancel", meeting=meeting.id)
        flash(f"已取消{meeting.type_name}（{render.when(meeting)}）。", "ok")
        return redirect(url_for(".index", district_id=district_id))


def _item(d: Desk, item_id: int) -> TrackedItem:
    item = d.session.get(TrackedItem, item_id)
    if item is None or item.district_id != d.district.id:
        abort(404)
    return item


@blueprint.post("/<int:meeting_id>/items")
def add_item(district_id: int, meeting_id: int) -> Any:
    """A decision of this meeting becomes a 列管事項 with the next number."""
    with desk(district_id) as d:
        meeting = _meeting(d, meeting_id)
        wanted = set(request.form.getlist("owners"))
        owners = [u for u in d.district.units if str(u.id) in wanted]
        subject = request.form.get("subject", "").strip()
        errors = [] if owners else ["請選擇承辦單位。"]
        if not subject:
            errors.append("請填寫案由。")
        found = _refused(d, "案由", subject)
        if found:
            errors.append(found)
        if errors:
            return _detail_page(d, meeting, request.form, errors)
        item = tracked.add_item(d.session, meeting, owners, subject, d.person.line_user_id, d.now,
                                service.policy(d.config))
        d.audit("console.item_add", item=item.id)
        flash(f"已新增列管事項 {item.number}。", "ok")
        return redirect(url_for(".detail", district_id=district_id, meeting_id=meeting.id) + "#decided")


@blueprint.post("/<int:meeting_id>/items/<int:item_id>")
def update_item(district_id: int, meeting_id: int, item_id: int) -> Any:
    """Record the latest progress and the chair's 續管 / 除管 for one item."""
    with desk(district_id) as d:
        meeting = _meeting(d, meeting_id)
        item = _item(d, item_id)
        note = request.form.get("progress", "").strip()
        decision = request.form.get("decision", "")
        found = _refused(d, f"{item.number} 辦理情形", note)
        if found:
            return _detail_page(d, meeting, request.form, [found])
        if decision not in ("open", "closed"):
            return _detail_page(d, meeting, request.form, [f"請為 {item.number} 勾選續管或除管。"])
        if note:
            unit = d.person.contact.unit if d.person.contact else None
            tracked.report(d.session, item, unit, d.person.line_user_id, note, d.now)
        if decision == "closed" and item.is_open:
            tracked.close(d.session, item, d.person.line_user_id, d.now)
        elif decision == "open" and not item.is_open:
            tracked.reopen(d.session, item, d.now, service.policy(d.config))
        d.audit("console.item_update", item=item.id, decision=decision, progress=bool(note))
        flash(f"已更新 {item.number}：{ITEM_STATUS_LABELS[item.status]}。", "ok")
        return redirect(url_for(".detail", district_id=district_id, meeting_id=meeting.id) + "#review")


@blueprint.get("/<int:meeting_id>/minutes.docx")
def minutes_draft(district_id: int, meeting_id: int) -> Any:
    """The 會議紀錄 draft in the shape of the district's minutes, to finish in Word or LibreOffice."""
    with desk(district_id) as d:
        meeting = _meeting(d, meeting_id)
        body = minutes.draft(d.session, meeting, d.now)
        name = minutes.file_name(meeting)
        d.audit("console.minutes_draft", meeting=meeting.id)
    return download(body, name, DOCX)


@blueprint.post("/<int:meeting_id>/minutes-sent")
def minutes_sent(district_id: int, meeting_id: int) -> Any:
    """紀錄已函送: note the day the minutes went to 社會局 (the statistics' "minutes within one week")."""
    with desk(district_id) as d:
        meeting = _meeting(d, meeting_id)
        if not service.note_minutes_sent(meeting, d.now):
            flash("會議尚未召開（或已取消），不能登記紀錄函送。", "warn")
        else:
            d.audit("console.minutes_sent", meeting=meeting.id)
            flash(f"已登記會議紀錄函送日：{roc_date(to_taipei(meeting.minutes_sent_at or d.now).date())}。", "ok")
        return redirect(url_for(".detail", district_id=district_id, meeting_id=meeting_id))


# 會議統計 -------------------------------------------------------------------------------------------------

def _numbers(d: Desk, district: District, year: int) -> dict[str, Any]:
    """One district's year: each tier's cycles, its minutes, its 列管 items."""
    today = to_taipei(d.now).date()
    since = datetime.combine(date(year - 1, 12, 1), time(), TAIPEI)  # the first cycle starts in December
    meetings = service.not_cancelled(d.session, [district.id], since)
    tiers = []
    for mt in (t for t in service.meeting_types(d.config).values() if t.due_months):
        days = [to_taipei(m.starts_at).date() for m in meetings if m.type_key == mt.key]
        cycles = cadence(mt, year, days, today)
        ended = [c for c in cycles if c.state in (CycleState.HELD, CycleState.MISSED)]
        tiers.append({"name": mt.name, "cadence": mt.cadence, "cycles": cycles, "due": len(ended),
                      "held": sum(1 for c in ended if c.state == CycleState.HELD)})
    held = [m for m in meetings if m.starts_at <= d.now and m.minutes_due_at is not None
            and to_taipei(m.starts_at).year == year]
    minutes = [minutes_state(m.minutes_due_at, m.minutes_sent_at, d.now) for m in held if m.minutes_due_at]
    items = list(d.session.scalars(select(TrackedItem.status).where(TrackedItem.district_id == district.id)))
    return {"tiers": tiers, "minutes": {s: minutes.count(s) for s in MinutesState},
            "minutes_due": sum(1 for s in minutes if s != MinutesState.WAITING),
            "open": items.count(ItemStatus.OPEN), "closed": items.count(ItemStatus.CLOSED)}


def _ratio(part: int, whole: int) -> str:
    return f"{part}／{whole}" if whole else "—"


@blueprint.get("/statistics")
def statistics(district_id: int) -> Any:
    """The district's year with charts and tables; the city's view when this person manages several."""
    with desk(district_id) as d:
        year = to_taipei(d.now).year
        own = _numbers(d, d.district, year)
        minutes_done = own["minutes"][MinutesState.ON_TIME]
        districts = managed_districts(d.session, d.person)
        side_by_side = []
        for other in districts if len(districts) > 1 else []:
            n = own if other.id == district_id else _numbers(d, other, year)
            side_by_side.append([other.name] + [_ratio(t["held"], t["due"]) for t in n["tiers"]] + [
                _ratio(n["minutes"][MinutesState.ON_TIME], n["minutes_due"]), n["open"], n["closed"]])
        return render_template(
            "meetings/statistics.html", district=d.district.name, district_id=district_id, year=year - 1911,
            own=own, cycle_labels=CYCLE_LABELS, minutes_labels=MINUTES_LABELS, side_by_side=side_by_side,
            tier_bars=rate_bars([(t["name"], share(t["held"], t["due"])) for t in own["tiers"]]),
            minutes_bars=bars([(MINUTES_LABELS[s], own["minutes"][s]) for s in MinutesState]),
            item_bars=bars([("續管（未結）", own["open"]), ("除管（已結）", own["closed"])]),
            minutes_rate=share(minutes_done, own["minutes_due"]), roc_date=roc_date)
