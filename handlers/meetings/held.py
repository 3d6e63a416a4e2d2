"""Meetings already held (已召開), recorded so a district new to the bot can number its decisions (列管).

User story: the secretariat of a district that starts using the bot types
`會議 已召開 區級聯繫會議 115/11/20 14:00 本所3樓簡報室`; the meeting is recorded as held, with no
reminders and no attendance card, and `列管新增 …` numbers items after it (1151120-1 ...). A plain
`會議 …` with a past time is not refused outright: the bot asks whether it is a meeting already held,
with a button that says the `已召開` line for the user.
"""
from __future__ import annotations

from bot import privacy_guard
from bot.context import Ctx
from bot.events import Inbound
from bot.messages import Message, Outbound, reply, says, text
from handlers.meetings import service
from models.meetings import Meeting
from models.roster import District
from rules.dates import case_number, roc_long_datetime, to_taipei
from rules.meetings.plan import HELD_WORD, ScheduleLine, parse_schedule_line

# A message action's text is at most 300 characters (LINE); a longer line is typed again instead.
MAX_SAID = 300


def is_held_line(argument: str) -> bool:
    """Whether `會議 …` records a meeting already held: `會議 已召開 …`."""
    return argument.strip().startswith(HELD_WORD)


def on_held(event: Inbound, ctx: Ctx, district: District) -> list[Outbound]:
    """會議 已召開 <類型> <日期> <時間> <地點>: record a held meeting, without reminders."""
    argument = event.argument.strip()[len(HELD_WORD):].strip()
    line = parse_schedule_line(argument, ctx.now, service.meeting_types(ctx.config), held=True)
    if line.error or line.meeting_type is None or line.start is None:
        return [reply(text(line.error or "看不懂這場會議。"))]
    refused = _screened(ctx, line)
    if refused:
        return refused
    meeting, new = service.record_held(ctx.session, district=district, meeting_type=line.meeting_type,
                                       start=line.start, place=line.place, agenda=line.agenda,
                                       organiser=event.user_id, now=ctx.now, rules=service.policy(ctx.config))
    return [reply(recorded(meeting, new))]


def offer(ctx: Ctx, line: ScheduleLine, argument: str) -> list[Outbound]:
    """A past time in `會議 …`: ask whether it is a meeting already held, one tap to record it so."""
    assert line.meeting_type is not None and line.start is not None
    refused = _screened(ctx, line)  # the button repeats the line: never one holding personal data
    if refused:
        return refused
    said = f"會議 {HELD_WORD} {argument.strip()}"
    ask = (f"{roc_long_datetime(line.start)} 已經過了。若是已召開的{line.meeting_type.name}，可登錄為「已召開」"
           "（不發提醒、不發出席回覆），之後即可用「列管新增」登錄該次會議的列管事項；"
           "若要排定新的會議，請確認日期。")
    if len(said) > MAX_SAID:
        return [reply(text(ask + f"\n請輸入：會議 {HELD_WORD} 類型 日期 時間 地點"))]
    return [reply(text(ask, quick=[says("登錄為已召開", said), says("取消")]))]


def _screened(ctx: Ctx, line: ScheduleLine) -> list[Outbound] | None:
    return privacy_guard.require_clean(ctx, "會議地點", line.place) or \
        privacy_guard.require_clean(ctx, "會議議程", line.agenda)


def recorded(meeting: Meeting, new: bool) -> Message:
    """Confirm the held meeting, with the case number its first decision will get."""
    first = case_number(to_taipei(meeting.starts_at).date(), 1)
    head = (f"已登錄已召開的{meeting.type_name}（編號{meeting.id}）" if new
            else f"這場{meeting.type_name}已登錄過（編號{meeting.id}），未重複登錄")
    return text(f"{head}：\n時間：{roc_long_datetime(meeting.starts_at)}（已召開，不發提醒）\n地點：{meeting.place}\n"
                f"列管事項請輸入：列管新增 編號{meeting.id} 主辦單位 事項（案號自 {first} 起）",
                quick=[says("列管"), says("會議")])

