"""A closed-loop HTTP load generator: C clients post prepared requests as fast as they are answered.

Plain asyncio streams and HTTP/1.1, so it costs little CPU beside the servers it measures on the
same two cores, and needs nothing but Python. Bounded by a request count and a duration;
whichever comes first stops it. By default every request opens its own connection: with
keep-alive, gunicorn's gthread workers keep each connection they accepted, and one worker
often ends up with all of them while the other idles (measured here: half the throughput,
at random from one run to the next).
"""
from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Sequence


@dataclass(frozen=True)
class Request:
    """One POST, ready to send."""

    body: bytes
    headers: tuple[tuple[str, str], ...]
    label: str = ""  # what kind of request, for latency by kind


@dataclass
class Outcome:
    """What a run measured."""

    sent: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, one per answered request
    statuses: Counter = field(default_factory=Counter)  # HTTP status (0: connection failed)
    by_label: dict[str, list[float]] = field(default_factory=dict)
    finished: list[float] = field(default_factory=list)  # seconds since the start, one per answered request

    @classmethod
    def merged(cls, runs: Sequence["Outcome"]) -> "Outcome":
        """Several runs as one, back to back (pauses between them left out)."""
        total = cls()
        for run in runs:
            total.finished += [total.elapsed + moment for moment in run.finished]
            total.sent += run.sent
            total.elapsed += run.elapsed
            total.latencies += run.latencies
            total.statuses.update(run.statuses)
            for label, values in run.by_label.items():
                total.by_label.setdefault(label, []).extend(values)
        return total

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, q: float, label: str | None = None) -> float:
        """Latency at quantile q (0..1), by nearest rank, in milliseconds (of one label if given)."""
        values = self.latencies if label is None else self.by_label.get(label, [])
        if not values:
            return float("nan")
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000

    def throughput_by_window(self, windows: int = 5) -> list[float]:
        """Requests per second in consecutive equal slices of the run (a falling rate means something grows)."""
        if not self.finished:
            return []
        width = self.elapsed / windows
        counts = [0] * windows
        for moment in self.finished:
            counts[min(int(moment / width), windows - 1)] += 1
        return [count / width for count in counts]

    @property
    def mean_ms(self) -> float:
        return statistics.fmean(self.latencies) * 1000 if self.latencies else float("nan")


def run(host: str, port: int, path: str, requests: Sequence[Request], concurrency: int, max_seconds: float,
        on_progress: Callable[[int], None] | None = None, per_connection: int = 1) -> Outcome:
    """Send `requests` in order from `concurrency` clients; stop at the end or after `max_seconds`."""
    return asyncio.run(_run(host, port, path, requests, concurrency, max_seconds, on_progress, per_connection))


async def _run(host: str, port: int, path: str, requests: Sequence[Request], concurrency: int,
               max_seconds: float, on_progress: Callable[[int], None] | None, per_connection: int) -> Outcome:
    outcome = Outcome()
    cursor = iter(range(len(requests)))
    started = time.perf_counter()
    deadline = started + max_seconds

    async def worker() -> None:
        connection: _Connection | None = None
        for index in cursor:
            if time.perf_counter() > deadline:
                break
            outcome.sent += 1
            sent_at = time.perf_counter()
            try:
                connection = connection or await _Connection.open(host, port, per_connection)
            except OSError:  # refused or reset: counted as status 0, like a failed request
                outcome.statuses[0] += 1
                continue
            status, keep = await connection.post(path, requests[index])
            took = time.perf_counter() - sent_at
            outcome.latencies.append(took)
            outcome.finished.append(sent_at + took - started)
            outcome.by_label.setdefault(requests[index].label, []).append(took)
            outcome.statuses[status] += 1
            if on_progress and len(outcome.latencies) % 1000 == 0:
                on_progress(len(outcome.latencies))
            if not keep:
                connection.close()
                connection = None
        if connection:
            connection.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    outcome.elapsed = time.perf_counter() - started
    return outcome


class _Connection:
    """One connection for up to `uses` requests; the last one asks the server to close it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, uses: int) -> None:
        self.reader, self.writer, self.host, self.left = reader, writer, host, uses

    @classmethod
    async def open(cls, host: str, port: int, uses: int) -> "_Connection":
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, host, uses)

    async def post(self, path: str, request: Request) -> tuple[int, bool]:
        """Send one request; return its status and whether the connection stays open."""
        self.left -= 1
        head = [f"POST {path} HTTP/1.1", f"Host: {self.host}", f"Content-Length: {len(request.body)}"]
        if self.left <= 0:
            head.append("Connection: close")
        head += [f"{name}: {value}" for name, value in request.headers]
        try:
            self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + request.body)
            await self.writer.drain()
            return await self._response()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            return 0, False

    async def _response(self) -> tuple[int, bool]:
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length, keep = 0, status_line.startswith(b"HTTP/1.1")
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection":
                keep = value == "keep-alive" or (keep and value != "close")
        if length:
            await self.reader.readexactly(length)
        return status, keep and self.left > 0

    def close(self) -> None:
        self.writer.close()
