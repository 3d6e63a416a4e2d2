"""Instructions the bot's own process executes per event, counted by valgrind: a figure the machine does not move.

The webhook rounds measure what users get, side by side with the echo bot; but on this shared 2-core machine
one commit's throughput ratio moves by twenty points from round to round, more than most single changes
make. Counted instructions for the same events (one process, Flask's test client, the emulator as LINE, a
fixed seed) move by well under 1% from run to run, so a change measured alone shows here. The count covers the
bot's process only: PostgreSQL's and the LINE stand-in's work is not in it, nor is gunicorn's, and the test
client's own work is (about the same for every commit).

    python bench/instructions.py --backend postgresql --mix incident --events 800

Needs valgrind (Debian's `valgrind`); `make bench` leaves this section out without it.
"""
from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

WARMUP = 200  # events sent before counting: the first of each kind compiles statements and fills caches
_COLLECTED = re.compile(r"Collected\s*:\s*([\d,]+)")


def available() -> bool:
    return shutil.which("valgrind") is not None and shutil.which("callgrind_control") is not None


def count(server_url: str, backend: str, mix: str, events: int) -> float:
    """Instructions per event of `events` events of the mix, after WARMUP more (valgrind runs a child).

    `server_url`: a PostgreSQL server where the run may create its database (unused for SQLite).
    """
    with tempfile.TemporaryDirectory(prefix="shanet-instructions-") as folder:
        command = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
                   f"--callgrind-out-file={folder}/callgrind.out", sys.executable, __file__, "--child",
                   "--database-url", server_url, "--backend", backend, "--mix", mix, "--events", str(events)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=1800, cwd=REPO_ROOT)
    collected = _COLLECTED.search(done.stderr)
    measured = re.search(r"measured (\d+) events", done.stdout)
    if done.returncode != 0 or collected is None or measured is None:
        raise RuntimeError(f"the counted run failed ({done.returncode}): {done.stderr[-2000:]}")
    return int(collected.group(1).replace(",", "")) / int(measured.group(1))


def _child(server_url: str, backend: str, mix: str, events: int) -> None:
    """Run under valgrind: send the events one by one, counting instructions only for those after the warm-up."""
    from app import create_app
    from bench.database import bench_config, drop_database, env_of, fresh_database, prepare
    from bench.procs import base_env, free_port, start_emulator
    from bench.workload import Mix, People, register_reply_tokens, signed

    name = "shanet_instructions"
    if backend == "postgresql":
        url = fresh_database(server_url, name)
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='shanet-instructions-')}/{name}.sqlite3"
    config = bench_config(url, "http://127.0.0.1:9")
    people = People.load()
    incidents = prepare(config, people, 20)
    port = free_port()
    config = replace(config, line_api_base_url=f"http://127.0.0.1:{port}")
    emulator = start_emulator(port, base_env(**env_of(config)), Path(tempfile.mkdtemp(prefix="shanet-instructions-")))
    try:
        app = create_app(config)
        logging.getLogger().setLevel(logging.WARNING)  # create_app logs every LINE call at INFO
        drawn = Mix(people, incidents, seed=5, mix=mix).events(WARMUP + events)
        register_reply_tokens(config.line_api_base_url, drawn)
        client = app.test_client()
        requests = signed(drawn, config.channel_secret)
        for request in requests[:WARMUP]:
            client.post("/callback", data=request.body, headers=dict(request.headers))
        _instrument("on")
        for request in requests[WARMUP:]:
            client.post("/callback", data=request.body, headers=dict(request.headers))
        _instrument("off")
        app.extensions["services"].db.dispose()
        print(f"measured {len(requests) - WARMUP} events", flush=True)
    finally:
        emulator.stop()
        if backend == "postgresql":
            drop_database(server_url, name)


def _instrument(state: str) -> None:
    subprocess.run(["callgrind_control", "-i", state, str(os.getpid())], check=True, capture_output=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"),
                        help="a PostgreSQL server where the run may create its database")
    parser.add_argument("--backend", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--mix", default="incident", choices=["everyday", "incident"])
    parser.add_argument("--events", type=int, default=800)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.database_url:
        sys.exit("instructions: set TEST_DATABASE_URL or pass --database-url")
    if args.child:
        _child(args.database_url, args.backend, args.mix, args.events)
        return 0
    if not available():
        sys.exit("instructions: needs valgrind (Debian's valgrind package)")
    print(f"{count(args.database_url, args.backend, args.mix, args.events) / 1e6:.3f} million instructions per event")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
