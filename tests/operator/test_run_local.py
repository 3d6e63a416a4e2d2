"""What an operator sees: `make run` (scripts/run_local.py) quiet, stopped by Ctrl-C, refusing a busy port;
the bot's `/` page; a command run before the database exists."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import requests

from bench.procs import free_port
from bot.config import REPO_ROOT

RUN_LOCAL = [sys.executable, str(REPO_ROOT / "scripts" / "run_local.py")]


def test_a_busy_port_is_named_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([*RUN_LOCAL, "--port", str(port), "--emulator-port", str(free_port())],
                              capture_output=True, text=True, timeout=60,
                              env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}"})
    assert done.returncode != 0
    assert f"連接埠 {port} 已被占用" in done.stderr and "make run PORT=" in done.stderr
    assert "已啟動" not in done.stdout and not (tmp_path / "bot.sqlite3").exists()  # nothing was set up


def test_make_run_is_quiet_and_ctrl_c_stops_everything_within_seconds(tmp_path: Path) -> None:
    port, emulator_port = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}", "SCHEDULER_TICK_SECONDS": "1"}
    env.pop("LOG_LEVEL", None)
    log = (tmp_path / "run.log").open("w+")
    run = subprocess.Popen([*RUN_LOCAL, "--port", str(port), "--emulator-port", str(emulator_port)],
                           stdout=log, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while "按 Ctrl-C 停止" not in (tmp_path / "run.log").read_text() and time.monotonic() < deadline:
            assert run.poll() is None, (tmp_path / "run.log").read_text()
            time.sleep(0.5)
        for _ in range(5):  # what the chat page does all the time
            assert requests.get(f"http://127.0.0.1:{emulator_port}/_emulator/deliveries", timeout=60).ok
        menu = requests.get(f"http://127.0.0.1:{emulator_port}/_emulator/richmenu",
                            params={"user_id": "U0cb5cf784910256ad3c8fc8b4cb4d3df"}, timeout=60).json()["menu"]
        assert menu is not None  # the demo secretariat opens the chat with its rich menu
        home = requests.get(f"http://127.0.0.1:{port}/", timeout=60)  # a second worker may still be loading
        assert home.status_code == 200 and "社安網聯繫小幫手" in home.text
        assert f"http://127.0.0.1:{emulator_port}/" in home.text and "/console/" in home.text
        time.sleep(2)  # a few scheduler ticks
        os.killpg(run.pid, signal.SIGINT)  # Ctrl-C in the terminal reaches the whole foreground group
        started = time.monotonic()
        run.wait(timeout=15)
        assert time.monotonic() - started < 10  # run_local kills what is left after 5 s
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGTERM)  # run_local stops its children (they have their own sessions)
            run.wait(timeout=15)
    said = (tmp_path / "run.log").read_text()
    assert "聊天頁面（LINE 模擬器）：http://127.0.0.1:" in said and "/console/" in said
    assert "✓ 圖文選單已設定" in said
    assert "GET /_emulator" not in said and "INFO" not in said and "Traceback" not in said, said
    for busy in (port, emulator_port):  # nothing is left listening
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", busy)) != 0


def test_the_bots_address_shows_a_page_not_a_404(client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert 'lang="zh-Hant-TW"' in text and 'href="/console/"' in text and "聊天頁面" in text


def test_a_command_before_db_upgrade_says_what_to_run(config, tmp_path: Path) -> None:
    from app import create_app
    empty = create_app(replace(config, database_url=f"sqlite:///{tmp_path / 'empty.sqlite3'}"))
    result = empty.test_cli_runner().invoke(args=["roster", "seed"])
    assert result.exit_code == 1
    assert "flask --app wsgi db upgrade" in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
