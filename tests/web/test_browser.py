"""The web app in a real browser: headless Chromium (Debian package) driven by Playwright.

Each test drives one flow as a user would and ends by asserting that the page logged no console
error. Screenshots go to a temporary folder (``EXOSCI_SCREENSHOTS`` keeps them elsewhere).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
CHROMIUM = (
    "/usr/bin/chromium"
    if Path("/usr/bin/chromium").exists()
    else shutil.which("chromium") or shutil.which("chromium-browser")
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium)"
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
expect = playwright_api.expect
SLOW = 240_000  # ms: a background evaluation on a shared 2-core machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = os.environ.get("EXOSCI_SCREENSHOTS")
    path = Path(out) if out else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from exosci.web import create_app

    db = tmp_path_factory.mktemp("runs") / "runs.sqlite"
    port = _free_port()
    app = create_app(runs_db=db, workers=1)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=20)


def _serve(app: Any) -> tuple[str, Any, threading.Thread]:
    import uvicorn

    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", srv, thread


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


class Page:
    """A fresh page that records console errors, failed requests and off-machine requests."""

    def __init__(self, browser: Any, base: str, width: int = 1280, height: int = 900) -> None:
        self.ctx = browser.new_context(viewport={"width": width, "height": height})
        self.pg = self.ctx.new_page()
        self.base = base
        self.errors: list[str] = []
        self.external: list[str] = []
        self.pg.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.pg.on("pageerror", lambda e: self.errors.append(str(e)))
        self.pg.on(
            "request",
            lambda r: (
                self.external.append(r.url)
                if not r.url.startswith((base, "data:", "blob:", "about:"))
                else None
            ),
        )

    def clean(self) -> None:
        # Chromium logs every non-2xx fetch; a 422 is the API's answer to invalid input that
        # the page then shows beside the field, so only those are expected here.
        errors = [e for e in self.errors if "status of 422" not in e]
        assert errors == [], f"console errors: {errors}"
        assert self.external == [], f"requests off this machine: {self.external}"
        self.ctx.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    p = Page(browser, server)
    p.pg.goto(server)
    yield p.pg
    p.clean()


def _run_id(pg: Any) -> str:
    return str(pg.url.rstrip("/").rsplit("/", 1)[-1])


def test_typo_in_design_shows_one_suggestion_list_and_recovers(page: Any, shots: Path) -> None:
    page.fill("#e-source", "bone marow MSC")
    page.fill("#e-samples", "20")
    page.click("#e-run")
    err = page.locator(".field-error")
    expect(err).to_contain_text("Unknown exosome/cell source", timeout=30_000)
    expect(page.locator("#e-source")).to_have_attribute("aria-invalid", "true")
    text = err.inner_text()
    assert "exosci kb search" not in text  # a CLI hint means nothing in a browser
    assert text.count("bone marrow mesenchymal stem cell") == 1  # the suggestions once
    assert page.locator("#run-view").inner_text() == ""  # no stale report below the error
    page.screenshot(path=str(shots / "design-typo.png"), full_page=True)
    page.locator(".field-error .chip", has_text="bone marrow mesenchymal stem cell").click()
    expect(page.locator("#e-source")).to_have_value("bone marrow mesenchymal stem cell")
    expect(page.locator(".field-error")).to_have_count(0)


def test_yaml_export_import_round_trip(page: Any, tmp_path: Path) -> None:
    page.select_option("#e-species", "mouse")
    page.select_option("#e-unit", "particles")
    page.fill("#e-dose", "1e10")
    page.fill("#e-level", "T9")
    with page.expect_download() as dl:
        page.click("#e-export")
    path = tmp_path / "design.yaml"
    dl.value.save_as(path)
    text = path.read_text()
    assert "species: mouse" in text and "unit: particles" in text and "level: T9" in text
    page.reload()
    page.set_input_files("#e-import", str(EXAMPLES / "m2-exos-berberine-mouse.yaml"))
    expect(page.locator("#e-species")).to_have_value("mouse")
    expect(page.locator("#e-cargo")).to_have_value("berberine")
    expect(page.locator("#e-doses")).to_have_value("3")


def test_autocomplete_offers_graph_names_of_the_fields_type(page: Any) -> None:
    page.fill("#e-carrier", "")
    page.type("#e-carrier", "hydro", delay=20)
    opts = page.locator("#dl-e-carrier option")
    expect(opts.first).to_have_attribute("value", "hydrogel")
    types = {o.inner_text() for o in opts.all()}
    assert types <= {"material", "delivery system"}, types


def test_run_progress_reload_and_find_the_run(
    browser: Any, server: str, shots: Path, page: Any
) -> None:
    page.fill("#e-samples", "20")
    page.click("#e-run")
    expect(page.locator("#run-progress")).to_be_visible()
    # progress shows a running stage (which one a poll catches depends on the engine's speed:
    # with the compiled C engine the simulation itself can pass between two polls)
    expect(page.locator("#run-stage")).to_contain_text(
        re.compile(r"running|simulating"), timeout=SLOW
    )
    run_id = _run_id(page)
    assert len(run_id) == 12
    frame = page.frame_locator("#e-report")
    expect(frame.locator("h2", has_text="Ranked alternatives")).to_be_visible(timeout=SLOW)
    expect(frame.locator(".label").first).to_contain_text("Model prediction")
    page.screenshot(path=str(shots / "evaluate-report.png"), full_page=False)
    # issue 23 item 7: the frame takes its content's height (no scroll inside the page scroll)
    inner = page.evaluate(
        "(() => { const d = document.querySelector('#e-report').contentDocument.documentElement;"
        " return [d.scrollHeight, d.clientHeight]; })()"
    )
    assert inner[0] <= inner[1] + 2, f"the report frame scrolls inside the page: {inner}"
    # issue 23 item 2: a reference opens in a new tab and the report stays
    page.context.route(  # no network: the DOI resolver answers from here
        "https://doi.org/**", lambda route: route.fulfill(body="doi.org", content_type="text/plain")
    )
    with page.context.expect_page() as popup:
        frame.locator("a[href^='https://doi.org/']").first.click()
    popup.value.wait_for_load_state()
    assert popup.value.url.startswith("https://doi.org/10."), popup.value.url
    popup.value.close()
    expect(frame.locator("h2", has_text="Ranked alternatives")).to_be_visible()
    # the stable URL reopens the saved run after a reload
    page.reload()
    expect(
        page.frame_locator("#e-report").locator("h2", has_text="Ranked alternatives")
    ).to_be_visible(timeout=30_000)
    expect(page.locator(".downloads")).to_contain_text("report.html")
    # a second browser (another context, no shared storage) sees the same saved run
    other = Page(browser, server)
    other.pg.goto(server)
    other.pg.click("button[data-tab=runs]")
    other.pg.fill("#r-q", run_id)
    other.pg.click("#f-runs button[type=submit]")
    expect(other.pg.locator("#runs-table")).to_contain_text("done")
    other.clean()


@pytest.mark.slow
def test_design_search_page_shows_the_front_and_opens_a_designs_evaluation(
    page: Any, server: str, shots: Path
) -> None:
    """Issue 24: the search runs in the background, its front is a table, and each front design
    starts its full evaluation (a second click opens the same run)."""
    import httpx

    page.click("button[data-tab=dsearch]")
    assert "design-rat-contusion-lab" in page.locator("#tab-dsearch").inner_text()
    page.fill("#ds-samples", "50")
    page.fill("#ds-seed", "2")
    page.click("#ds-run")
    expect(page.locator("#ds-front")).to_be_visible(timeout=SLOW)
    search_id = _run_id(page)
    doc = httpx.get(f"{server}/api/runs/{search_id}").json()
    front = doc["result"]["front"]
    rows = page.locator("#ds-front tbody tr")
    expect(rows).to_have_count(len(front))
    expect(rows.first).to_contain_text(front[0]["name"])
    expect(page.locator("#ds-front thead")).to_contain_text("P(Δ ≥")
    page.screenshot(path=str(shots / "design-search.png"), full_page=True)
    page.locator("button.ds-eval").first.click()
    expect(page.locator("#tab-design")).to_be_visible()
    expect(page.locator("#run-progress, #run-status").first).to_be_visible(timeout=30_000)
    eval_id = _run_id(page)
    assert eval_id != search_id
    run = httpx.get(f"{server}/api/runs/{eval_id}").json()
    assert run["kind"] == "evaluate" and run["spec"] == front[0]["spec"]
    assert run["params"]["samples"] == 50 and run["seed"] == 2
    assert page.input_value("#e-name") == front[0]["name"]
    # back on the search page, the same design's button opens that run (no second run)
    page.click("button[data-tab=dsearch]")
    page.locator("button.ds-eval").first.click()
    assert _run_id(page) == eval_id
    httpx.post(f"{server}/api/runs/{eval_id}/cancel")  # the report itself is tested elsewhere
    # a reload of the search's URL shows its front again
    page.goto(f"{server}/run/{search_id}")
    expect(page.locator("#ds-front tbody tr")).to_have_count(len(front), timeout=30_000)


def test_design_search_bad_constraint_names_the_field(page: Any) -> None:
    page.click("button[data-tab=dsearch]")
    page.fill("#ds-constraints", '{"routes": ["by mouth"]}')
    page.click("#ds-run")
    expect(page.locator("#ds-error")).to_contain_text("routes")
    expect(page.locator("#ds-error")).to_contain_text("by mouth")
    page.fill("#ds-constraints", "{not json")
    page.click("#ds-run")
    expect(page.locator("#ds-error")).to_contain_text("not valid JSON")


def _a_long_simulation(page: Any) -> None:
    """A simulate run long enough to cancel: the compiled engine finishes 5,000 subjects over 42
    days in about a second, before a click lands; over a year it takes several times longer."""
    page.fill("#e-samples", "5000")
    page.fill("#e-horizon", "365")
    page.click("#e-simulate")


def test_cancel_a_running_job(page: Any) -> None:
    _a_long_simulation(page)
    expect(page.locator("#run-cancel")).to_be_visible()
    page.click("#run-cancel")
    expect(page.locator("#run-status")).to_contain_text("cancelled", timeout=SLOW)


def test_compare_two_saved_runs(page: Any, shots: Path) -> None:
    for dose in ("200", "20"):
        page.fill("#e-dose", dose)
        page.fill("#e-samples", "20")
        page.fill("#e-name", f"paired-check {dose} ug")
        page.click("#e-simulate")
        expect(page.locator("#run-status")).to_have_text("done", timeout=SLOW)
    page.click("button[data-tab=runs]")
    page.fill("#r-q", "paired-check")
    page.click("#f-runs button[type=submit]")
    picks = page.locator(".run-pick")
    expect(picks).to_have_count(2)
    picks.nth(0).check()
    picks.nth(1).check()
    page.click("#runs-compare")
    table = page.locator("#compare-designs")
    expect(table).to_contain_text("paired-check 200 ug", timeout=SLOW)
    expect(page.locator("#compare-view")).to_contain_text("A − B")
    # issue 23 item 6: the comparison shows the two runs' own numbers (it re-simulated 200)
    cmp_id = _run_id(page)
    shown = page.locator("#compare-designs tbody tr")
    for run_id in doc_runs(page, cmp_id):
        own = page.evaluate(f"fetch('/api/runs/{run_id}').then(r => r.json())")
        final = own["result"]["treated"]["score"]["median"][-1]
        row = shown.filter(has_text=own["name"]).first
        cell = row.locator("td").nth(3).inner_text()
        assert cell == page.evaluate(f"num({final})"), (cell, final)
    page.screenshot(path=str(shots / "compare.png"), full_page=True)


def doc_runs(page: Any, cmp_id: str) -> list[str]:
    row = page.evaluate(f"fetch('/api/runs/{cmp_id}/status').then(r => r.json())")
    return list(row["params"]["runs"])


def test_invalid_design_while_a_run_shows_progress_keeps_the_run(page: Any) -> None:
    """Issue 23 item 5: an invalid design submitted during a run threw a TypeError (textContent
    of null) and the first run's progress vanished while the URL still named it."""
    _a_long_simulation(page)
    expect(page.locator("#run-cancel")).to_be_visible(timeout=30_000)
    run_url = page.url
    # issue 23 item 6: the progress is scrolled into view (it sat below the fold at 1280x900)
    top = page.evaluate("document.querySelector('#run-view').getBoundingClientRect().top")
    assert 0 <= top < page.viewport_size["height"], top
    page.fill("#e-source", "bone marow MSC")
    page.click("#e-run")
    expect(page.locator(".field-error")).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1500)  # a few polls of the first run
    expect(page.locator("#run-progress")).to_be_visible()
    assert page.url == run_url
    page.click("#run-cancel")
    expect(page.locator("#run-status")).to_contain_text("cancelled", timeout=SLOW)


