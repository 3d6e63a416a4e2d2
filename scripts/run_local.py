"""`make run`: migrate and seed a SQLite database, then start the bot, the scheduler and the LINE emulator.

Everything runs on this machine; no LINE channel is needed. Quiet by default (warnings and errors only;
`make run VERBOSE=1` shows every log line). Ctrl-C stops all three within a few seconds.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
STOP_SECONDS = 5.0  # after Ctrl-C, what is still running then is killed
DEMO_GROUP = "C56e2bb208e0605f45a3436b65ffcf805"
SETUP = (
    (["db", "upgrade"], "資料庫結構已更新"),
    (["roster", "seed"], "行政區與網絡單位已載入"),
    (["roster", "import-contacts", "--file", "data/roster/demo_contacts.yaml"], "示範聯繫窗口已載入"),
    (["roster", "bind-group", "--group-id", DEMO_GROUP, "--district", "中壢區"], "示範群組已綁定中壢區"),
)


def port_busy(port: int) -> bool:
    """Whether something already listens on 127.0.0.1:port."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def environment(args: argparse.Namespace) -> dict[str, str]:
    """The bot's settings for a local run: the emulator stands in for LINE."""
    return {
        **os.environ,
        "LINE_CHANNEL_SECRET": os.environ.get("LINE_CHANNEL_SECRET", "dev-secret"),
        "LINE_CHANNEL_ACCESS_TOKEN": os.environ.get("LINE_CHANNEL_ACCESS_TOKEN", "dev-token"),
        "LINE_API_BASE_URL": f"http://127.0.0.1:{args.emulator_port}",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{args.port}",
        "LINE_LOGIN_BASE_URL": f"http://127.0.0.1:{args.emulator_port}",  # the console signs in at the emulator
        "ADMIN_LINE_USER_IDS": os.environ.get("ADMIN_LINE_USER_IDS", "U6100e02541a82621832ba309237d7e4e"),
        "SCHEDULER_TICK_SECONDS": os.environ.get("SCHEDULER_TICK_SECONDS", "10"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO" if args.verbose else "WARNING"),
        "PYTHONUNBUFFERED": "1",
    }


def set_up(env: dict[str, str], verbose: bool) -> None:
    """Migrate and seed, one line per step; a failing step shows its whole output and stops."""
    for step, done in SETUP:
        result = subprocess.run([PY, "-m", "flask", "--app", "wsgi", *step], cwd=ROOT, env=env,
                                capture_output=True, text=True)
        if result.returncode != 0:
            sys.stderr.write(result.stdout + result.stderr)
            sys.exit(f"\n設定步驟失敗：flask --app wsgi {' '.join(step)}")
        if verbose:
            sys.stdout.write(result.stdout + result.stderr)
        print(f"  ✓ {done}", flush=True)


def set_up_rich_menus(env: dict[str, str], emulator_port: int, verbose: bool) -> None:
    """Create the rich menus at the emulator (it must answer first); a failure only warns, the chat still works."""
    deadline = time.monotonic() + 30
    while port_busy(emulator_port) is False and time.monotonic() < deadline:
        time.sleep(0.3)
    result = subprocess.run([PY, "-m", "flask", "--app", "wsgi", "richmenu", "setup"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if verbose or result.returncode != 0:
        sys.stdout.write(result.stdout + result.stderr)
    print("  ✓ 圖文選單已設定" if result.returncode == 0 else "  ! 圖文選單未能設定（聊天功能不受影響）", flush=True)


def start(args: argparse.Namespace, env: dict[str, str]) -> list[subprocess.Popen]:
    """The emulator, the bot under gunicorn and the scheduler, each in its own session (Ctrl-C is ours)."""
    quiet = [] if args.verbose else ["--quiet"]
    log_level = "info" if args.verbose else "warning"
    commands = [
        [PY, "-m", "emulator", "--port", str(args.emulator_port),
         "--bot-url", f"http://127.0.0.1:{args.port}/callback", *quiet],
        [PY, "-m", "gunicorn", "--workers", "2", "--worker-class", "gthread", "--threads", "4",
         "--worker-connections", "4", "--keep-alive", "0", "--bind", f"127.0.0.1:{args.port}",
         "--log-level", log_level, "--graceful-timeout", "3",
         "--no-control-socket", "wsgi:app"],
        [PY, "-m", "scheduler"],
    ]
    return [subprocess.Popen(c, cwd=ROOT, env=env, start_new_session=True) for c in commands]


def wait_until_serving(port: int, processes: list[subprocess.Popen], timeout: float = 60.0) -> bool:
    """Wait for the bot to answer its health check (the workers load the app lazily)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and all(p.poll() is None for p in processes):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def stop(processes: list[subprocess.Popen]) -> None:
    """Ask every process to stop (gunicorn's quick shutdown), then kill what is left after STOP_SECONDS."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT if "gunicorn" in process.args else signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def banner(args: argparse.Namespace) -> str:
    bot = f"http://127.0.0.1:{args.port}"
    return (f"\n社安網聯繫小幫手已啟動。\n"
            f"  聊天頁面（LINE 模擬器）：http://127.0.0.1:{args.emulator_port}/\n"
            f"  秘書單位主控台：{bot}/console/（請以示範帳號「吳課員」登入）\n"
            f"  小幫手首頁：{bot}/\n"
            "按 Ctrl-C 停止。\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--emulator-port", type=int, default=8090)
    parser.add_argument("--verbose", action="store_true", help="show every log line (access logs, migrations)")
    args = parser.parse_args()
    busy = [p for p in (args.port, args.emulator_port) if port_busy(p)]
    if busy:
        sys.exit(f"連接埠 {'、'.join(map(str, busy))} 已被占用（也許另一個 make run 還在執行）。\n"
                 f"請先停止占用的程式，或改用其他連接埠：make run PORT={args.port + 1} "
                 f"EMULATOR_PORT={args.emulator_port + 1}")
    env = environment(args)
    print("準備資料庫…", flush=True)
    set_up(env, args.verbose)
    # The children run in their own sessions (Ctrl-C is ours to handle), so a closed terminal (SIGHUP) or a
    # SIGTERM must also go through `stop`, or they would outlive this script.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(0))
    processes = start(args, env)
    try:
        if not wait_until_serving(args.port, processes):
            sys.exit("小幫手沒有啟動成功，請用 make run VERBOSE=1 查看原因。")
        set_up_rich_menus(env, args.emulator_port, args.verbose)
        print(banner(args), flush=True)
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        sys.exit("有一個程式意外結束了，已停止全部程式（make run VERBOSE=1 可看到原因）。")
    except KeyboardInterrupt:
        print("\n停止中…", flush=True)
    finally:
        stop(processes)


if __name__ == "__main__":
    main()
