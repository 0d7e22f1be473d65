"""Issue 21, item 1: result objects a notebook enjoys. Each leads its repr and HTML card with
what it is and its caveats, gives ``to_frame()``, and ``.plot(ax=None)`` returns the Axes."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import exosci as ex  # noqa: E402
from exosci.errors import ExosciWarning  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(autouse=True)
def _close_figures() -> None:
    yield
    plt.close("all")


def test_enrichment_result_shows_the_small_universe_caveat_and_plots_its_top_sets() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExosciWarning)
        res = ex.cargo.enrich(["miR-146a-5p", "miR-21-5p"], species="rat")
    assert "universe has only" in repr(res) and len(repr(res).splitlines()) < 12
    html = res._repr_html_()
    assert "⚠" in html and "universe has only" in html and "<table" in html
    assert res.to_frame()["set"].tolist() == res.table["set"].tolist()
    ax = res.plot()
    assert ax.collections and "toy universe" in ax.get_title()


def test_release_fit_repr_names_the_best_model_and_plot_draws_data_and_curves() -> None:
    fit = ex.release.fit(EXAMPLES / "release-ha-hydrogel.csv")
    text = repr(fit)
    assert "best:" in text and "descriptive" in text
    assert "⚠" in fit._repr_html_()
    frame = fit.to_frame()
    assert str(frame["rank"].dtype) == "Int64"  # unranked models are missing, not None
    fig, given = plt.subplots()
    ax = fit.plot(ax=given, top=3)
    assert ax is given and len(ax.get_lines()) >= 3  # data + the three best curves


def test_nta_report_completion_lists_its_fields_not_pydantic_helpers(shared: Path) -> None:
    path = sorted((shared / "data/nta/nanosight").glob("*.csv"))[0]
    rep = ex.qc.read_nta(path)
    names = dir(rep)
    assert {"to_frame", "plot", "d50_nm", "concentration_per_ml"} <= set(names)
    assert not {"model_copy", "model_validate_json", "model_json_schema"} & set(names)
    assert "D10/D50/D90" in repr(rep) and rep.sample in repr(rep)
    frame = rep.to_frame()
    assert list(frame.columns) == ["size_nm", "concentration", "sample"] and len(frame) > 10
    ax = rep.plot()
    assert ax.get_lines() and ax.get_xlabel() == "diameter (nm)"


@pytest.mark.slow
def test_evaluation_card_carries_its_flags_and_plot_draws_both_arms_with_bands() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExosciWarning)
        ev = ex.evaluate(EXAMPLES / "iv-bmsc-exos-rat.yaml", samples=40)
    html = ev._repr_html_()
    for flag in ev.flags:
        assert flag["kind"] in html
    frame = ev.to_frame()
    assert set(frame["arm"]) == {"treated", "control"}
    assert (frame["p05"] <= frame["median"]).all() and (frame["median"] <= frame["p95"]).all()
    ax = ev.plot()
    assert len(ax.get_lines()) == 2 and len(ax.collections) == 2  # two medians, two bands