def test_polling_survives_the_server_being_down(browser: Any, server: str) -> None:
    """Issue 23 item 6: while the server was down the page showed "TypeError: Failed to fetch"
    and stopped polling for good."""
    p = Page(browser, server)
    page = p.pg
    page.goto(server)
    page.fill("#e-samples", "20")
    page.route("**/api/runs/*/status", lambda route: route.abort())
    page.click("#e-simulate")
    note = page.locator(".poll-note")
    expect(note).to_contain_text("not answering", timeout=30_000)
    expect(note).to_contain_text("retrying")
    page.unroute("**/api/runs/*/status")
    expect(page.locator("#run-status")).to_have_text("done", timeout=SLOW)
    p.errors = [e for e in p.errors if "ERR_FAILED" not in e]  # the refused polls themselves
    p.clean()


def test_saved_designs_are_listed_searched_and_loaded(page: Any) -> None:
    """Issue 23 item 6: "Save design" returned an id but nothing listed or loaded designs."""
    page.fill("#e-name", "design-list-check mouse")
    page.select_option("#e-species", "mouse")
    page.fill("#e-dose", "55")
    page.click("#e-save")
    expect(page.locator("#d-status")).to_contain_text("saved")
    page.reload()
    page.click("#d-panel summary")
    page.fill("#d-q", "design-list-check")
    page.click("#f-designs button[type=submit]")
    item = page.locator("#d-list button", has_text="design-list-check mouse")
    expect(item).to_have_count(1)
    item.click()
    expect(page.locator("#e-name")).to_have_value("design-list-check mouse")
    expect(page.locator("#e-species")).to_have_value("mouse")
    expect(page.locator("#e-dose")).to_have_value("55")


