"""Where one event's time goes: SQL statements, transactions and LINE calls per kind of event.

The same mix as the load test, sent one at a time through the bot in this process (Flask's test
client, the emulator as LINE), counting what each event makes the bot do. It explains the
throughput gap to the echo bot, which makes one LINE call and no database call per event.
"""
from __future__ import annotations

import logging
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.database import env_of
from bench.procs import base_env, free_port, start_emulator
from bench.workload import Mix, People, register_reply_tokens, signed
from bot.config import Config


@dataclass
class Tally:
    """Totals for one kind of event."""

    events: int = 0
    statements: int = 0
    commits: int = 0
    line_calls: int = 0
    seconds: list[float] = field(default_factory=list)


class CountingGateway:
    """Passes every call to the real gateway and counts them."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.calls = inner, 0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if not callable(attr):
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return attr(*args, **kwargs)
        return counted


def measure(config: Config, people: People, incidents: list[tuple[int, str]], events: int,
            log_dir: Path, mix: str = "everyday") -> dict[str, Tally]:
    """Send `events` events of the mix one by one and tally what each kind cost."""
    from app import create_app
    from bot.gateway import SdkGateway

    port = free_port()
    emulator_url = f"http://127.0.0.1:{port}"
    config = replace(config, line_api_base_url=emulator_url)
    emulator = start_emulator(port, base_env(**env_of(config)), log_dir)
    try:
        gateway = CountingGateway(SdkGateway(emulator_url, config.channel_access_token))
        app = create_app(config, gateway=gateway)
        logging.getLogger().setLevel(logging.WARNING)  # create_app logs every LINE call at INFO
        engine = app.extensions["services"].db.engine
        counts = {"statements": 0, "commits": 0}
        event.listen(engine, "before_cursor_execute", lambda *_: _bump(counts, "statements"))
        event.listen(engine, "commit", lambda *_: _bump(counts, "commits"))
        drawn = Mix(people, incidents, seed=5, mix=mix).events(events)
        register_reply_tokens(emulator_url, drawn)
        return _tally(app.test_client(), signed(drawn, config.channel_secret), counts, gateway)
    finally:
        emulator.stop()


def _bump(counts: dict[str, int], key: str) -> None:
    counts[key] += 1


def _tally(client: Any, requests: list, counts: dict[str, int], gateway: CountingGateway) -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for request in requests:
        before = dict(counts), gateway.calls
        started = time.perf_counter()
        client.post("/callback", data=request.body, headers=dict(request.headers))
        tally = tallies[request.label]
        tally.seconds.append(time.perf_counter() - started)
        tally.events += 1
        tally.statements += counts["statements"] - before[0]["statements"]
        tally.commits += counts["commits"] - before[0]["commits"]
        tally.line_calls += gateway.calls - before[1]
    return dict(tallies)


def table(tallies: dict[str, Tally]) -> str:
    """The tallies as a Markdown table, most frequent kind first, with an all-events row."""
    rows = ["| kind | events | SQL statements / event | commits / event | LINE calls / event | median ms |",
            "|---|---|---|---|---|---|"]
    ordered = sorted(tallies.items(), key=lambda item: -item[1].events)
    total = Tally()
    for label, t in ordered:
        rows.append(_row(label, t))
        total.events += t.events
        total.statements += t.statements
        total.commits += t.commits
        total.line_calls += t.line_calls
        total.seconds += t.seconds
    rows.append(_row("**all**", total))
    return "\n".join(rows) + "\n"


def _row(label: str, t: Tally) -> str:
    n = max(t.events, 1)
    return (f"| {label} | {t.events} | {t.statements / n:.1f} | {t.commits / n:.1f} | {t.line_calls / n:.2f} "
            f"| {statistics.median(t.seconds) * 1000:.1f} |")
