"""Message economy: who a message goes to, given what LINE charges (pure rules, no I/O).

LINE counts a push once per recipient: a push to a 30-member group costs 30, a 1:1 push costs 1,
however many bubbles (up to 5 messages) it carries; replies are free. The choice per kind of message,
with the cost in mind (README "Message quota" has the same as a table):

- an answer to what someone typed or tapped: the reply token (free); a push only when no reply
  token is fresh.
- a request's card (求助): the group, at once, never held; it may spend the reserve.
- first escalation (nobody claimed): 1:1 to the asked units' contacts with the card to claim from
  (cost = those contacts); the group when that is cheaper (nobody asked, or as many contacts as members).
- second escalation: 1:1 to the district secretariat (one or two people decide what to do).
- chasing units that have not answered (forms): 1:1 to their contacts; inside the group's digest,
  for nothing extra, when one goes out that morning anyway (a chaser alone never makes a digest).
- routine group notices (meeting reminders a day or more ahead, review cards, activity announcements,
  case-submission notices): the group's morning digest (DIGEST_TIME, workdays), merged into one push,
  made only when one of them would cost a group push before the next digest anyway; those whose lead
  allows it ride it early (an activity's announcement up to 4 days, a meeting's 7-day reminder up to
  3 days, a case-submission notice up to 3 days) instead of costing a push of their own later.
- one-off group notices made in 1:1 chat (a form broadcast's card, a new meeting weeks ahead): held
  for the group's digests; they ride the first that goes and go by themselves at the second at the
  latest. A form whose deadline is near, or a meeting under a week away, goes at once.
- timely group notices (a meeting 2 hours ahead): the group at their time; late is useless. On that
  day the morning digest waits for it (until 18:00) and goes in the same push.
- the weekly activity preview (CALENDAR_DIGEST, off by default): skipped when it would show nothing
  the previous one did not.
- a big send (a form to the groups): shown with its cost (and when it goes), sent after a confirm button.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

MAX_MESSAGES_PER_PUSH = 5  # LINE: a push carries at most five message objects
DEFAULT_DIGEST_TIME = "08:30"


class QuotaState(StrEnum):
    """Where the month stands against its quota and the reserve kept for urgent requests."""

    OK = "ok"
    LOW = "low"      # only the reserve is left: routine messages go 1:1 to the secretariat
    OUT = "out"      # not even an urgent card fits: a requester is told to phone
    UNKNOWN = "unknown"  # LINE's quota not read yet


def one_to_one_is_cheaper(contacts: int, group_members: int) -> bool:
    """1:1 to each contact costs one each; the group costs its members."""
    return 0 < contacts < group_members


def parse_reserve(setting: str, limit: int | None) -> int:
    """QUOTA_RESERVE_URGENT: "10%" of the month's quota, or a number of messages; 0 on an unlimited plan."""
    value = setting.strip()
    if limit is None or not value:
        return 0
    if value.endswith("%"):
        share = float(value[:-1])
        if not 0 <= share <= 100:
            raise ValueError(f"QUOTA_RESERVE_URGENT {setting!r}: a share between 0% and 100%")
        return int(limit * share / 100)
    count = int(value)
    if count < 0:
        raise ValueError(f"QUOTA_RESERVE_URGENT {setting!r} is negative")
    return count


def state_of(limit: int | None, used: int, reserve: int, urgent_cost: int) -> QuotaState:
    """OK, LOW (inside the reserve) or OUT (an urgent card of `urgent_cost` would be refused)."""
    if limit is None:
        return QuotaState.OK
    left = limit - used
    if left < max(urgent_cost, 1):
        return QuotaState.OUT
    if left <= reserve:
        return QuotaState.LOW
    return QuotaState.OK


def parse_digest_time(value: str) -> time:
    """"08:30" -> 08:30; a clear error otherwise."""
    hours, _, minutes = value.strip().partition(":")
    try:
        parsed = time(int(hours), int(minutes or 0))
    except ValueError:
        raise ValueError(f"digest time {value!r}: write HH:MM, e.g. 08:30") from None
    return parsed


def digest_moment(day_start: datetime, at: time) -> datetime:
    """The digest moment of a (Taipei, midnight) day."""
    return day_start.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)


def next_digest(after: datetime, at: time, is_workday: Callable[[date], bool]) -> datetime:
    """The first digest moment strictly after `after` (Taipei-aware), on a workday."""
    day = after.replace(hour=0, minute=0, second=0, microsecond=0)
    for _ in range(40):
        moment = digest_moment(day, at)
        if moment > after and is_workday(moment.date()):
            return moment
        day += timedelta(days=1)
    return after + timedelta(days=1)


@dataclass(frozen=True)
class DigestFit:
    """How a routine reminder to a group may join the group's morning digest (bot/digest.py)."""

    early: timedelta = timedelta(0)  # may go this much before its own time, riding a digest that goes anyway
    rider: bool = False  # alone it costs little (it goes 1:1): it rides a digest but is no reason to make one
    keeps_time: bool = False  # it goes at its own hour (a meeting 2 hours ahead); that day's digest waits for it


def digest_picks(rows: Sequence[tuple[datetime, DigestFit]], now: datetime, horizon: datetime,
                 day_end: datetime) -> tuple[list[int], datetime]:
    """Which of a group's waiting reminders (due, fit) go in this morning's digest, and when; none if no push is saved.

    A digest is made only when a reminder would cost a group push before the next digest anyway (its
    anchor); then everything due before the next digest goes with it, and so does what may go early
    by then (`horizon`, the next digest). Two at least, or there is nothing to share a push with.
    When a reminder that keeps its hour goes later today (before `day_end`), the digest goes with it
    then, rather than make a push of its own now.
    """
    timed = [due for due, fit in rows if fit.keeps_time and now <= due < day_end]
    anchored = bool(timed) or any(due < horizon and not fit.rider and not fit.keeps_time for due, fit in rows)
    picks = [index for index, (due, fit) in enumerate(rows) if not fit.keeps_time and due - fit.early < horizon]
    if not anchored or len(picks) + (1 if timed else 0) < 2:
        return [], now
    return picks, min(timed) if timed else now


CARD_WAIT_MIN_DAYS = 3  # a form's group card waits for the digest only if this many days are left after it


def card_may_wait(deadline: date, digest_at: datetime) -> bool:
    """A form broadcast's group card may wait for the group's next digest when the deadline is still far."""
    return (deadline - digest_at.date()).days >= CARD_WAIT_MIN_DAYS


MAX_EARLY = timedelta(days=14)  # no reminder goes more than this early (bounds the digest's look-ahead)


@dataclass(frozen=True)
class Forecast:
    used: int
    scheduled: int  # cost of reminders already scheduled before the month ends
    pace: int       # what people's own actions will likely cost, from this month's pace so far

    @property
    def total(self) -> int:
        return self.used + self.scheduled + self.pace


def forecast(used: int, scheduled: int, event_driven_so_far: int, elapsed_days: float, month_days: int) -> Forecast:
    """The month's end: what is spent, what is scheduled, and the rest of the month at this month's pace."""
    remaining = max(month_days - elapsed_days, 0.0)
    pace = round(event_driven_so_far / max(elapsed_days, 1.0) * remaining)
    return Forecast(used, scheduled, pace)
