"""The event router: an explicit, ordered table built by the app factory from each capability's routes.

Precedence is fixed: screens (middleware) first, then the global cancel word, then an active
conversation step, then a postback action, then a command word, then the event type, then the
default (a hint in 1:1 chat, silence in groups).

A command word typed during a conversation is not taken as its answer: the route's `mid_flow`
says what happens (bot/flows.py): 求助 ends the flow and runs (a request is never lost to a flow),
read-only commands answer and keep the flow, any other asks whether to leave the flow.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import update

from bot import conversations, flows, rate_limits
from bot.context import Ctx
from bot.events import EventKind, Inbound
from bot.flows import Flow
from bot.messages import Outbound, labelled, owner_of, reply, says, text

if TYPE_CHECKING:
    from bot.services import Services

Handler = Callable[[Inbound, Ctx], list[Outbound]]
Middleware = Callable[[Inbound, Ctx], list[Outbound] | None]

CANCEL_WORDS = frozenset({"取消", "cancel"})


class Where(StrEnum):
    ANY = "any"
    PRIVATE = "private"
    GROUP = "group"


class MidFlow(StrEnum):
    """What a command word does when typed in the middle of a guided flow."""

    ASK = "ask"          # ask whether to leave the flow for it (the default)
    RUN = "run"          # answer and keep the flow (read-only commands such as 說明)
    PREEMPT = "preempt"  # end the flow and run at once (求助: an urgent request never waits)


class Who(StrEnum):
    ANYONE = "anyone"
    UNREGISTERED = "unregistered"  # offered only to people who are not yet approved contacts (註冊)
    REGISTERED = "registered"
    MANAGER = "manager"
    ADMIN = "admin"


@dataclass(frozen=True)
class Route:
    """One entry of the table: what it matches, where and for whom, and its handler."""

    handler: Handler
    commands: tuple[str, ...] = ()
    action: str | None = None
    event: EventKind | None = None
    where: Where = Where.ANY
    who: Who = Who.ANYONE
    summary: str = ""
    # LINE gets its 200 before the handler runs (bot/inbox.py): for handlers that write several tables.
    acknowledge_first: bool = False
    mid_flow: MidFlow = MidFlow.ASK
    # The handler only reads (說明, 資源, 案件): where the rate-limit count is kept apart from the event's
    # transaction (PostgreSQL), the event runs without one (bot/db.py, `writes=False`).
    reads_only: bool = False


@dataclass(frozen=True)
class Job:
    """A scheduled job of a capability: `run(services, now)` returns how many items it handled.

    `every`: its own interval, for housekeeping (purges, arming rows days ahead) that need not run on
    every tick; None runs it on the scheduler's tick (SCHEDULER_TICK_SECONDS) with what sends.
    """

    name: str
    run: Callable[..., int]
    every: timedelta | None = None


@dataclass(frozen=True)
class Capability:
    """What a capability module declares: routes, flows, screens and jobs, registered by create_app."""

    name: str
    routes: tuple[Route, ...] = ()
    flows: tuple[Flow, ...] = ()
    middleware: tuple[Middleware, ...] = ()
    jobs: tuple[Job, ...] = ()
    reminders: Mapping[str, Callable[..., Any]] = field(default_factory=dict)  # reminder kind -> renderer
    blueprints: tuple[Any, ...] = ()  # Flask blueprints (web pages, feeds, downloads)
    commands: tuple[Any, ...] = ()  # click groups of operator commands (`flask --app wsgi <group> ...`)
    # `forget(session, line_message_id) -> texts cleared`: an unsent LINE message takes its stored copies along
    # (bot/retention.py then clears the outbox bodies that quoted those texts).
    forget: tuple[Callable[..., list[str]], ...] = ()
    console_pages: tuple[Any, ...] = ()  # bot.console.ConsolePage entries of the secretariat's desk
    # Which of its reminders may join the group's morning digest and how early (bot/digest.py): a
    # rules.economy.DigestFit per reminder row, or None for a row that keeps its own time.
    digestible: Callable[[Any], Any] | None = None
    # Events that change something though no route of theirs matches (a group text with personal data
    # leaves an audit row): a pure test of the event, so SQLite can take its write lock up front.
    writes_when: tuple[Callable[[Inbound], bool], ...] = ()


class DuplicateRoute(ValueError):
    """Two routes claim the same command word, postback action or flow."""


@dataclass
class Router:
    capabilities: list[Capability]
    commands: dict[str, Route] = field(default_factory=dict)
    actions: dict[str, Route] = field(default_factory=dict)
    events: dict[EventKind, Route] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    middleware: list[Middleware] = field(default_factory=list)
    renderers: dict[str, Callable[..., Any]] = field(default_factory=dict)
    forgetters: list[Callable[..., list[str]]] = field(default_factory=list)
    digestible: dict[str, Callable[[Any], Any]] = field(default_factory=dict)  # reminder kind -> its DigestFit
    flow_owners: dict[str, str] = field(default_factory=dict)  # flow name -> capability (for the ledger)
    flow_actions: frozenset[str] = frozenset()  # every postback action some flow (or the framework) takes

    def __post_init__(self) -> None:
        for capability in self.capabilities:
            self.middleware.extend(capability.middleware)
            self.forgetters.extend(capability.forget)
            for kind, renderer in capability.reminders.items():
                _put(self.renderers, kind, renderer, f"reminder kind {kind} ({capability.name})")
                if capability.digestible is not None:
                    self.digestible[kind] = capability.digestible
            for route in capability.routes:
                self._register(route, capability.name)
            for flow in capability.flows:
                _put(self.flows, flow.name, flow, f"flow {flow.name}")
                self.flow_owners[flow.name] = capability.name
        self.flow_actions = flows.FRAMEWORK_ACTIONS.union(*(f.actions for f in self.flows.values()))
        taken = set(self.actions) | {a for f in self.flows.values() for a in f.actions}
        if taken & flows.FRAMEWORK_ACTIONS:
            raise DuplicateRoute(f"postback actions {sorted(taken & flows.FRAMEWORK_ACTIONS)} belong to the router")

    def _register(self, route: Route, owner: str) -> None:
        for word in route.commands:
            _put(self.commands, word.lower(), route, f"command {word} ({owner})")
        if route.action:
            _put(self.actions, route.action, route, f"postback action {route.action} ({owner})")
        if route.event:
            _put(self.events, route.event, route, f"event {route.event} ({owner})")

    def dispatch(self, event: Inbound, ctx: Ctx) -> list[Outbound]:
        """Find the one handler for this event and return what it wants said."""
        if not _has_its_chat(event):
            return []  # webhook.yml allows events without a source; there is no one to answer
        for screen in self.middleware:
            said = screen(event, ctx)
            if said is not None:
                return said
        if event.user_id is None and event.kind in _ATTRIBUTED_EVENTS:
            return []  # screened above, but no one to attribute a command or a tap to (e.g. LINE for PC)
        if event.kind == EventKind.POSTBACK and not _well_formed(event):
            return [reply(text(STALE_BUTTON))]
        if event.kind == EventKind.TEXT and event.text.strip().lower() in CANCEL_WORDS:
            limited = _limited(event, ctx)
            return limited if limited is not None else self._cancel(event, ctx)
        flow_answer = self._continue_flow(event, ctx)
        if flow_answer is not None:
            return flow_answer
        route = self._match(event)
        if route is None:
            return _default(event, ctx)
        refusal = _limited(event, ctx)
        if refusal is None:
            refusal = _refuse(route, event, ctx)
        if refusal is not None:
            return refusal
        return _run(route, event, ctx)

    def acknowledges_first(self, event: Inbound) -> bool:
        """Whether the event's route wants it stored and acknowledged before it is handled.

        Decided from the event alone (no database): `dispatch` still applies the full precedence later.
        """
        if not _has_its_chat(event) or event.user_id is None:
            return False
        route = self._match(event)
        return route is not None and route.acknowledge_first

    def expects_writes(self, event: Inbound, counted_apart: bool = False) -> bool:
        """Whether the event, by its shape, is one that changes something (decided without the database).

        A text that is no command word (chatter) and anything that is neither a text, a tap nor a group
        event (stickers reach no route) usually only reads; every command and tap writes at least its
        rate-limit count, except a `reads_only` command when that count is kept apart (`counted_apart`,
        PostgreSQL). A screen or a flow in progress can still make such an event write: the webhook then
        runs it again expecting writes (bot/db.py: `lost_write_race`, `WroteWhileReading`).
        """
        if any(writes(event) for capability in self.capabilities for writes in capability.writes_when):
            return True
        if event.kind == EventKind.TEXT:
            route = self._match(event)
            return event.text.strip().lower() in CANCEL_WORDS or (
                route is not None and not (counted_apart and route.reads_only))
        return event.kind == EventKind.POSTBACK or self._match(event) is not None

    def _match(self, event: Inbound) -> Route | None:
        if event.kind == EventKind.POSTBACK:
            return self.actions.get(event.action or "")
        if event.kind == EventKind.TEXT:
            return self.commands.get(event.command.lower())
        return self.events.get(event.kind)

    def _continue_flow(self, event: Inbound, ctx: Ctx) -> list[Outbound] | None:
        if event.kind not in (EventKind.TEXT, EventKind.POSTBACK) or not (event.chat_id and event.user_id):
            return None
        if event.kind == EventKind.POSTBACK and event.action not in self.flow_actions:
            return None  # a card's button (認領, 需要更多資訊): no flow takes it, so no flow row is read
        row, expired = conversations.load_or_expired(ctx.session, event.chat_id, event.user_id, ctx.now)
        if row is None:
            return self._expired(expired, event)
        flow = self.flows.get(row.flow)
        if flow is None:
            conversations.end(ctx.session, row)
            return None
        if event.kind == EventKind.POSTBACK and not (event.action in flows.FRAMEWORK_ACTIONS
                                                     or event.action in flow.actions):
            return None
        limited = _limited(event, ctx)
        if limited is not None:
            return limited
        ctx.conversation = row
        if event.kind == EventKind.POSTBACK:
            if event.action in flows.FRAMEWORK_ACTIONS:
                return flows.resolve(flow, event, ctx, lambda typed: self._after_flow(typed, ctx))
            return self._in_flow(flow, event, ctx)
        conversations.drop_pending(row)  # typing on instead of tapping drops a waiting masked version
        route = self.commands.get(event.command.lower())
        if route is None or flow.passive:
            return self._in_flow(flow, event, ctx)
        return self._interrupted(flow, route, event, ctx)

    def _in_flow(self, flow: Flow, event: Inbound, ctx: Ctx) -> list[Outbound]:
        return labelled(flow.handle(event, ctx), self.flow_owners.get(flow.name, "other"), flow.name)

    def _interrupted(self, flow: Flow, route: Route, event: Inbound, ctx: Ctx) -> list[Outbound]:
        """A command word typed mid-flow: run it, run it instead, or ask (the route's `mid_flow`)."""
        refusal = _refuse(route, event, ctx)
        if refusal is not None:
            return refusal + [reply(*flow.ask_again(ctx))]
        if route.mid_flow == MidFlow.ASK:
            return flows.ask_to_leave(flow, event, ctx)
        if route.mid_flow == MidFlow.PREEMPT:
            assert ctx.conversation is not None
            title = flow.title_of(ctx.conversation.data)
            conversations.end(ctx.session, ctx.conversation)
            ctx.conversation = None
            return [reply(text(f"已結束進行中的{title}，先處理「{event.command}」。")), *_run(route, event, ctx)]
        row = ctx.conversation
        said = _run(route, event, ctx)
        if row is not None and ctx.conversation is row:  # no other flow started: remind where we were
            said = said + [reply(text(f"（{flow.title_of(row.data)}仍在進行中：請回答上一題，或輸入「取消」。）"))]
        return said

    def _after_flow(self, event: Inbound, ctx: Ctx) -> list[Outbound]:
        """Run a command the user chose over the flow they left."""
        route = self._match(event)
        if route is None:
            return _default(event, ctx)
        refusal = _refuse(route, event, ctx)
        return refusal if refusal is not None else _run(route, event, ctx)

    def _expired(self, expired: str | None, event: Inbound) -> list[Outbound] | None:
        """A text after a flow timed out, that is no command: say the flow ended rather than guess."""
        flow = self.flows.get(expired or "")
        if flow is None or event.kind != EventKind.TEXT or self._match(event) is not None:
            return None
        return [reply(text(f"{flow.title}已逾時結束，未完成的內容沒有儲存。請重新開始，或輸入「說明」。"))]

    def _cancel(self, event: Inbound, ctx: Ctx) -> list[Outbound]:
        row = None
        if event.chat_id and event.user_id:
            row = conversations.load(ctx.session, event.chat_id, event.user_id, ctx.now)
        if row is None:
            return [] if event.in_group else [reply(text("目前沒有進行中的操作。"))]
        conversations.end(ctx.session, row)
        flow = self.flows.get(row.flow)
        what = flow.title_of(row.data) if flow else ""
        return [reply(text(f"已取消{what}。需要時請輸入「說明」查看可用功能。"))]


_GROUP_EVENTS = (EventKind.JOIN, EventKind.LEAVE, EventKind.MEMBER_JOINED, EventKind.MEMBER_LEFT)
_ATTRIBUTED_EVENTS = (EventKind.TEXT, EventKind.POSTBACK, EventKind.FOLLOW, EventKind.UNFOLLOW)
_USER_EVENTS = (*_ATTRIBUTED_EVENTS, EventKind.UNSEND)


def _has_its_chat(event: Inbound) -> bool:
    """Group events need a group; what a user does needs the chat it happened in."""
    if event.kind in _GROUP_EVENTS:
        return event.group_id is not None
    if event.kind in _USER_EVENTS:
        return event.chat_id is not None
    return True


def _put(table: dict, key: object, value: object, what: str) -> None:
    if key in table:
        raise DuplicateRoute(f"two routes for the same {what}")
    table[key] = value


def _limited(event: Inbound, ctx: Ctx) -> list[Outbound] | None:
    """Count a command, tap or step against the user's per-minute limit; what to say when over it."""
    limited = rate_limits.check(ctx.session, event.user_id, ctx.now, ctx.config.rate_limit_per_minute,
                                event.in_group)
    if limited is None:
        _note_seen(ctx)
    return limited


SEEN_EVERY = timedelta(days=1)


def _note_seen(ctx: Ctx) -> None:
    """Remember that an active contact used the bot (once a day at most), after the response.

    In a short transaction of its own rather than the event's: the contact's row is then never locked
    for as long as the event runs (a claim waiting for its request's lock held the same person's next
    command behind it), and a read-only command (說明) still writes nothing in its own transaction.
    """
    contact = ctx.contact
    if contact is None or not contact.is_active:
        return
    if contact.last_seen_at is None or ctx.now - contact.last_seen_at >= SEEN_EVERY:
        ctx.after_response(partial(_seen, contact.id, ctx.now))


def _seen(contact_id: int, now: datetime, services: "Services") -> None:
    from models.roster import Contact
    with services.db.one_write() as connection:
        connection.execute(update(Contact).where(Contact.id == contact_id).values(last_seen_at=now))


def _run(route: Route, event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Run a route's handler, naming who said each push (for the counted-messages ledger)."""
    return labelled(route.handler(event, ctx), owner_of(route.handler), route.handler.__name__.removeprefix("on_"))


def _refuse(route: Route, event: Inbound, ctx: Ctx) -> list[Outbound] | None:
    """Say politely why this user or chat cannot use the route; None when allowed."""
    if route.where == Where.PRIVATE and event.in_group:
        return [reply(text("這個功能請在與小幫手的一對一聊天中使用，以免資料出現在群組。"))]
    if route.where == Where.GROUP and not event.in_group:
        return [reply(text("這個功能請在區域聯繫群組中使用。"))]
    if route.who in (Who.ANYONE, Who.UNREGISTERED):
        return None
    if ctx.is_admin:
        return None
    contact = ctx.contact
    if contact is None:
        return [reply(text("這個功能限已註冊的網絡單位聯繫窗口使用。請先在一對一聊天輸入「註冊」。",
                           quick=[says("註冊")] if not event.in_group else None))]
    if contact.status == "inactive":
        return [reply(text("您的聯繫窗口身分已停用（已離開群組、封鎖小幫手或由秘書單位停用）。"
                           "如仍負責聯繫，請輸入「註冊」重新申請。", quick=None if event.in_group else [says("註冊")]))]
    if not contact.is_active:
        return [reply(text("您的註冊申請尚待秘書單位核准，核准前只能使用「說明」與「資源」。"))]
    if route.who == Who.MANAGER and not contact.can_manage:
        _audit_refusal(route, event, ctx)
        return [reply(text("這個功能限秘書單位（區公所社會課、社會局）或管理員使用。"))]
    if route.who == Who.ADMIN:
        _audit_refusal(route, event, ctx)
        return [reply(text("這個功能限管理員使用。"))]
    return None


def _audit_refusal(route: Route, event: Inbound, ctx: Ctx) -> None:
    """A registered contact tried a manager's or an admin's command: who, what, where (never the text)."""
    from models.audit import AuditEntry
    what = route.action or (route.commands[0] if route.commands else str(route.event))
    ctx.session.add(AuditEntry(at=ctx.now, actor=event.user_id or "", action=f"refused:{what}"[:40],
                               detail={"who": str(route.who), "group": event.group_id}))


STALE_BUTTON = "這個按鈕已失效或無法辨識（可能是舊的訊息）。請重新操作，或輸入「說明」查看可用功能。"


def _well_formed(event: Inbound) -> bool:
    """A tap names an action, and every id it carries is a number (anything else was not made by the bot)."""
    if not event.action:
        return False
    return all(str(value).isascii() and str(value).isdigit() and len(str(value)) < 12
               for key, value in event.postback.items() if key == "id" or key.endswith("_id"))


def _default(event: Inbound, ctx: Ctx) -> list[Outbound]:
    if event.kind == EventKind.POSTBACK:
        return [reply(text(STALE_BUTTON))]  # a tap always deserves an answer, even an unknown one
    # In groups the bot stays silent unless a command or a problem calls for it (group etiquette).
    if event.in_group or event.kind != EventKind.TEXT:
        return []
    return [reply(text("我沒有看懂這句話。輸入「說明」可以看到能用的功能。", quick=[says("說明")]))]


def build(capabilities: Iterable[Capability]) -> Router:
    """Build the route table; raises DuplicateRoute when two capabilities claim the same thing."""
    return Router(list(capabilities))
