"""The notebook API (``import exosci as ex``): same results as the CLI paths, as DataFrames."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import exosci as ex
from exosci.errors import UnknownNameError

ROOT = Path(__file__).resolve().parents[2]
IV = ROOT / "examples" / "iv-bmsc-exos-rat.yaml"


def test_import_exosci_is_light_no_pandas_or_numba_until_used() -> None:
    code = "import exosci, sys; print(sorted(m for m in ('pandas', 'numba', 'duckdb') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_evaluate_returns_a_frozen_evaluation_with_dataframes(tmp_path: Path) -> None:
    ev = ex.evaluate(IV, samples=40, alternative_samples=20, sensitivity_trajectories=0)
    assert isinstance(ev, ex.Evaluation)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ev._doc = {}  # type: ignore[misc]
    doc = ev.to_dict()
    assert "design_rows" not in doc and {"mechanisms", "prediction", "alternatives"} <= set(doc)
    assert list(ev.mechanisms.index) == list(doc["mechanisms"])
    pred = ev.prediction
    horizon = doc["prediction"]["horizon_days"]
    assert pred.loc[horizon, "gain_median"] == pytest.approx(doc["prediction"]["gain"]["median"])
    doc["prediction"]["gain"]["median"] = 1e9  # a copy: the evaluation is not changed
    assert ev.gain["median"] != 1e9
    assert {"delta_median", "delta_p05", "delta_p95", "verdict"} <= set(ev.alternatives.columns)
    written = ev.to_html(tmp_path / "r.html")
    assert written["html"].read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype")
    from exosci.errors import UserInputError

    with pytest.raises(UserInputError, match="force=True"):
        ev.to_html(tmp_path / "r.html")


@pytest.mark.slow
def test_evaluate_accepts_a_dict_spec_like_the_file() -> None:
    import yaml

    spec = yaml.safe_load(IV.read_text(encoding="utf-8"))
    a = ex.evaluate(spec, samples=20, alternative_samples=10, sensitivity_trajectories=0)
    b = ex.evaluate(IV, samples=20, alternative_samples=10, sensitivity_trajectories=0)
    assert a.gain == b.gain


def test_simulate_is_tidy_and_its_difference_arm_is_paired() -> None:
    df = ex.simulate(IV, samples=30, seed=3)
    assert list(df.columns) == ["day", "arm", "output", "median", "p05", "p95"]
    assert set(df["arm"]) == {"treated", "control", "difference"}
    assert df.attrs["score_name"] == "BBB"
    final = df[df["day"] == df["day"].max()].set_index("arm")
    treated, control = final.loc["treated", "median"], final.loc["control", "median"]
    diff = final.loc[["difference"]]
    # the paired difference is its own distribution, not the difference of medians; it must
    # still lie inside its own band and share the sign of treated - control here
    assert diff["p05"].item() <= diff["median"].item() <= diff["p95"].item()
    assert (treated - control) * diff["median"].item() >= 0


def test_explain_gives_paths_with_references_and_the_result_code() -> None:
    df = ex.explain("BMSC-Exos", to="functional recovery")
    assert df.attrs["result"] == "PATHS_FOUND"
    assert len(df) >= 1 and all(len(r) > 0 for r in df["refs"])
    assert set(df["sign"]) <= {1, -1}
    with pytest.raises(UnknownNameError):  # as the CLI: raised, not in .attrs
        ex.explain("bone marow MSC exosomes", to="angiogenesis")


def test_cargo_enrich_from_a_list_equals_the_file_pipeline(tmp_path: Path) -> None:
    from exosci.cargo import run_enrich

    names = ["miR-21-5p", "miR-146a-5p", "miR-124-3p", "miR-133b"]
    path = tmp_path / "mirnas.txt"
    path.write_text("\n".join(names) + "\n", encoding="utf-8")
    from_file, _ = run_enrich(path, species="rat")
    from_list = ex.cargo.enrich(names, species="rat")
    cols = ["set", "size", "overlap", "pvalue", "qvalue"]
    pd.testing.assert_frame_equal(from_list.table[cols], from_file.table[cols])


def test_cargo_enrich_counts_dataframe_rejects_a_negative_count_by_row_and_column() -> None:
    from exosci.errors import UserInputError

    counts = pd.DataFrame({"s1": [10.0, -1.0]}, index=["miR-21-5p", "miR-124-3p"])
    with pytest.raises(UserInputError, match=r"row 'miR-124-3p', column 's1'"):
        ex.cargo.enrich(counts=counts)


def test_release_fit_on_a_dataframe_equals_the_csv_fit() -> None:
    csv = ROOT / "examples" / "release-ha-hydrogel.csv"
    from_csv = ex.release.fit(csv).to_frame()
    from_df = ex.release.fit(pd.read_csv(csv, comment="#")).to_frame()
    pd.testing.assert_frame_equal(from_csv[["name", "aic"]], from_df[["name", "aic"]])


def test_kb_queries_return_dataframes_with_citations() -> None:
    hits = ex.kb.search("BMSC", limit=5)
    assert list(hits.columns) == ["id", "name", "type", "curie"] and len(hits) > 0
    st = ex.kb.statements("BMSC-Exos")
    assert len(st) > 0 and st["refs"].map(len).gt(0).all()
    prof = ex.kb.profile("BMSC-Exos")
    assert "score" in prof.columns and len(prof) == 5


def test_tab_completion_lists_the_public_api_and_no_import_helpers() -> None:
    """Issue 21 item 2: ``ex.<TAB>`` offered ``annotations, Any, importlib``; ``ex.kb.sea<TAB>``
    nothing until first use (lazy ``__getattr__`` without ``__dir__``)."""
    code = (
        "import exosci as ex, json; "
        "print(json.dumps([dir(ex), dir(ex.kb), dir(ex.reason)]))"
    )  # a fresh interpreter: nothing loaded yet, as in a new notebook
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    top, kb, reason = json.loads(out.stdout)
    assert {"evaluate", "simulate", "explain", "kb", "cargo", "qc", "release"} <= set(top)
    assert not {"annotations", "Any", "importlib"} & set(top)
    assert {"search", "statements", "show", "profile", "outcome_studies"} <= set(kb)
    assert {"mechanism_profile", "signed_graph"} <= set(reason)


def test_caveats_reach_the_notebook_as_exosci_warnings() -> None:
    """Issue 21 item 1: the beyond-range flag and the small-universe caveat were only in
    ``ev.flags`` / ``to_dict()['notes']``; a notebook user never saw them."""
    with pytest.warns(ex.ExosciWarning, match="universe has only"):
        ex.cargo.enrich(["miR-21-5p", "miR-146a-5p"], species="rat")
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ev = ex.evaluate(IV, samples=100)
    issued = [str(w.message) for w in caught if issubclass(w.category, ex.ExosciWarning)]
    assert len(issued) == len(ev.flags), issued  # one warning per flag, whatever the model says
    assert all(f["kind"] in msg for f, msg in zip(ev.flags, issued, strict=True))
