"""Render benchmark results as the Markdown of bench/RESULTS.md."""
from __future__ import annotations

from collections import Counter

import statistics

from bench.loadgen import Outcome
from bench.scheduler_bench import Drained, Plan
from bench.webhook_bench import Load, Measured, merged

THROUGHPUT_GOAL = 0.70  # the bot must reach 70% of the echo bot's throughput
P99_GOAL = 2.0  # and keep its p99 under twice the echo bot's
FIRST_PUSH_GOAL = 5.0  # a reminder burst's first push leaves within 5 s of the scheduler finding it due


def verdict(ok: bool) -> str:
    """A goal's outcome, in bold."""
    return "**met**" if ok else "**NOT met**"


def machine(info: dict[str, str], command: str) -> str:
    """The machine description as a table, after the command that produced the results."""
    rows = "\n".join(f"| {key} | {value} |" for key, value in info.items())
    return f"Command: `{command}`\n\n| | |\n|---|---|\n{rows}\n"


def comparison(rounds: list[tuple[Measured, Measured]], load: Load, settings: str,
               throughput_goal: float | None = THROUGHPUT_GOAL, p99_goal: float = P99_GOAL) -> str:
    """Both targets side by side over all rounds, each round's ratios, the two goals, and latency by kind."""
    echo, bot = merged([e for e, _ in rounds]), merged([b for _, b in rounds])
    ratios = [b.outcome.throughput / e.outcome.throughput for e, b in rounds]
    tails = [b.outcome.percentile(0.99) / e.outcome.percentile(0.99) for e, b in rounds]
    ratio, tail = statistics.median(ratios), statistics.median(tails)
    lines = [
        f"{settings}; load generator: {load.concurrency} clients in a closed loop, a new connection per request; "
        f"{len(rounds)} rounds of {load.requests} requests of {load.batch} event(s) per target, each after "
        f"{load.warmup} warm-up requests, echo and bot alternating who goes first (each run stops after its "
        f"requests or {load.max_seconds:.0f} s).", "",
        "| target | answered | throughput (req/s) | by fifth of the run | p50 (ms) | p99 (ms) | mean (ms) "
        "| HTTP statuses | LINE API calls (path status: count) | worker RSS after (MiB) |",
        "|---|---|---|---|---|---|---|---|---|---|",
        _row(echo), _row(bot), "",
        "| round | echo req/s | bot req/s | bot / echo | echo p99 (ms) | bot p99 (ms) | bot p99 / echo p99 |",
        "|---|---|---|---|---|---|---|",
        *(f"| {i + 1} | {e.outcome.throughput:.0f} | {b.outcome.throughput:.0f} | {ratios[i]:.0%} "
          f"| {e.outcome.percentile(0.99):.1f} | {b.outcome.percentile(0.99):.1f} | {tails[i]:.2f}× |"
          for i, (e, b) in enumerate(rounds)), "",
        f"- Throughput ratio bot / echo, median of the rounds: **{ratio:.0%}**"
        + (f" (goal ≥ {throughput_goal:.0%}): {verdict(ratio >= throughput_goal)}" if throughput_goal else ""),
        f"- p99 ratio bot / echo, median of the rounds: **{tail:.2f}×** (goal < {p99_goal:.0f}×): "
        f"{verdict(tail < p99_goal)}",
        "", "Latency by kind of event (all rounds):", "",
        "| kind | requests | echo p50 / p99 (ms) | bot p50 / p99 (ms) |", "|---|---|---|---|",
        *(_kind_row(label, echo.outcome, bot.outcome) for label in sorted(
            bot.outcome.by_label, key=lambda k: -len(bot.outcome.by_label[k]))),
        "", _slowest(bot.outcome),
        *_cpu_table(echo, bot),
    ]
    return "\n".join(lines) + "\n"