def test_explore_a_path_as_a_network(page: Any, shots: Path) -> None:
    page.click("button[data-tab=explore]")
    page.fill("#x-subject", "BMSC-HSEV")
    page.fill("#x-object", "NF-kB")
    page.click("#f-explain button[type=submit]")
    expect(page.locator("#x-out")).to_contain_text("Paths found")
    expect(page.locator("#x-legend")).to_contain_text("path(s)")
    n = page.evaluate("window.exosciGraph.nodes().length")
    assert n >= 4
    page.evaluate(
        "window.exosciGraph.edges().filter(e => e.data('targetName') === 'IRAK1')[0].emit('tap')"
    )
    card = page.locator("#edge-card")
    expect(card).to_contain_text("decreases the amount of")
    # each supporting statement in words with its reference: first author, year, title, DOI
    expect(card).to_contain_text("represses IRAK1")
    expect(card).to_contain_text("Liang Z 2024")
    expect(card).to_contain_text("hypoxia-preconditioned bone marrow mesenchymal stem cells")
    link = card.locator("a[href='https://doi.org/10.4103/1673-5374.391194']")
    expect(link).to_have_attribute("target", "_blank")
    expect(card).to_contain_text("species: rat")
    expect(card).to_contain_text("model: in vivo")
    expect(card).to_contain_text("grade: direct experimental evidence")
    assert page.evaluate("document.querySelector('#edge-card').scrollWidth") <= page.evaluate(
        "document.querySelector('#edge-card').clientWidth + 1"
    ), "the evidence overflows the card"
    page.evaluate("window.exosciGraph.nodes('#gene\\\\:irak1')[0].emit('tap')")
    expect(page.locator("#x-card")).to_contain_text("IRAK1")
    expect(page.locator("#x-card")).to_contain_text("Liang Z 2024")  # node cards: titled refs
    page.screenshot(path=str(shots / "explore.png"), full_page=True)
    page.click("#x-hood")
    expect(page.locator("#x-legend")).to_contain_text("Neighbourhood of")
    text = page.locator("#tab-explore").inner_text()
    for raw in ("PATHS_FOUND", "decreases_amount", "st:", "in_vivo", "gene:irak1"):
        assert raw not in text, f"internal name {raw!r} shown to the reader"


