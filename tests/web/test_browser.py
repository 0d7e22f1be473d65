"""The web app in a real browser: headless Chromium (Debian package) driven by Playwright."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium)"
)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    import uvicorn

    from exosci.web import create_app

    port = _free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(server: str):  # type: ignore[no-untyped-def]
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        pg = browser.new_page()
        pg.goto(server)
        yield pg
        browser.close()


def test_status_line_shows_version_and_data_hash(page) -> None:  # type: ignore[no-untyped-def]
    playwright_api.expect(page.locator("#status")).to_contain_text("knowledge data")


def test_search_then_show_an_entity(page) -> None:  # type: ignore[no-untyped-def]
    page.click("button[data-tab=kb]")
    page.fill("#k-q", "Treg exosomes")
    page.click("#f-kb button[type=submit]")
    page.locator("a.hit", has_text="Treg exosomes").first.click()
    playwright_api.expect(page.locator("#k-show")).to_contain_text("miR-2861")
    playwright_api.expect(page.locator("#k-show")).to_contain_text("Mechanism profile")


def test_explain_shows_signed_cited_paths(page) -> None:  # type: ignore[no-untyped-def]
    page.click("button[data-tab=explain]")
    page.fill("#x-subject", "BMSC-HSEV")
    page.fill("#x-object", "NF-kB")
    page.click("#f-explain button[type=submit]")
    out = page.locator("#x-out")
    playwright_api.expect(out).to_contain_text("PATHS_FOUND")
    playwright_api.expect(out).to_contain_text("IRAK1")


def test_unknown_name_shows_suggestions(page) -> None:  # type: ignore[no-untyped-def]
    page.click("button[data-tab=explain]")
    page.fill("#x-subject", "BMSC-HSEV")
    page.fill("#x-object", "ferroptosys")
    page.click("#f-explain button[type=submit]")
    out = page.locator("#x-out")
    playwright_api.expect(out).to_contain_text("OBJECT_NOT_FOUND")


def test_release_upload_fits_models(page) -> None:  # type: ignore[no-untyped-def]
    page.click("button[data-tab=release]")
    page.set_input_files("#r-file", str(EXAMPLES / "release-ha-hydrogel.csv"))
    page.click("#f-release button[type=submit]")
    playwright_api.expect(page.locator("#r-out")).to_contain_text("weibull", timeout=60_000)


def test_evaluate_renders_the_report(page) -> None:  # type: ignore[no-untyped-def]
    page.click("button[data-tab=evaluate]")
    page.fill("#e-samples", "30")
    page.click("#f-evaluate button[type=submit]")
    frame = page.frame_locator("#e-report")
    playwright_api.expect(frame.locator("h2", has_text="Ranked alternatives")).to_be_visible(
        timeout=120_000
    )
    playwright_api.expect(frame.locator(".label")).to_contain_text("Model prediction")
