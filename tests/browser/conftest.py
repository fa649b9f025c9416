"""Fixtures for the browser tests of the widgets: one JupyterLab server, one Chromium.

Both are module-scoped (only test_widgets_browser.py uses them, so that is one of
each per session) and never overlap with other Playwright users such as
tests/test_book.py. The latency table is printed at the end of the session and
written to test-artifacts/widget_latency.md.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from labdriver import CHROMIUM, CHROMIUM_FLAGS, LabServer, WidgetRecord, format_table

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
RECORDS = pytest.StashKey[list]()
LOADS = pytest.StashKey[dict]()


def _require_browser() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: `apt-get install -y chromium chromium-driver` to run the widget tests")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("Python playwright is missing: `.venv/bin/pip install -e '.[dev]'` (never `playwright install`)")


def _loadavg() -> tuple[float, float, float]:
    return os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)


@pytest.fixture(scope="module")
def widget_records(request) -> list[WidgetRecord]:
    config = request.config
    config.stash.setdefault(RECORDS, [])
    loads = config.stash.setdefault(LOADS, {})
    loads["at the start of the widget tests"] = _loadavg()
    yield config.stash[RECORDS]
    loads["at the end of the widget tests"] = _loadavg()
    _write_table(config)


@pytest.fixture(scope="module")
def lab() -> LabServer:
    _require_browser()
    server = LabServer.start(ROOT)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser_context(lab):
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="widget-chromium-")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000}, device_scale_factor=1)
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def _write_table(config) -> str | None:
    records = config.stash.get(RECORDS, [])
    if not records:
        return None
    text = format_table(records, config.stash.get(LOADS, {}))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "widget_latency.md").write_text(text, encoding="utf-8")
    return text


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    text = _write_table(config)
    if text:
        terminalreporter.section("widget latency (also in test-artifacts/widget_latency.md)")
        terminalreporter.write(text)
