"""`make run`: migrate and seed a SQLite database, then start the bot, the scheduler and the LINE emulator.

Everything runs on this machine; no LINE channel is needed. Ctrl-C stops all three.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--emulator-port", type=int, default=8090)
    args = parser.parse_args()
    env = {
        **os.environ,
        "LINE_CHANNEL_SECRET": os.environ.get("LINE_CHANNEL_SECRET", "dev-secret"),
        "LINE_CHANNEL_ACCESS_TOKEN": os.environ.get("LINE_CHANNEL_ACCESS_TOKEN", "dev-token"),
        "LINE_API_BASE_URL": f"http://127.0.0.1:{args.emulator_port}",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{args.port}",
        "LINE_LOGIN_BASE_URL": f"http://127.0.0.1:{args.emulator_port}",  # the console signs in at the emulator
        "ADMIN_LINE_USER_IDS": os.environ.get("ADMIN_LINE_USER_IDS", "U6100e02541a82621832ba309237d7e4e"),
        "SCHEDULER_TICK_SECONDS": os.environ.get("SCHEDULER_TICK_SECONDS", "10"),
        "PYTHONUNBUFFERED": "1",
    }
    flask = [PY, "-m", "flask", "--app", "wsgi"]
    for step in (["db", "upgrade"], ["roster", "seed"],
                 ["roster", "import-contacts", "--file", "data/roster/demo_contacts.yaml"],
                 ["roster", "bind-group", "--group-id", "C56e2bb208e0605f45a3436b65ffcf805", "--district", "中壢區"]):
        subprocess.run(flask + step, cwd=ROOT, env=env, check=True)
    processes = [
        subprocess.Popen([PY, "-m", "emulator", "--port", str(args.emulator_port),
                          "--bot-url", f"http://127.0.0.1:{args.port}/callback"], cwd=ROOT, env=env),
        subprocess.Popen([PY, "-m", "gunicorn", "--workers", "2", "--worker-class", "gthread", "--threads", "4",
                          "--bind", f"127.0.0.1:{args.port}", "wsgi:app"], cwd=ROOT, env=env),
        subprocess.Popen([PY, "-m", "scheduler"], cwd=ROOT, env=env),
    ]
    time.sleep(2)
    print(f"\n社安網聯繫小幫手 is running.\n  Chat page (LINE emulator): http://127.0.0.1:{args.emulator_port}/\n"
          f"  Secretariat's desk: http://127.0.0.1:{args.port}/console/ (sign in as 吳課員)\n"
          f"  Bot webhook: http://127.0.0.1:{args.port}/callback\nPress Ctrl-C to stop.\n", flush=True)
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
