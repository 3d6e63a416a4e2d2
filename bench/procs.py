"""Start and stop the processes a benchmark needs (gunicorn, the emulator, the scheduler) on loopback."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable

REPO_ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    """Block until something accepts connections on the port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


@dataclass
class Process:
    """A child process with its log file; stopped with SIGTERM, then SIGKILL."""

    name: str
    popen: subprocess.Popen
    log: IO[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the process (and its gunicorn workers) and close its log."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=timeout)
        self.log.close()

    def alive(self) -> bool:
        return self.popen.poll() is None


def start(name: str, argv: list[str], env: dict[str, str], log_dir: Path) -> Process:
    """Start a child from the repository root with its output in `log_dir/name.log`."""
    log_path = log_dir / f"{name}.log"
    log = open(log_path, "wb")
    popen = subprocess.Popen(argv, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return Process(name, popen, log, log_path)


def start_emulator(port: int, env: dict[str, str], log_dir: Path, quota: int = 100_000_000) -> Process:
    """The LINE stand-in; webhooks go nowhere (the load generator talks to the bot itself)."""
    argv = [PYTHON, "-m", "emulator", "--port", str(port), "--bot-url", "http://127.0.0.1:9/callback",
            "--quota", str(quota), "--reply-ttl", "86400"]
    process = start("emulator", argv, env, log_dir)
    wait_for_port(port)
    return process


@dataclass(frozen=True)
class GunicornSettings:
    """The same settings are used for the bot and the echo bot."""

    workers: int = 2
    worker_class: str = "gthread"
    threads: int = 4

    def argv(self, app: str, port: int) -> list[str]:
        """The gunicorn command line for `app` on `port`.

        A gthread worker takes no more connections than it has threads (as the README deploys): by default it
        accepts up to 1,000 and queues them behind its busy threads while the other worker may be idle.
        """
        return [PYTHON, "-m", "gunicorn", "--workers", str(self.workers), "--worker-class", self.worker_class,
                "--threads", str(self.threads), *self._connections(), "--bind", f"127.0.0.1:{port}",
                "--timeout", "60", "--log-level", "warning", app]

    def _connections(self) -> list[str]:
        # With no connection to spare, gunicorn keeps none alive; saying so (--keep-alive 0) spares its warning.
        return ["--worker-connections", str(self.threads), "--keep-alive", "0"] if self.worker_class == "gthread" else []

    def describe(self) -> str:
        """The settings in words, for the results."""
        threads = f" x {self.threads} threads (as many connections each)" if self.worker_class == "gthread" else ""
        return f"gunicorn {self.workers} {self.worker_class} workers{threads}"


def start_gunicorn(name: str, app: str, port: int, settings: GunicornSettings, env: dict[str, str],
                   log_dir: Path) -> Process:
    """Serve a WSGI app under gunicorn and wait until every worker has booted."""
    process = start(name, settings.argv(app, port), env, log_dir)
    wait_for_port(port)
    deadline = time.monotonic() + 30
    while len(worker_pids(process.pid)) < settings.workers and time.monotonic() < deadline:
        time.sleep(0.1)
    return process


def worker_pids(master_pid: int) -> list[int]:
    """Children of a gunicorn master (its workers)."""
    path = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    try:
        return [int(p) for p in path.read_text().split()]
    except OSError:
        return []


def rss_kib(pid: int) -> int:
    """Resident set size of a process in KiB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def base_env(**extra: str) -> dict[str, str]:
    """The environment children run with: this interpreter's, the repository on the path, unbuffered."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "LINE_"))}
    env.update(PYTHONPATH=str(REPO_ROOT), PYTHONUNBUFFERED="1", **extra)
    return env


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pids_named(command: str) -> list[int]:
    """Every process whose command name is `command` (e.g. all of a PostgreSQL server's backends)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == command:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


class CpuMeter:
    """CPU seconds each group of processes spends between `start` and `stop` (who used the shared cores)."""

    def __init__(self, groups: dict[str, Callable[[], list[int]]]) -> None:
        self.groups = groups
        self.used: dict[str, float] = {}
        self._before: dict[str, dict[int, float]] = {}
        self._self_before = 0.0

    def start(self) -> None:
        self._before = {name: {pid: cpu_seconds(pid) for pid in pids()} for name, pids in self.groups.items()}
        self._self_before = time.process_time()

    def stop(self) -> None:
        for name, pids in self.groups.items():
            before = self._before.get(name, {})
            self.used[name] = sum(cpu_seconds(pid) - before.get(pid, 0.0) for pid in pids())
        self.used["load generator"] = time.process_time() - self._self_before
