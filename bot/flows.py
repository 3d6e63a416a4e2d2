"""Guided conversations declared as tables: states, their questions and how each answer moves on.

A capability declares a `Flow` in `handlers/<capability>/flow.py`:

    Flow(name="calendar_activity", title="新增活動", states=(
        State(Step.TITLE, prompt=ask_title, answer=read_title),   # answer -> go / stay / finish
        ...), actions=frozenset({"cal_date", ...}))

and starts it with `flow.begin(event, ctx, data=...)`. The framework keeps the state in the
conversations table (bot/conversations.py: one row per chat and user, locked for the event's
transaction, so several workers take turns), asks each state's question, merges answers into the
row's data and ends the row when a state finishes. What every flow shares is written once, here
and in the router:

    any state --取消--> ended ("已取消<title>")          any state --expiry--> ended, the next text told so
    any state --求助 ...--> ended, the request runs      any state --read-only command--> answered, flow kept
    any state --other command--> "要放棄目前的<title>嗎？" [放棄並執行] [當作回答] [繼續]

Answers are plain functions `(event, ctx, data) -> Outcome`, so a dialog table test can walk a
flow row by row (state, input, expected reply, next state).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

from bot import conversations
from bot.context import Ctx
from bot.events import EventKind, Inbound
from bot.messages import Message, Outbound, buttons, postback, reply, text

Prompt = Callable[[Ctx, dict[str, Any]], list[Message]]
Answer = Callable[[Inbound, Ctx, dict[str, Any]], "Outcome"]

# The framework's own postback actions (the interruption question); no capability may use them.
LEAVE, KEEP, AS_ANSWER = "flow_leave", "flow_keep", "flow_answer"
FRAMEWORK_ACTIONS = frozenset({LEAVE, KEEP, AS_ANSWER})
LEAVING = "_leaving"  # the command typed mid-flow, kept (encrypted with the draft) until the user decides


@dataclass(frozen=True)
class Outcome:
    """What an answer does: move to `step` (None: stay), merge `data`, say `said`, then ask (or finish)."""

    step: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    said: tuple[Message, ...] = ()
    ask: bool = True
    done: tuple[Outbound, ...] | None = None
    keep: bool = False  # with `done`: the answer managed the conversation row itself (see `handled`)


def _messages(said: tuple[Message | str, ...]) -> tuple[Message, ...]:
    return tuple(text(m) if isinstance(m, str) else m for m in said)


def go(step: str, *said: Message | str, ask: bool = True, **data: Any) -> Outcome:
    """Move to `step` (its question is asked after `said`), keeping `data` in the draft."""
    return Outcome(step=step, data=data, said=_messages(said), ask=ask)


def stay(*said: Message | str, ask: bool = True, **data: Any) -> Outcome:
    """Stay in this state: say why (plain strings become text messages), then ask again unless `ask=False`."""
    return Outcome(data=data, said=_messages(said), ask=ask)


def finish(*said: Outbound) -> Outcome:
    """End the conversation and say `said` (the flow's result)."""
    return Outcome(done=tuple(said))


def handled(*said: Outbound) -> Outcome:
    """Say `said` and leave the row as the answer left it (the privacy guard's own row: a stale tap keeps it)."""
    return Outcome(done=tuple(said), keep=True)


def refused(said: list[Outbound]) -> Outcome:
    """Stay, saying what the privacy guard answered (its refusal and the masked version in one tap)."""
    return Outcome(said=tuple(m for o in said for m in o.messages), ask=False)


@dataclass(frozen=True)
class State:
    """One row of a flow's table: its question and how its answer is read."""

    step: str
    prompt: Prompt
    answer: Answer


@dataclass(frozen=True)
class Flow:
    """A declared conversation: named states, the postback actions it takes, its timeout in minutes."""

    name: str
    title: str  # what the user is doing, as in 「要放棄目前的新增活動嗎？」
    states: tuple[State, ...]
    actions: frozenset[str] = frozenset()
    minutes: int | None = None  # None: CONVERSATION_MINUTES
    title_from: Callable[[dict[str, Any]], str] | None = None  # a title that depends on the draft (新增/修改)
    passive: bool = False  # a pending decision, not a task: command words run as usual (no question)

    def __post_init__(self) -> None:
        steps = [s.step for s in self.states]
        if len(set(steps)) != len(steps):
            raise ValueError(f"flow {self.name} declares a state twice")
        if self.actions & FRAMEWORK_ACTIONS:
            raise ValueError(f"flow {self.name} uses a framework action")

    def title_of(self, data: Mapping[str, Any] | None) -> str:
        """What the user is doing, for 「要放棄目前的…嗎？」 and 「已取消…」."""
        return self.title_from(dict(data or {})) if self.title_from else self.title

    def state(self, step: str) -> State | None:
        return next((s for s in self.states if s.step == step), None)

    def timeout(self, ctx: Ctx) -> int:
        return self.minutes or ctx.config.conversation_minutes

    def begin(self, event: Inbound, ctx: Ctx, data: Mapping[str, Any] | None = None, *,
              step: str | None = None, said: tuple[Message, ...] = (), chat_id: str | None = None) -> list[Outbound]:
        """Start (or restart) this flow for the speaker and ask the first question (or `step`'s)."""
        assert event.user_id and (chat_id or event.chat_id)
        first = self.state(step) if step else self.states[0]
        assert first is not None, f"{self.name} has no state {step}"
        row = conversations.start(ctx.session, chat_id or event.chat_id or "", event.user_id, self.name,
                                  first.step, ctx.now, self.timeout(ctx), dict(data or {}))
        ctx.conversation = row
        return [reply(*said, *first.prompt(ctx, dict(row.data)))]

    def handle(self, event: Inbound, ctx: Ctx) -> list[Outbound]:
        """Take one answer in the conversation's current state."""
        row = ctx.conversation
        assert row is not None
        current = self.state(row.step)
        if current is None:  # a state removed by a newer version of the flow
            conversations.end(ctx.session, row)
            return [reply(text(f"{self.title_of(row.data)}的流程已更新，請重新開始。"))]
        outcome = current.answer(event, ctx, {k: v for k, v in (row.data or {}).items() if k != LEAVING})
        if outcome.done is not None:
            if not outcome.keep:
                conversations.end(ctx.session, row)
                if ctx.conversation is row:
                    ctx.conversation = None
            return list(outcome.done)
        nxt = self.state(outcome.step) if outcome.step else current
        assert nxt is not None, f"{self.name} has no state {outcome.step}"
        if outcome.step or outcome.data:  # a refused answer changes nothing (not even the expiry)
            conversations.advance(row, nxt.step, ctx.now, self.timeout(ctx), **outcome.data)
        asked = nxt.prompt(ctx, dict(row.data)) if outcome.ask else []
        return [reply(*outcome.said, *asked)]

    def ask_again(self, ctx: Ctx) -> list[Message]:
        """The current state's question (after an interruption)."""
        row = ctx.conversation
        current = self.state(row.step) if row else None
        return current.prompt(ctx, dict(row.data)) if row and current else []


# ---------------------------------------------------------------------------- interruptions

def ask_to_leave(flow: Flow, event: Inbound, ctx: Ctx) -> list[Outbound]:
    """A command word mid-flow: keep what was typed and ask whether to leave the flow for it."""
    row = ctx.conversation
    assert row is not None
    nonce = secrets.token_hex(4)
    title = flow.title_of(row.data)
    conversations.advance(row, row.step, ctx.now, flow.timeout(ctx), **{LEAVING: {"text": event.text, "n": nonce}})
    typed = event.text.strip()
    shown = typed if len(typed) <= 12 else typed[:11] + "…"
    return [reply(buttons(f"要放棄目前的{title}嗎？", f"要放棄目前的{title}嗎？\n（您輸入了「{shown}」）", [
        postback(f"放棄，改做「{event.command}」", LEAVE, display=f"放棄{title}", n=nonce),
        postback("不放棄，當作這題的回答", AS_ANSWER, display="當作這題的回答", n=nonce),
        postback(f"繼續{title}", KEEP, display=f"繼續{title}", n=nonce),
    ]))]


def resolve(flow: Flow, event: Inbound, ctx: Ctx, run: Callable[[Inbound], list[Outbound]]) -> list[Outbound]:
    """The answer to the interruption question; `run` dispatches a text event as if typed now."""
    row = ctx.conversation
    assert row is not None
    pending = (row.data or {}).get(LEAVING) or {}
    if not pending or pending.get("n") != event.postback.get("n"):
        return [reply(text("這個按鈕已經過期了。"), *flow.ask_again(ctx))]
    conversations.advance(row, row.step, ctx.now, flow.timeout(ctx), **{LEAVING: None})
    typed = replace(event, kind=EventKind.TEXT, text=pending["text"], postback={}, params={})
    if event.action == KEEP:
        return [reply(*flow.ask_again(ctx))]
    if event.action == AS_ANSWER:
        return flow.handle(typed, ctx)
    title = flow.title_of(row.data)
    conversations.end(ctx.session, row)
    ctx.conversation = None
    return [reply(text(f"已結束{title}。")), *run(typed)]
