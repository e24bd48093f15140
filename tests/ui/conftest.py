"""The page in a real headless Chromium: Debian's ``chromium`` driven by Playwright.

``make test-ui`` installs both (``apt-get install chromium``, the ``ui`` extra) and runs
``pytest -m ui tests/ui``. The tests run only when asked for (``-m ui``, or
``RTCM_UI_TESTS=1``) and when Chromium and Playwright are both there; ``make test`` skips
them. Playwright never downloads a browser here: it drives ``/usr/bin/chromium``.

The service runs as ``make serve`` runs it (``python -m api``) on a free loopback port,
with its own SQLite file. Every console error and uncaught exception on the page fails
the test that caused it. Screenshots go to ``out/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "out" / "screenshots"
CHROMIUM = os.environ.get("RTCM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}  # a laptop screen


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "ui: drives the web page in a headless Chromium (make test-ui)")


def _asked_for(config: pytest.Config) -> bool:
    return "ui" in (config.getoption("-m") or "") or os.environ.get("RTCM_UI_TESTS") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    why = None
    if not _asked_for(config):
        why = "browser tests run with `make test-ui` (pytest -m ui tests/ui)"
    elif not Path(CHROMIUM).exists():
        why = f"no Chromium at {CHROMIUM}: apt-get install chromium"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            why = "Playwright is not installed: pip install -e '.[ui]'"
    if why:
        for item in items:
            if item.get_closest_marker("ui") is not None:  # not "ui" in keywords: the folder is named ui too
                item.add_marker(pytest.mark.skip(reason=why))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python -m api`` on a free loopback port and a fresh database; its base URL."""
    port = _free_port()
    folder = tmp_path_factory.mktemp("ui-server")
    env = {k: v for k, v in os.environ.items() if k != "RTCM_API_TOKEN"}
    env |= {"RTCM_DATABASE_URL": f"sqlite:///{folder / 'rtcm.sqlite3'}", "RTCM_SOLVER_NICENESS": "0",
            "PYTHONUNBUFFERED": "1"}
    log = (folder / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "api", "--port", str(port), "--log-level", "warning"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log.close()
                why = (folder / "server.log").read_text()
                raise RuntimeError(f"the service did not start: {why}") from None
            time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class ConsoleWatch:
    """Console errors and uncaught exceptions of a page; ``allow(...)`` lets an expected one pass."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.allowed: list[str] = []

    def on_console(self, message: Any) -> None:
        if message.type == "error":
            text = message.text
            if any(a in text for a in self.allowed):
                return
            self.errors.append(f"console error: {text} ({message.location.get('url', '')})")

    def on_page_error(self, error: Any) -> None:
        self.errors.append(f"uncaught: {error} {getattr(error, 'stack', '')}")

    def take(self) -> list[str]:
        errors, self.errors = self.errors, []
        return errors


@pytest.fixture(scope="module")
def page(browser: Any, server: str) -> Iterator[Any]:
    """One page for a module's tests, which follow one another like a planner's session."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, base_url=server)
    page = context.new_page()
    watch = ConsoleWatch()
    page.on("console", watch.on_console)
    page.on("pageerror", watch.on_page_error)
    page.watch = watch
    page.set_default_timeout(20_000)
    page.goto("/")
    page.wait_for_selector("body[data-ready=true]")
    yield page
    context.close()


@pytest.fixture(autouse=True)
def no_console_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "page" in request.fixturenames:
        errors = request.getfixturevalue("page").watch.take()
        assert not errors, "\n".join(errors)


@pytest.fixture(scope="session")
def shoot() -> Any:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str, full_page: bool = False) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
