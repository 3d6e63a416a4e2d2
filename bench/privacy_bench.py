"""Benchmark the personal-data screen: precision / recall per kind, clean false-positive rate, cost.

Usage: python bench/privacy_bench.py [corpus.jsonl] [--misses]
The corpus has one JSON object per line: {"text": ..., "kinds": [...], "split": "dev" | "held_out"}
([] for a clean message). The tables are printed for the whole corpus and for the held-out part
(never used to tune the rules) on its own. A message's cost is the best of three runs, so that a
neighbour process taking the core does not count as the screen's time.
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from rules.privacy import Kind, kinds_found, screen  # noqa: E402

DEFAULT_CORPUS = REPO_ROOT / "tests" / "data" / "privacy_corpus.jsonl"
# Hostile inputs: a regex with catastrophic backtracking would take seconds or hang on these.
PATHOLOGICAL = {
    "10k digits": "1234567890" * 1000,
    "10k zeros": "0" * 10_000,
    "5k mixed": ("09-12 3.4 A1 2-3 @a. 路12巷3號 案主王 ○ 生日 " * 200)[:5_000],
    "5k dashes": ("0-" * 2_500),
    "5k names": ("案主王小明先生" * 800)[:5_000],
    "5k email-ish": ("a.b-c_d+" * 700)[:5_000] + "@",
    "5k numerals": ("零九一二 三四五 六七八 " * 400)[:5_000],
    "5k (at)": ("a(at)b[dot]" * 500)[:5_000],
    "5k village ages": ("興南里45歲思覺失調 " * 500)[:5_000],
}
RUNS = 3


@dataclass
class Tally:
    """Per-kind counts over messages."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Report:
    """Evaluation result of one corpus."""

    tallies: dict[Kind, Tally]
    clean_total: int
    clean_flagged: list[str]
    costs_us: list[float]
    messages: int

    @property
    def clean_fp_rate(self) -> float:
        return len(self.clean_flagged) / self.clean_total if self.clean_total else 0.0


def load_corpus(path: Path, split: str | None = None) -> list[tuple[str, set[Kind]]]:
    """Rows of (text, expected kinds), all of them or one split's."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            obj = json.loads(line)
            if split is None or obj.get("split", "dev") == split:
                rows.append((obj["text"], {Kind(k) for k in obj["kinds"]}))
    return rows


def timed_screen(text: str) -> tuple[set[Kind], float]:
    """Kinds found in `text` and the best time of RUNS runs in microseconds."""
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        found = set(kinds_found(screen(text)))
        best = min(best, time.perf_counter() - start)
    return found, best * 1e6


def evaluate(rows: list[tuple[str, set[Kind]]]) -> Report:
    """Per-message, per-kind evaluation of the screen over `rows`."""
    tallies = {k: Tally() for k in Kind}
    clean_total, clean_flagged, costs = 0, [], []
    for text, expected in rows:
        found, cost = timed_screen(text)
        costs.append(cost)
        if not expected:
            clean_total += 1
            if found:
                clean_flagged.append(f"{text}  -> {sorted(found)}")
        for kind in Kind:
            tally = tallies[kind]
            if kind in expected and kind in found:
                tally.tp += 1
            elif kind in expected:
                tally.fn += 1
                tally.misses.append(text)
            elif kind in found:
                tally.fp += 1
                tally.false_alarms.append(text)
    return Report(tallies, clean_total, clean_flagged, costs, len(rows))


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def pathological_costs(rows: list[tuple[str, set[Kind]]]) -> dict[str, float]:
    """Milliseconds (best of RUNS) to screen each hostile input, and a 5,000-character paste of real messages."""
    out = {}
    pasted = "\n".join(text for text, _ in rows)[:5_000]
    for name, text in {**PATHOLOGICAL, "5k pasted messages": pasted}.items():
        best = float("inf")
        for _ in range(RUNS):
            start = time.perf_counter()
            screen(text)
            best = min(best, time.perf_counter() - start)
        out[name] = best * 1e3
    return out


def print_report(title: str, report: Report, show_misses: bool) -> None:
    """Print the tables."""
    print(f"### {title}\n")
    print(f"{'kind':<18}{'expected':>9}{'TP':>6}{'FP':>6}{'FN':>6}{'precision':>11}{'recall':>9}")
    for kind, t in report.tallies.items():
        counts = f"{t.tp + t.fn:>9}{t.tp:>6}{t.fp:>6}{t.fn:>6}"
        print(f"{kind.value:<18}{counts}{t.precision:>11.3f}{t.recall:>9.3f}")
    expected = sum(t.tp + t.fn for t in report.tallies.values())
    found = sum(t.tp for t in report.tallies.values())
    print(f"{'all kinds':<18}{expected:>9}{found:>6}{'':>12}{'':>11}{found / expected:>9.3f}")
    print(f"\nmessages: {report.messages}, clean: {report.clean_total}, "
          f"clean with any finding: {len(report.clean_flagged)} ({report.clean_fp_rate:.2%})")
    costs = report.costs_us
    print(f"cost per message (us): median {statistics.median(costs):.1f}, "
          f"p99 {percentile(costs, 0.99):.1f}, worst {max(costs):.1f}\n")
    if show_misses:
        for line in report.clean_flagged:
            print("  CLEAN FLAGGED:", line)
        for kind, t in report.tallies.items():
            for text in t.misses:
                print(f"  MISS {kind.value}: {text}")
            for text in t.false_alarms:
                print(f"  EXTRA {kind.value}: {text}")


def main(argv: list[str]) -> int:
    """Entry point."""
    args = [a for a in argv if not a.startswith("--")]
    path = Path(args[0]) if args else DEFAULT_CORPUS
    rows = load_corpus(path)
    screen("暖身 warm-up 0912345678")  # first call fills caches; keep it out of the numbers
    print_report(f"Whole corpus ({path.name})", evaluate(rows), show_misses="--misses" in argv)
    held_out = load_corpus(path, "held_out")
    if held_out:
        print_report("Held-out part only (never tuned on)", evaluate(held_out), show_misses=False)
    print("pathological inputs (ms): " + ", ".join(f"{k} {v:.2f}" for k, v in pathological_costs(rows).items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
