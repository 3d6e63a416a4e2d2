"""`/callback` under gunicorn: the bot against a bare echo bot, and one worker's memory after many events.

Each target gets a fresh emulator as its LINE API, the same gunicorn settings, a warm-up, and
then the same mix of events (bench/workload.py) from the load generator on loopback. The bot
writes to PostgreSQL exactly as in production: dedupe row, handler writes, outbox, reply.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import requests

from bench import loadgen
from bench.database import env_of
from bench.procs import (CpuMeter, GunicornSettings, base_env, free_port, pids_named, rss_kib, start_emulator,
                         start_gunicorn, worker_pids)
from bench.workload import Labelled, Mix, People, register_reply_tokens, signed
from bot.config import Config

BOT_APP = "wsgi:app"
ECHO_APP = "bench.echo_bot:create_app()"


@dataclass(frozen=True)
class Load:
    """How hard and how long to push."""

    requests: int = 6000
    concurrency: int = 8
    max_seconds: float = 120.0
    warmup: int = 300
    batch: int = 1  # events per webhook request


@dataclass
class Measured:
    """One target's numbers."""

    name: str
    outcome: loadgen.Outcome
    api_calls: Counter  # (path, status) of Messaging API calls the target made during the run
    worker_rss_kib: list[int]
    rss_samples: list[tuple[int, int]] = field(default_factory=list)  # (events answered, KiB)
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # by process group, during the measured load


def measure(name: str, app: str, config: Config, people: People, incidents: list[tuple[int, str]], load: Load,
            settings: GunicornSettings, log_dir: Path, seed: int = 7,
            sample_at: tuple[int, ...] = (), mix: str = "everyday") -> Measured:
    """Serve `app`, warm it up, then drive `load` at it and read what it did."""
    emulator_port, port = free_port(), free_port()
    emulator_url = f"http://127.0.0.1:{emulator_port}"
    env = base_env(**env_of(replace(config, line_api_base_url=emulator_url)))
    emulator = start_emulator(emulator_port, env, log_dir)
    try:
        server = start_gunicorn(name, app, port, settings, env, log_dir)
        try:
            _drive(port, emulator_url, config, Mix(people, incidents, seed=seed + 1000, mix=mix).events(load.warmup),
                   replace(load, max_seconds=60))
            requests.post(f"{emulator_url}/_emulator/reset", timeout=30).raise_for_status()
            samples: list[tuple[int, int]] = []
            sample = _sampler(server.pid, load.batch, sample_at, samples)
            sample(0)
            events = Mix(people, incidents, seed=seed, mix=mix).events(load.requests * load.batch)
            meter = CpuMeter({"target (gunicorn)": lambda: [server.pid, *worker_pids(server.pid)],
                              "LINE stand-in": lambda: [emulator.pid], "PostgreSQL": lambda: pids_named("postgres")})
            outcome = _drive(port, emulator_url, config, events, load, sample, meter)
            rss = [rss_kib(pid) for pid in worker_pids(server.pid)]
            if rss and sample_at:
                samples.append((len(outcome.latencies) * load.batch, rss[0]))
            calls = Counter((r["path"], r["status"]) for r in _api_requests(emulator_url))
            return Measured(name, outcome, calls, rss, samples, meter.used)
        finally:
            server.stop()
    finally:
        emulator.stop()


def merged(runs: list[Measured]) -> Measured:
    """One target's rounds as one measurement (RSS from the last round)."""
    calls: Counter = Counter()
    cpu: Counter = Counter()
    for run in runs:
        calls.update(run.api_calls)
        cpu.update(run.cpu_seconds)
    return Measured(runs[0].name, loadgen.Outcome.merged([r.outcome for r in runs]), calls, runs[-1].worker_rss_kib,
                    cpu_seconds=dict(cpu))


def _drive(port: int, emulator_url: str, config: Config, events: list[Labelled], load: Load,
           on_progress: Callable[[int], None] | None = None, meter: CpuMeter | None = None) -> loadgen.Outcome:
    register_reply_tokens(emulator_url, events)
    bodies = signed(events, config.channel_secret, load.batch)
    if meter:
        meter.start()
    try:
        return loadgen.run("127.0.0.1", port, "/callback", bodies, load.concurrency, load.max_seconds, on_progress)
    finally:
        if meter:
            meter.stop()


def _sampler(master_pid: int, batch: int, at: tuple[int, ...], into: list[tuple[int, int]]) -> Callable[[int], None]:
    """Record the first worker's RSS when the answered-request count reaches each mark (in events)."""
    pending = sorted(set(at))

    def sample(answered: int) -> None:
        events = answered * batch
        due = answered == 0 or bool(pending and events >= pending[0])
        while pending and events >= pending[0]:
            pending.pop(0)
        workers = worker_pids(master_pid)
        if due and workers:
            into.append((events, rss_kib(workers[0])))

    return sample


def _api_requests(emulator_url: str) -> list[dict[str, Any]]:
    response = requests.get(f"{emulator_url}/_emulator/requests", timeout=120)
    response.raise_for_status()
    return response.json()
