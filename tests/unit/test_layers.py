"""The layout's arrows: every module imports on its own, and no import runs back up the layers.

Layers, bottom to top: rules (pure) < models < bot (framework and shared services) < handlers
(capabilities, which do not import each other) < app (the composition root) < wsgi, scheduler.
"""
from __future__ import annotations

import ast
import importlib
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("rules", "models", "bot", "handlers", "scheduler", "emulator")
PROJECT = frozenset({*PACKAGES, "app", "wsgi", "tests"})
# Imported by modules of the key's layer, each of these is an arrow running back up.
FORBIDDEN = {
    "rules": ("flask", "linebot", "sqlalchemy", "models", "bot", "handlers", "app", "scheduler"),
    "models": ("flask", "linebot", "bot", "handlers", "app", "scheduler"),
    "bot": ("handlers", "app", "scheduler"),
    "handlers": ("app", "scheduler"),
}


def modules() -> list[str]:
    """Every module of the project's packages, plus the composition root (not `__main__`s: they run)."""
    found = ["app"]
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__main__":
                continue
            found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def imported(path: Path) -> set[str]:
    """Absolute module names a file imports, anywhere in it (lazy imports inside functions count)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def start_import(name: str) -> tuple[int, int]:
    """Fork a child that imports one module with none of the project's modules loaded: (pid, pipe to read).

    The child keeps the third-party libraries already imported (a fresh interpreter per module took
    minutes on a busy machine); every project module it needs loads anew, so a cycle shows.
    """
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: forget the project, import one module, report, leave without cleanup
        os.close(read)
        for loaded in [m for m in sys.modules if m.split(".")[0] in PROJECT]:
            del sys.modules[loaded]
        try:
            importlib.import_module(name)
            error = ""
        except BaseException as exc:  # noqa: BLE001 (any failure is the answer)
            error = f"{type(exc).__name__}: {exc}"
        os.write(write, error.encode("utf-8")[:4000])
        os._exit(0)
    os.close(write)
    return pid, read


def finish_import(pid: int, read: int) -> str:
    """The child's error, or '' when the module imported."""
    with os.fdopen(read, "rb") as pipe:
        error = pipe.read().decode("utf-8")
    _, status = os.waitpid(pid, 0)
    return error or ("" if status == 0 else f"child ended with status {status}")


def test_every_module_imports_alone() -> None:
    for preload in ("flask", "sqlalchemy.orm", "linebot.v3.messaging", "linebot.v3.webhook", "yaml"):
        importlib.import_module(preload)
    names, failed = modules(), {}
    width = os.cpu_count() or 1
    for at in range(0, len(names), width):
        started = [(name, *start_import(name)) for name in names[at:at + width]]
        failed.update({name: error for name, pid, read in started if (error := finish_import(pid, read))})
    assert not failed


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_import_runs_back_up(layer: str) -> None:
    wrong = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        for name in imported(path):
            if name.split(".")[0] in FORBIDDEN[layer]:
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not wrong


def test_capabilities_do_not_import_each_other() -> None:
    wrong = []
    for path in sorted((ROOT / "handlers").rglob("*.py")):
        own = path.relative_to(ROOT / "handlers").with_suffix("").parts[0]
        for name in imported(path):
            parts = name.split(".")
            if parts[0] == "handlers" and len(parts) > 1 and parts[1] != own:
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not wrong
