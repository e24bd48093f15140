"""CI runs the browser tests: `.ci/run` calls `make test`, then `make test-ui` (runs in `make test`)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def commands(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_ci_runs_the_suite_first_then_the_browser_tests():
    steps = [c for c in commands((ROOT / ".ci" / "run").read_text()) if c.startswith("make ")]
    assert steps == ["make test", "make test-ui"]


def test_the_browser_tests_install_chromium_when_it_is_missing_and_never_download_a_browser():
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^test-ui:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe is not None
    lines = recipe.group(1)
    assert "command -v chromium" in lines and "apt-get install -y chromium" in lines
    assert "-m ui tests/ui" in lines
    assert "playwright install" not in makefile
