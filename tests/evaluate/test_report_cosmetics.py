"""What a reader sees in the evaluation report (issue 23 item 8): whole sensitivity labels,
the delivery plot over the whole horizon, numbers under their headers, one name per axis,
parameter values written as numbers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from exosci.evaluate import evaluate
from exosci.evaluate import render as rd
from exosci.therapy import load_spec

MAIN = Path(__file__).resolve().parents[2] / "examples" / "hypoxia-bmsc-ha-hydrogel-rat.yaml"


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return evaluate(load_spec(MAIN), samples=30, seed=1, alternative_samples=10)


def _figures(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Capture the figures the plot functions draw instead of their PNG bytes."""
    drawn: list[Any] = []
    monkeypatch.setattr(rd, "_png", lambda fig: drawn.append(fig) or b"png")
    return drawn


def test_sensitivity_labels_are_whole_words_with_balanced_brackets(
    doc: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = _figures(monkeypatch)
    rd.plot_sensitivity(doc)
    shown = [t.get_text() for t in drawn[0].axes[0].get_yticklabels()]
    wanted = [r["label"] for r in doc["sensitivity"]["top"][:10]]
    assert [" ".join(s.split()) for s in shown] == wanted  # nothing cut ("…functional threshol")
    assert all(s.count("(") == s.count(")") for s in shown)


def test_delivery_plot_spans_the_whole_horizon(
    doc: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = _figures(monkeypatch)
    rd.plot_delivery(doc)
    line = drawn[0].axes[0].get_lines()[0]
    assert max(line.get_xdata()) >= doc["prediction"]["horizon_days"] - 1e-9


def test_report_tables_read_as_their_headers_say(doc: dict[str, Any]) -> None:
    html = rd.render_html(doc, dict.fromkeys(("delivery", "mechanisms", "recovery", "sensitivity")))
    # numeric columns: header aligned like its values (they sat under the neighbouring header)
    assert re.search(r"th\.num[^{]*\{[^}]*text-align:\s*right", html) or re.search(
        r"td\.num,\s*th\.num\s*\{[^}]*text-align:\s*right", html
    )
    table = html[html.index("studies (for / against)") :][:3000]
    assert "ECM / scar" in table and ">ecm<" not in table  # the chart's name for the axis
    assert "10000000000.0" not in html and "1 × 10¹⁰" in html


def test_values_are_written_as_numbers() -> None:
    assert rd.fmt_value(1e10) == "1 × 10¹⁰"
    assert rd.fmt_value(2.5e-5) == "2.5 × 10⁻⁵"
    assert rd.fmt_value(0.25) == "0.25"
    assert rd.fmt_value(42) == "42"
    assert rd.fmt_value("n/a") == "n/a"


def test_parameter_descriptions_are_whole() -> None:
    """An unquoted comma in a flow mapping of parameters.yaml ended the description there
    ("functional tissue giving half the BBB maximum (rat") and made a stray key of the rest."""
    import yaml

    from exosci.model.parameters import default_parameters

    table = default_parameters().params
    assert all(p.description.count("(") == p.description.count(")") for p in table.values())
    raw = yaml.safe_load(
        (Path(rd.__file__).parents[1] / "model" / "parameters.yaml").read_text("utf-8")
    )
    stray = [k for row in raw["parameters"] for k, v in row.items() if v is None]
    assert stray == []