def test_graph_content_has_a_keyboard_path(page: Any) -> None:
    """Issue 23 item 8: the canvas had no keyboard path; the list view holds the same links."""
    page.click("button[data-tab=explore]")
    page.fill("#x-subject", "BMSC-HSEV")
    page.fill("#x-object", "NF-kB")
    page.press("#x-object", "Enter")
    links = page.locator("#x-list button[data-edge]")
    expect(links.first).to_be_visible()
    edges = page.evaluate("window.exosciGraph.edges().length")
    assert links.count() == edges
    irak = page.locator("#x-list button[data-edge]", has_text="IRAK1").first
    irak.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#edge-card")).to_contain_text("Liang Z 2024")
    expect(page.locator("#edge-card")).to_be_focused()


_LABEL_BOXES = """() => window.exosciGraph.nodes().map((n) => {
  const b = n.boundingBox({includeLabels: true, includeOverlays: false});
  return [b.x1, b.y1, b.x2, b.y2];
})"""


def _overlapping_label_pairs(boxes: list[list[float]]) -> list[tuple[int, int]]:
    def hit(a: list[float], b: list[float]) -> bool:
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    return [
        (i, j)
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if hit(boxes[i], boxes[j])
    ]


@pytest.mark.parametrize("width", [390, 1280, 1920])
def test_evidence_network_is_drawn_in_layers_with_readable_labels(
    browser: Any, server: str, width: int
) -> None:
    """Issue 23 item 1: node ids hold colons (exo:bmsc), so "#id" layout roots were invalid
    selectors and every node landed on one line with labels piled up."""
    p = Page(browser, server, width=width)
    pg = p.pg
    console: list[str] = []
    pg.on("console", lambda m: console.append(m.text))
    pg.goto(server)
    pg.click("button[data-tab=explore]")
    pg.fill("#x-subject", "BMSC exosomes")
    pg.fill("#x-object", "axon regeneration")
    pg.click("#f-explain button[type=submit]")
    expect(pg.locator("#x-out")).to_contain_text("Paths found", timeout=SLOW)
    boxes = pg.evaluate(_LABEL_BOXES)
    assert len(boxes) >= 5
    ys = {round((b[1] + b[3]) / 2) for b in boxes}
    xs = {round((b[0] + b[2]) / 2) for b in boxes}
    assert len(ys) >= 3 and len(xs) >= 2, f"nodes not laid out in layers: {boxes}"
    assert _overlapping_label_pairs(boxes) == [], "node label boxes overlap"
    assert not [m for m in console if "selector" in m.lower()], console
    p.clean()