def _slowest(outcome: Outcome, share: float = 0.01) -> str:
    """Which kinds of event make up the bot's slowest 1% (what sets its p99)."""
    ranked = sorted(((latency, label) for label, values in outcome.by_label.items() for latency in values),
                    reverse=True)
    top = ranked[:max(1, round(len(ranked) * share))]
    counts = Counter(label for _, label in top)
    listed = ", ".join(f"{label} {count}" for label, count in counts.most_common())
    return f"The bot's slowest {share:.0%} of requests ({len(top)}, all rounds) by kind: {listed}."


def _cpu_table(echo: Measured, bot: Measured) -> list[str]:
    """Who used the shared cores during the measured load, per answered request."""
    if not bot.cpu_seconds:
        return []
    rows = ["", "CPU per answered request, by process group (all rounds; the cores are shared, so the LINE "
            "stand-in's and PostgreSQL's share slows the target too):", "",
            "| process group | echo bot (ms CPU / request) | 社安網 bot (ms CPU / request) |", "|---|---|---|"]
    per_request = {m.name: {k: v * 1000 / max(len(m.outcome.latencies), 1) for k, v in m.cpu_seconds.items()}
                   for m in (echo, bot)}
    for group in bot.cpu_seconds:
        rows.append(f"| {group} | {per_request[echo.name].get(group, 0):.2f} | {per_request[bot.name][group]:.2f} |")
    rows.append(f"| **all** | {sum(per_request[echo.name].values()):.2f} | {sum(per_request[bot.name].values()):.2f} |")
    return rows


def _kind_row(label: str, echo: Outcome, bot: Outcome) -> str:
    return (f"| {label} | {len(bot.by_label[label])} | {echo.percentile(0.5, label):.1f} / "
            f"{echo.percentile(0.99, label):.1f} | {bot.percentile(0.5, label):.1f} / "
            f"{bot.percentile(0.99, label):.1f} |")


def _row(m: Measured) -> str:
    o: Outcome = m.outcome
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(o.statuses.items()))
    calls = ", ".join(f"{path.rsplit('/', 1)[-1]} {status}: {count}"
                      for (path, status), count in sorted(m.api_calls.items()))
    rss = " / ".join(f"{kib / 1024:.0f}" for kib in m.worker_rss_kib)
    windows = " ".join(f"{rate:.0f}" for rate in o.throughput_by_window())
    return (f"| {m.name} | {len(o.latencies)} | {o.throughput:.0f} | {windows} | {o.percentile(0.5):.1f} "
            f"| {o.percentile(0.99):.1f} | {o.mean_ms:.1f} | {statuses} | {calls} | {rss} |")


def memory(m: Measured, load: Load, settings: str) -> str:
    """RSS at each mark of the long run, and its growth after the first mark."""
    samples = m.rss_samples
    rows = "\n".join(f"| {events:,} | {kib / 1024:.1f} |" for events, kib in samples)
    growth = ""
    if len(samples) >= 3:
        (e1, r1), (e2, r2) = samples[1], samples[-1]  # from the first mark on: warm caches are not a leak
        per_10k = (r2 - r1) / 1024 / max(e2 - e1, 1) * 10_000
        growth = (f"\nGrowth from {e1:,} to {e2:,} events: {(r2 - r1) / 1024:+.1f} MiB "
                  f"({per_10k:+.2f} MiB per 10,000 events).\n")
    o = m.outcome
    return (f"One worker ({settings.replace('2 ', '1 ', 1)}) answered {len(o.latencies) * load.batch:,} events "
            f"({load.batch} per request) in {o.elapsed:.0f} s ({o.throughput * load.batch:.0f} events/s, "
            f"p99 {o.percentile(0.99):.0f} ms, statuses {dict(o.statuses)}).\n\n"
            f"| events answered | worker RSS (MiB) |\n|---|---|\n{rows}\n{growth}")


