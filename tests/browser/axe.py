"""axe-core in real Chromium: a page has no serious or critical accessibility violation (WCAG 2.1 AA rules).

axe-core comes from npm into .cache/axe (the Makefile's `axe` target, run by `make test`).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from bot.config import REPO_ROOT

AXE = REPO_ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO_ROOT / "instance" / "screenshots"
RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}));
}"""


def check(page: Page) -> None:
    """Fail on serious or critical axe violations; evaluated through the devtools protocol, so a CSP does not matter."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make test` installs axe-core from npm (make axe)")
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    violations = page.evaluate(RUN)
    assert violations == [], violations


def no_inline_code(page: Page) -> None:
    """Every script is an external file and no element carries a style attribute (works under a strict CSP)."""
    assert page.evaluate("[...document.scripts].every(s => s.src)"), "inline <script> on the page"
    assert page.evaluate("document.querySelectorAll('[style],[onclick],[onsubmit],[onchange]').length") == 0


def screenshot(page: Page, name: str) -> Path:
    """Write the page as a person sees it to instance/screenshots/<name>.png (the README points there)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
