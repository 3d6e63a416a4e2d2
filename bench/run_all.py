"""Run every benchmark and write bench/RESULTS.md: `make bench` (about 15 minutes on 2 cores).

    python bench/run_all.py                 # the full run: 100,000 events for memory, 10,000 reminders
    python bench/run_all.py --quick         # a few minutes: smaller counts, same code paths
    python bench/run_all.py --only webhook  # one section (webhook, instructions, memory, scheduler, privacy, cost)

Needs PostgreSQL: TEST_DATABASE_URL (or --database-url) names a server where the benchmark may
create and drop its own databases (`make bench` starts one with scripts/ensure_postgres.sh).
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench import anatomy, instructions, machine, report
from bench.database import bench_config, drop_database, fresh_database, prepare
from bench.procs import GunicornSettings
from bench.scheduler_bench import Plan
from bench.webhook_bench import BOT_APP, ECHO_APP, Load, Measured, measure
from bench.workload import People
from bot.config import Config

SECTIONS = ("webhook", "instructions", "memory", "scheduler", "privacy", "cost")
MEMORY_MARKS = (10_000, 25_000, 50_000, 75_000, 100_000)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller counts for a quick look (not for RESULTS.md)")
    parser.add_argument("--only", choices=SECTIONS, action="append", help="run only these sections")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--output", type=Path, help="default bench/RESULTS.md (--quick: bench/out/RESULTS-quick.md)")
    parser.add_argument("--requests", type=int, default=6000, help="webhook requests per target, over all rounds")
    parser.add_argument("--rounds", type=int, default=3, help="alternating echo/bot rounds (a busy neighbour "
                                                              "disturbs one round, not the comparison)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=120.0, help="cap on each load run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread", choices=("sync", "gthread"))
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--anatomy-events", type=int, default=1000, help="events counted one by one")
    parser.add_argument("--instruction-events", type=int, default=800, help="events counted by valgrind per run")
    parser.add_argument("--memory-events", type=int, default=100_000)
    parser.add_argument("--memory-batch", type=int, default=1, help="events per webhook request in the memory run")
    parser.add_argument("--mixes", nargs="+", default=["everyday", "incident"], choices=["everyday", "incident"],
                        help="webhook mixes to measure (bench/workload.py MIXES)")
    parser.add_argument("--backends", nargs="+", default=["postgresql", "sqlite"], choices=["postgresql", "sqlite"],
                        help="databases of the webhook runs (WEBHOOK_RUNS)")
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=500)
    parser.add_argument("--schedulers", type=int, default=2, help="two show exactly-once and one shared rate")
    parser.add_argument("--tick", type=int, default=30, help="SCHEDULER_TICK_SECONDS for the scheduler run")
    parser.add_argument("--rate-limit", type=int, default=100,
                        help="LINE_PUSH_RATE: pushes per second the relay must stay under")
    args = parser.parse_args(argv)
    args.output = args.output or REPO_ROOT / "bench" / ("out/RESULTS-quick.md" if args.quick else "RESULTS.md")
    if args.quick:
        args.requests, args.memory_events, args.reminders, args.groups = 1500, 10_000, 2000, 100
        args.anatomy_events, args.instruction_events = 300, 300
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    # Stopping the run must stop its gunicorn, emulator and scheduler children too: the sections' finally blocks do.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    if not args.database_url or not args.database_url.startswith("postgresql"):
        sys.exit("bench: set TEST_DATABASE_URL to a PostgreSQL server (make bench does), or pass --database-url")
    log_dir = Path(tempfile.mkdtemp(prefix="shanet-bench-"))
    print(f"bench: logs in {log_dir}", flush=True)
    chosen = args.only or list(SECTIONS)
    started = time.monotonic()
    parts = [f"# Benchmark results\n\nWritten by `bench/run_all.py`{' --quick (scaled down)' if args.quick else ''}; "
             "see bench/README.md for what each number means and how it is measured.\n",
             "## Machine\n\n" + report.machine(machine.describe(args.database_url),
                                              " ".join(["python bench/run_all.py", *argv]).strip())]
    runners: dict[str, Callable[[argparse.Namespace, Path], str]] = {
        "webhook": webhook_section, "instructions": instructions_section, "memory": memory_section, "scheduler": scheduler_section,
        "privacy": privacy_section, "cost": cost_section}
    failed = False
    for name in SECTIONS:
        if name in chosen:
            text, ok = _guarded(name, runners[name], args, log_dir)
            parts.append(text)
            failed |= not ok
    parts.append(f"_Total time of this run: {(time.monotonic() - started) / 60:.1f} minutes; load average at the end "
                 f"{machine.load_average()} (1 / 5 / 15 min; the benchmark itself keeps about 2 busy)._\n")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(parts), encoding="utf-8")
    print(f"bench: wrote {args.output}", flush=True)
    return 1 if failed else 0


def _stop(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _guarded(name: str, run: Callable[[argparse.Namespace, Path], str], args: argparse.Namespace,
             log_dir: Path) -> tuple[str, bool]:
    """Run one section; a crash is written into the results instead of losing the other sections."""
    print(f"bench: {name}...", flush=True)
    started = time.monotonic()
    try:
        text, ok = run(args, log_dir), True
    except Exception:
        text, ok = f"## {name}\n\nThe run failed:\n\n```\n{traceback.format_exc()}```\n", False
    print(f"bench: {name} done in {time.monotonic() - started:.0f} s", flush=True)
    return text, ok


def _settings(args: argparse.Namespace, workers: int | None = None) -> GunicornSettings:
    return GunicornSettings(workers or args.workers, args.worker_class, args.threads)


def _database(args: argparse.Namespace, name: str, incidents: int = 20, backend: str = "postgresql"):
    """A fresh, seeded database for one section: its config, the people and the open requests."""
    if backend == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="shanet-bench-"))
        url = f"sqlite:///{folder / (name + '.sqlite3')}"
    else:
        url = fresh_database(args.database_url, name)
    config = bench_config(url, "http://127.0.0.1:9")
    people = People.load()
    return config, people, prepare(config, people, incidents)


# (database, mix of events, throughput goal, p99 goal): a group during an incident (1 event in 12 a 求助,
# 1 in 20 a claim) and the everyday mix the bot was tuned on, on PostgreSQL and on the embedded SQLite.
WEBHOOK_RUNS = (("postgresql", "incident", 0.70, 2.0), ("postgresql", "everyday", 0.70, 2.0),
                ("sqlite", "incident", None, 3.0), ("sqlite", "everyday", None, 3.0))


def instructions_section(args: argparse.Namespace, log_dir: Path) -> str:
    """The bot process's instructions per event, counted (bench/instructions.py): what one change alone saves."""
    title = "## Instructions per event, counted (one process)\n\n"
    if not instructions.available():
        return title + "Left out: valgrind is not installed here.\n"
    rows = [(backend, mix, instructions.count(args.database_url, backend, mix, args.instruction_events))
            for backend, mix, _, _ in WEBHOOK_RUNS if mix in args.mixes and backend in args.backends]
    return title + report.instructions(rows, args.instruction_events, instructions.WARMUP)