def scheduler(d: Drained, plan: Plan) -> str:
    """Drain time, request rate and the exactly-once evidence."""
    statuses = ", ".join(f"{s}: {c}" for s, c in sorted(d.push_calls.items()))
    once = d.numbers_twice == 0 and d.numbers_missing == 0 and d.retry_keys_reused == 0 and d.left_unsent == 0
    return "\n".join([
        f"{plan.reminders:,} reminders (the incidents capability's re-post kind, each mentioning the district's "
        f"contacts) due at the same moment across {plan.groups} groups (a tick mark a few seconds after the "
        f"schedulers have started); {plan.schedulers} `python -m scheduler` process(es) with "
        f"SCHEDULER_TICK_SECONDS={plan.tick_seconds} and LINE_PUSH_RATE={plan.rate_limit}, "
        "the emulator as LINE.", "",
        "| measure | value |", "|---|---|",
        f"| rows inserted (requests + reminders) in | {d.insert_seconds:.1f} s |",
        f"| schedulers launched to started (Python start-up; before the burst is due) | {d.ready_seconds:.1f} s |",
        f"| time to drain (burst due to outbox empty) | **{d.drain_seconds:.1f} s** |",
        f"| burst due to first push (goal ≤ {FIRST_PUSH_GOAL:.0f} s: rendering and sending overlap) "
        f"| **{d.first_push_seconds:.1f} s** ({verdict(d.first_push_seconds <= FIRST_PUSH_GOAL)}) |",
        f"| first to last push | {d.first_to_last_seconds:.1f} s |",
        f"| pushes per second: mean / busiest 10 s / busiest 1 s | {d.mean_rate:.0f} / {d.peak_10s_rate:.0f} / "
        f"{d.peak_rate} |",
        f"| under LINE_PUSH_RATE={plan.rate_limit} over the busiest 10 s (within 1%) "
        f"| {verdict(d.peak_10s_rate <= plan.rate_limit * 1.01)} |",
        f"| push calls by status | {statuses} |",
        f"| deliveries recorded by the emulator | {d.delivered:,} |",
        f"| outbox rows written | {d.outbox_rows:,} |",
        f"| deliveries sharing a retry key | {d.retry_keys_reused} |",
        f"| requests re-posted more than once / never | {d.numbers_twice} / {d.numbers_missing} |",
        f"| left unsent at the end | {d.left_unsent} |",
        f"| marked late (sent > 5 min after due, with the 補發 line) | {d.marked_late} |",
        "", f"Exactly once: {verdict(once)}.", "",
        "Every process that pushes reserves its slot on one shared database row (bot/pacing.py), so the schedulers "
        "together stay under LINE_PUSH_RATE. The emulator stamps each call when it answers it, not when it was "
        "sent, so a window can show a call more than the pacing allows: hence the 1% tolerance. The tick runs "
        "on the clock's marks (:00 and :30), so a burst due on the minute is found when it falls due; its first "
        "batch of 10 and then each batch of 100 reminders is sent while the next renders, and is rendered at the "
        "clock time it is, at most one batch "
        "ahead of its sending, so the 補發 line reflects when a reminder leaves.", ""])


def privacy(output: str) -> str:
    """The privacy benchmark's own output, verbatim."""
    return ("Output of `bench/privacy_bench.py` (the privacy engineer's benchmark), unchanged:\n\n```\n"
            + output.strip() + "\n```\n")


def instructions(rows: list[tuple[str, str, float]], events: int, warmup: int) -> str:
    """Counted instructions of the bot's process per event, by database and mix (bench/instructions.py)."""
    lines = [f"The same {events} events of each mix (after {warmup} uncounted), one at a time through the bot in one "
             "process (Flask's test client, the emulator as LINE), counted by valgrind. PostgreSQL's and the LINE "
             "stand-in's work is not counted. From run to run the count moves by well under 1%, where the webhook "
             "rounds above move by tens of percent: this is the figure to compare a change by.\n",
             "| database | mix | million instructions per event |", "|---|---|---|"]
    lines += [f"| {backend} | {mix} | {count / 1e6:.2f} |" for backend, mix, count in rows]
    return "\n".join(lines) + "\n"
