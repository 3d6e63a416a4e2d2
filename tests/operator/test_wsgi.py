"""What gunicorn loads (`wsgi:app`): the app, with its long-lived objects kept out of the collector's walks."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.config import REPO_ROOT

SHOW_FROZEN = "import gc, wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"


def test_a_worker_freezes_what_it_built_so_full_collections_stay_short(tmp_path: Path) -> None:
    # A full collection walks every tracked object while the worker's threads wait: the app's own
    # (~300,000) made each walk pause all of them for 110-175 ms in the webhook benchmark.
    done = subprocess.run([sys.executable, "-c", SHOW_FROZEN], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}"})
    assert done.returncode == 0, done.stderr
    frozen, walked = map(int, done.stdout.splitlines()[-1].split())  # the app may have printed before
    assert frozen > 100_000 and walked < frozen / 10, done.stdout