def test_nta_batch_flags_empty_and_unreadable_files(
    page: Any, shared: Path, tmp_path: Path
) -> None:
    zv = shared / "data" / "nta" / "zetaview"
    good = zv / "20250219_0002_EV_ip_p1_F8-1000_size_488.txt"
    empty = zv / "20250219_0001_EV_ip_p1_F8-1000_size_488.txt"
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"\x00\x01 not an export")
    page.click("button[data-tab=qc]")
    page.set_input_files("#q-file", [str(good), str(empty), str(junk)])
    page.click("#f-qc button[type=submit]")
    table = page.locator("#nta-table")
    expect(table).to_contain_text("particles per mL")
    expect(table).to_contain_text("empty run")
    expect(table).to_contain_text("unreadable")
    assert "concentration_per_ml" not in page.locator("#q-out").inner_text()
    expect(page.locator("#nta-plot")).to_be_visible()
    expect(page.locator("#q-out")).to_contain_text("1 of 3 file(s) read with particles")


def test_nta_states_each_samples_dilution_basis_and_plots_the_data_range(
    page: Any, shared: Path, shots: Path
) -> None:
    """Issue 23 item 4: a NanoSight file without a dilution (uncorrected) sat beside ZetaView's
    corrected concentration unsaid; the size axis ran to 6000 nm with the data in the left 15 %;
    diameters printed as 1.50e+3; repeated warnings made rows hundreds of pixels tall."""
    ns = (
        shared
        / "data"
        / "nta"
        / "nanosight"
        / "EMT3_d200_2021-04-07_16-01-58-ExperimentSummary.csv"
    )
    zv = shared / "data" / "nta" / "zetaview" / "20250219_0002_EV_ip_p1_F8-1000_size_488.txt"
    page.click("button[data-tab=qc]")
    page.set_input_files("#q-file", [str(ns), str(zv)])
    page.click("#f-qc button[type=submit]")
    rows = page.locator("#nta-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("NOT corrected for dilution")
    expect(rows.nth(1)).to_contain_text("corrected for dilution ×1000 (the dilution in the file)")
    expect(page.locator("#q-out")).to_contain_text("different bases")
    assert "e+" not in page.locator("#nta-table").inner_text()
    heights = [rows.nth(i).bounding_box()["height"] for i in range(2)]
    assert max(heights) < 200, heights
    ticks = page.evaluate(
        "[...document.querySelectorAll('#nta-plot text[text-anchor=middle]')]"
        ".map(t => t.textContent).filter(t => /^[0-9.]+$/.test(t)).map(Number)"
    )
    assert ticks and max(ticks) < 2000, f"size axis does not fit the data: {ticks}"
    overlap = page.evaluate(
        """(() => {
      const texts = [...document.querySelectorAll('#nta-plot text')];
      const title = texts.find(t => (t.getAttribute('transform') || '').includes('rotate'));
      const tb = title.getBoundingClientRect();
      return texts.filter(t => t !== title && t.getAttribute('text-anchor') === 'end')
        .some(t => { const b = t.getBoundingClientRect(); return b.left < tb.right && tb.left < b.right
          && b.top < tb.bottom && tb.top < b.bottom; });
    })()"""
    )
    assert not overlap, "the y title overlaps the tick labels"
    page.screenshot(path=str(shots / "nta.png"), full_page=True)


def test_misev_check_form(page: Any) -> None:
    page.click("button[data-tab=qc]")
    page.click("#f-prep button[type=submit]")
    table = page.locator("#prep-table")
    expect(table).to_contain_text("the source is quantified")
    expect(table).to_contain_text("met")


def test_release_fit_names_models_and_plots(page: Any) -> None:
    page.click("button[data-tab=release]")
    page.set_input_files("#r-file", str(EXAMPLES / "release-ha-hydrogel.csv"))
    page.click("#f-release button[type=submit]")
    expect(page.locator("#r-out")).to_contain_text(
        "best model (lowest AIC): Weibull", timeout=60_000
    )
    expect(page.locator("#release-table")).to_contain_text("Makoid–Banakar")
    assert "makoid_banakar" not in page.locator("#r-out").inner_text()
    expect(page.locator("#release-plot polyline").first).to_be_visible()


def test_cargo_lists_recognised_names(page: Any) -> None:
    page.click("button[data-tab=cargo]")
    page.click("#f-cargo button[type=submit]")
    rec = page.locator("#c-recognised")
    expect(rec).to_contain_text("MIMAT")
    assert "[object Object]" not in page.locator("#c-out").inner_text()
    expect(page.locator("#c-out")).to_contain_text("mechanism:")


def test_knowledge_search_then_entity(page: Any) -> None:
    page.click("button[data-tab=kb]")
    page.fill("#k-q", "Treg exosomes")
    page.click("#f-kb button[type=submit]")
    page.locator("a.hit", has_text="Treg exosomes").first.click()
    expect(page.locator("#k-show")).to_contain_text("miR-2861")
    expect(page.locator("#k-show")).to_contain_text("Mechanism profile")


def test_api_docs_work_offline(browser: Any, server: str) -> None:
    p = Page(browser, server)
    p.pg.goto(server + "/docs")
    expect(p.pg.locator(".swagger-ui .info .title")).to_contain_text("exosci", timeout=30_000)
    p.clean()


def _axe(pg: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core findings on the page (axe.min.js from the installed
    axe-playwright-python wheel: no network)."""
    from importlib import resources

    script = (resources.files("axe_playwright_python") / "axe.min.js").read_text("utf-8")
    pg.evaluate(script)
    found = pg.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:40]]}
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


TABS = ["design", "dsearch", "runs", "explore", "kb", "cargo", "qc", "release"]


def _fill_tab(pg: Any, tab: str) -> None:
    """Open a tab and give it content (a result) as a user would."""
    pg.click(f"button[data-tab={tab}]")
    if tab == "explore":
        pg.click("#f-explain button[type=submit]")
        expect(pg.locator("#x-list button").first).to_be_visible(timeout=SLOW)
        pg.locator("#x-list button[data-edge]").first.click()
        expect(pg.locator("#edge-card h4")).to_be_visible()
    elif tab == "kb":
        pg.click("#f-kb button[type=submit]")
        pg.locator("a.hit").first.click()
        expect(pg.locator("#k-show table").first).to_be_visible()
    elif tab == "cargo":
        pg.click("#f-cargo button[type=submit]")
        expect(pg.locator("#c-recognised")).to_be_visible()
    elif tab == "runs":
        expect(pg.locator("#runs-list table, #runs-list p").first).to_be_visible()
    elif tab == "dsearch":
        pg.fill("#ds-samples", "50")
        pg.click("#ds-run")
        expect(pg.locator("#ds-front")).to_be_visible(timeout=SLOW)
    elif tab == "release":
        pg.set_input_files("#r-file", str(EXAMPLES / "release-ha-hydrogel.csv"))
        pg.click("#f-release button[type=submit]")
        expect(pg.locator("#release-plot")).to_be_visible(timeout=60_000)


@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1280, 1920])
def test_no_serious_accessibility_finding_on_any_page(
    browser: Any, server: str, width: int
) -> None:
    """Issue 23: axe-core (bundled with the tests) on every tab with content, and /docs, at a
    phone's, a laptop's and a wide screen's width."""
    p = Page(browser, server, width=width)
    pg = p.pg
    pg.goto(server)
    pg.evaluate(
        "fetch('/api/runs', {method: 'POST', headers: {'content-type': 'application/json'},"
        " body: JSON.stringify({kind: 'simulate', samples: 10, spec: {name: 'axe check',"
        " species: 'rat', injury: {model: 'contusion', level: 'T10', severity: 'moderate'},"
        " exosome: {source: 'BMSC exosomes'}, route: 'intravenous',"
        " dose: {amount: 100, unit: 'ug'}, timing: {start_hours_post_injury: 1}}})})"
    )
    findings = {}
    for tab in TABS:
        _fill_tab(pg, tab)
        findings[tab] = _axe(pg)
    pg.goto(server + "/docs")
    expect(pg.locator(".swagger-ui .info .title")).to_contain_text("exosci", timeout=30_000)
    pg.locator(".opblock-summary").first.click()
    findings["docs"] = _axe(pg)
    bad = {k: v for k, v in findings.items() if v}
    assert not bad, f"axe findings: {bad}"
    p.clean()


@pytest.mark.slow
def test_phone_width_has_no_horizontal_overflow(browser: Any, server: str, shots: Path) -> None:
    """Issue 23 item 7: at 390 px the runs table made the page 757 px wide, the explorer 557 px,
    and tabs after "Knowledge" hid in an unmarked horizontal scroll."""
    p = Page(browser, server, width=390, height=844)
    pg = p.pg
    pg.goto(server)
    for b in pg.locator("nav button").all():  # every tab is on screen (the bar wraps)
        box = b.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1, box
    wide = {}
    for tab in TABS:
        _fill_tab(pg, tab)
        wide[tab] = pg.evaluate("document.documentElement.scrollWidth")
        if tab in ("explore", "runs"):
            pg.screenshot(path=str(shots / f"phone-{tab}.png"), full_page=True)
    assert {k: w for k, w in wide.items() if w > 391} == {}
    p.clean()


def test_wide_screen_layout_uses_the_width(browser: Any, server: str) -> None:
    """Issue 23 item 7: at 1920 px the content stopped at 1200 px on the left."""
    p = Page(browser, server, width=1920, height=1080)
    p.pg.goto(server)
    box = p.pg.locator("main").bounding_box()
    assert box["width"] > 1600, box
    assert abs(box["x"] - (1920 - box["x"] - box["width"])) < 40, "content is not centred"
    p.clean()


def test_runs_are_renamed_deleted_and_filtered(page: Any) -> None:
    """Issue 23 item 6: runs could not be renamed or deleted, nor the list filtered."""
    page.fill("#e-samples", "10")
    page.fill("#e-name", "manage-check original")
    page.click("#e-simulate")
    expect(page.locator("#run-status")).to_have_text("done", timeout=SLOW)
    run_id = _run_id(page)
    page.click("button[data-tab=runs]")
    page.fill("#r-q", "manage-check")
    page.click("#f-runs button[type=submit]")
    expect(page.locator("#runs-table tbody tr")).to_have_count(1)
    page.click(".run-rename")
    page.fill("#runs-table input[aria-label='new name']", "manage-check renamed")
    page.keyboard.press("Enter")
    expect(page.locator("#runs-table")).to_contain_text("manage-check renamed")
    page.select_option("#r-kind", "evaluate")  # filter: no evaluate run of that name
    expect(page.locator("#runs-list")).to_contain_text("no saved runs match")
    page.select_option("#r-kind", "simulate")
    expect(page.locator("#runs-table tbody tr")).to_have_count(1)
    page.click(".run-delete")
    page.click(".run-delete")  # the second click confirms
    expect(page.locator("#runs-list")).to_contain_text("no saved runs match")
    base = page.url.split("/run/")[0].rstrip("/")
    assert (
        page.request.get(f"{base}/api/runs/{run_id}/result.json").status == 404
    )  # its files went with it


def test_runs_list_refreshes_while_a_run_is_active(page: Any) -> None:
    """Issue 23 item 6: the saved-runs list showed "running" until searched again."""
    page.fill("#e-samples", "40")
    page.fill("#e-name", "refresh-check")
    page.click("#e-simulate")
    page.click("button[data-tab=runs]")
    page.fill("#r-q", "refresh-check")
    page.click("#f-runs button[type=submit]")
    expect(page.locator("#runs-table")).to_contain_text("refresh-check")
    expect(page.locator("#runs-table .status-done")).to_have_count(1, timeout=SLOW)


def test_deep_link_survives_sign_in_and_sign_out_ends_the_session(
    browser: Any, tmp_path: Path
) -> None:
    """Issue 23 item 6: a deep link /run/<id> landed on / after sign-in; there was no sign-out."""
    import secrets

    import httpx

    from exosci.web import create_app

    token = secrets.token_urlsafe(24)
    base, srv, thread = _serve(create_app(runs_db=tmp_path / "runs.sqlite", workers=1, token=token))
    try:
        spec = {"name": "deep-link check", "species": "rat", "route": "intravenous",
                "injury": {"model": "contusion", "level": "T10", "severity": "moderate"},
                "exosome": {"source": "BMSC exosomes"}, "dose": {"amount": 100, "unit": "ug"},
                "timing": {"start_hours_post_injury": 1}}  # fmt: skip
        run = httpx.post(
            base + "/api/runs",
            json={"kind": "simulate", "samples": 10, "spec": spec},
            headers={"authorization": f"Bearer {token}"},
        ).json()
        p = Page(browser, base)
        pg = p.pg
        pg.goto(base + run["url"])
        expect(pg).to_have_url(f"{base}/login?next=/run/{run['id']}")
        pg.fill("#token", token)
        pg.click("#f-login button[type=submit]")
        expect(pg).to_have_url(base + run["url"])
        expect(pg.locator("#run-status")).to_have_text("done", timeout=SLOW)
        expect(pg.locator("#e-name")).to_have_value("deep-link check")
        pg.click("#logout")
        expect(pg).to_have_url(base + "/login")
        pg.goto(base + "/")
        expect(pg).to_have_url(base + "/login")  # the session has ended
        p.clean()
    finally:
        srv.should_exit = True
        thread.join(timeout=20)


def test_tablet_layout_has_no_horizontal_scroll(browser: Any, server: str, shots: Path) -> None:
    p = Page(browser, server, width=820, height=1180)
    p.pg.goto(server)
    expect(p.pg.locator("#status")).to_contain_text("knowledge data")
    wide = p.pg.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not wide
    p.pg.screenshot(path=str(shots / "tablet.png"))
    p.clean()


def test_keyboard_reaches_and_submits_the_design_form(page: Any) -> None:
    page.focus("nav button[data-tab=design]")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#tab-runs")).to_be_visible()
    page.keyboard.press("ArrowLeft")
    page.focus("#e-source")
    page.fill("#e-source", "bone marow MSC")
    page.focus("#e-run")
    page.keyboard.press("Enter")  # the run button, reached by keyboard, submits
    expect(page.locator(".field-error")).to_be_visible(timeout=30_000)


def test_enter_in_a_field_does_not_start_a_run(page: Any) -> None:
    """Issue 23 item 6: Enter in any field (even "name") started a minutes-long run."""
    for field in ("#e-name", "#e-dose", "#e-samples"):
        page.focus(field)
        page.keyboard.press("Enter")
    page.wait_for_timeout(800)
    assert page.locator("#run-progress").count() == 0
    assert "/run/" not in page.url


def test_every_field_error_is_shown_at_once(page: Any) -> None:
    """Issue 23 item 6: validation showed one bad field per submit."""
    page.fill("#e-source", "bone marow MSC")
    page.fill("#e-carrier", "hydrogle")
    page.fill("#e-route", "intravenus")
    page.click("#e-run")
    errors = page.locator(".field-error")
    expect(errors).to_have_count(3, timeout=30_000)
    for field in ("#e-source", "#e-carrier", "#e-route"):
        expect(page.locator(field)).to_have_attribute("aria-invalid", "true")
    assert "/run/" not in page.url
