"""`compare`: species kept apart, paired A − B with its interval, rows named by file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exosci.cli import app
from exosci.evaluate.compare import compare_figure, compare_specs, unique_labels
from exosci.therapy import load_spec, parse_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
IV = EXAMPLES / "iv-bmsc-exos-rat.yaml"
MOUSE = EXAMPLES / "m2-exos-berberine-mouse.yaml"


@pytest.fixture(scope="module")
def mixed() -> dict:
    return compare_specs([load_spec(IV), load_spec(MOUSE)], samples=20, seed=1)


def test_compare_refuses_to_draw_rat_and_mouse_on_one_axis(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt
    import numpy as np

    days = np.arange(5.0)
    curves = [
        ("rat design", "rat", "BBB", 21.0, days, days * 3, days * 2),
        ("mouse design", "mouse", "BMS", 9.0, days, days, days * 0.5),
    ]
    fig = compare_figure(curves)
    try:
        assert len(fig.axes) == 2
        for ax, (label, _, score, top, *_rest) in zip(fig.axes, curves, strict=True):
            names = [line.get_label() for line in ax.get_lines()]
            assert label in names and all(c[0] not in names for c in curves if c[0] != label)
            assert ax.get_ylim()[1] == top and score in ax.get_ylabel()
    finally:
        plt.close(fig)


def test_mixed_species_are_warned_about_and_never_subtracted(mixed: dict) -> None:
    assert mixed["warnings"] and "different scales" in mixed["warnings"][0]
    (diff,) = mixed["differences"]
    assert "delta" not in diff and "different species" in diff["skipped"]
    assert {r["score_name"] for r in mixed["designs"]} == {"BBB", "BMS"}


def test_a_minus_vehicle_equals_the_paired_gain_of_a() -> None:
    # The vehicle's treated arm is the untreated control of the same subjects, so A − vehicle
    # must be A's own paired gain, subject by subject: a check that the draws are shared.
    vehicle = parse_spec(
        {"name": "vehicle", "species": "rat", "route": "intravenous", "dose": {"amount": 0}}
    )
    out = compare_specs([load_spec(IV), vehicle], samples=30, seed=2)
    (diff,) = out["differences"]
    gain = out["designs"][0]["gain"]
    for k in ("median", "p05", "p95"):
        assert diff["delta"][k] == pytest.approx(gain[k], abs=1e-9)
    assert diff["verdict"] == "A better"


def test_identical_designs_are_not_separated_with_a_zero_interval() -> None:
    out = compare_specs([load_spec(IV), load_spec(IV)], samples=20, seed=0)
    (diff,) = out["differences"]
    assert diff["delta"] == {"median": 0.0, "p05": 0.0, "p95": 0.0}
    assert diff["verdict"] == "not separable" and "same design" in diff["verdict_reason"]
    assert diff["a"] != diff["b"]  # repeated names are told apart


def test_repeated_names_get_their_file() -> None:
    assert unique_labels(["A", "A", "B"], ["x.yaml", "y.yaml", "z.yaml"]) == [
        "A (x.yaml)",
        "A (y.yaml)",
        "B",
    ]


def test_cli_compare_names_rows_by_file_and_warns_on_mixed_species(tmp_path: Path) -> None:
    copy = tmp_path / "copy-of-iv.yaml"
    shutil.copy(IV, copy)
    args = ["compare", str(IV), str(copy), str(MOUSE), "--samples", "15"]
    res = CliRunner().invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    names = [r["name"] for r in json.loads(res.stdout)["designs"]]
    assert names[0].endswith("(iv-bmsc-exos-rat.yaml)") and names[1].endswith("(copy-of-iv.yaml)")
    human = CliRunner().invoke(app, args)
    assert human.exit_code == 0, human.output
    assert "warning" in human.stderr and "different species" in human.stdout