def webhook_section(args: argparse.Namespace, log_dir: Path) -> str:
    parts = [webhook_run(args, log_dir, *run) for run in WEBHOOK_RUNS
             if run[1] in args.mixes and run[0] in args.backends]
    return "\n".join(parts)


def webhook_run(args: argparse.Namespace, log_dir: Path, backend: str, mix: str,
                throughput_goal: float | None, p99_goal: float) -> str:
    """Echo bot and bot alternating on the same events of one mix, on one database; then what each kind cost."""
    name = f"shanet_bench_webhook_{mix}"
    config, people, incidents = _database(args, name, backend=backend)
    load = Load(requests=args.requests // args.rounds, concurrency=args.concurrency, max_seconds=args.max_seconds)
    settings = _settings(args)
    load_before = machine.load_average()
    try:
        rounds = [_round(index, config, people, incidents, load, settings, log_dir, mix)
                  for index in range(args.rounds)]
        costs = anatomy.measure(config, people, incidents, args.anatomy_events, log_dir, mix=mix)
    finally:
        if backend == "postgresql":
            drop_database(args.database_url, name)
    return (f"## Webhook throughput and latency: the bot against a bare echo bot ({mix} mix, {backend})\n\n"
            + f"Load average (1 / 5 / 15 min) before this run {load_before}, after it {machine.load_average()} "
              "(the benchmark itself keeps about 2 busy).\n\n"
            + report.comparison(rounds, load, settings.describe(), throughput_goal, p99_goal)
            + f"\nWhat each kind of event makes the bot do ({args.anatomy_events} events of the same mix, one at a "
              "time in one process; the echo bot does 0 statements and 1 LINE call per event):\n\n"
            + anatomy.table(costs))


def _round(index: int, config: Config, people: People, incidents: list[tuple[int, str]], load: Load,
           settings: GunicornSettings, log_dir: Path, mix: str = "everyday") -> tuple[Measured, Measured]:
    """Both targets on the same events, one after the other; who goes first alternates between rounds."""
    targets = [("echo bot", ECHO_APP), ("社安網 bot", BOT_APP)]
    done = {name: measure(name, app, config, people, incidents, load, settings, log_dir, seed=7 + index, mix=mix)
            for name, app in (targets[::-1] if index % 2 else targets)}
    return done["echo bot"], done["社安網 bot"]


def memory_section(args: argparse.Namespace, log_dir: Path) -> str:
    config, people, incidents = _database(args, "shanet_bench_memory")
    load = Load(requests=args.memory_events // args.memory_batch, concurrency=args.concurrency,
                max_seconds=3600.0, batch=args.memory_batch)
    marks = tuple(m for m in MEMORY_MARKS if m < args.memory_events) or (args.memory_events // 2,)
    try:
        bot = measure("社安網 bot", BOT_APP, config, people, incidents, load, _settings(args, workers=1), log_dir,
                      seed=99, sample_at=marks)
    finally:
        drop_database(args.database_url, "shanet_bench_memory")
    return "## Memory: one worker's resident size as events accumulate\n\n" + \
        report.memory(bot, load, _settings(args, workers=1).describe())


def scheduler_section(args: argparse.Namespace, log_dir: Path) -> str:
    from bench import scheduler_bench
    config, people, _ = _database(args, "shanet_bench_scheduler", incidents=0)
    plan = Plan(reminders=args.reminders, groups=args.groups, schedulers=args.schedulers, tick_seconds=args.tick,
                rate_limit=args.rate_limit)
    load_before = machine.load_average()
    try:
        drained = scheduler_bench.run(config, people, plan, log_dir)
    finally:
        drop_database(args.database_url, "shanet_bench_scheduler")
    return ("## Scheduler: reminders due in the same minute\n\n"
            f"Load average (1 / 5 / 15 min) before this run {load_before}, after it {machine.load_average()}.\n\n"
            + report.scheduler(drained, plan))


def privacy_section(args: argparse.Namespace, log_dir: Path) -> str:
    done = subprocess.run([sys.executable, str(REPO_ROOT / "bench" / "privacy_bench.py")], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"privacy_bench.py exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return "## Personal-data screen: cost per message\n\n" + report.privacy(done.stdout)


def cost_section(args: argparse.Namespace, log_dir: Path) -> str:
    """Counted LINE messages of the issue's stretch and a standard month (bench/message_cost.py)."""
    done = subprocess.run([sys.executable, str(REPO_ROOT / "bench" / "message_cost.py"), "--json"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"message_cost.py exited {done.returncode}:\n{done.stderr[-4000:]}")
    from bench import message_cost
    return message_cost.section(message_cost.load(done.stdout))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
