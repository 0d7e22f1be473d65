"""The model registry: one declaration per model, complete metadata, sane curves."""

from __future__ import annotations

import numpy as np
import pytest

from exosci.errors import UnknownNameError
from exosci.release import MODELS, get_model

EXPECTED = {
    "zero_order",
    "first_order",
    "higuchi",
    "korsmeyer_peppas",
    "hixson_crowell",
    "hopfenberg",
    "baker_lonsdale",
    "peppas_sahlin",
    "weibull",
    "makoid_banakar",
    "gompertz",
    "logistic",
}


def test_registry_holds_the_issue_library() -> None:
    assert set(MODELS) == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metadata_is_complete(name: str) -> None:
    m = MODELS[name]
    assert "Zhang et al., AAPS J 2010;12:263" in m.doc and "DDSolver" in m.doc
    assert m.formula.startswith("F =") or "= k" in m.formula
    assert len(set(m.param_names)) == m.n_params >= 1
    for p in m.params:
        assert p.lower < p.upper and p.unit and p.meaning


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_curves_start_at_zero_and_rise(name: str) -> None:
    m = MODELS[name]
    mid = {p.name: float(np.sqrt(max(p.lower, 1e-3) * min(p.upper, 10.0))) for p in m.params}
    if name == "peppas_sahlin":
        mid["k2"] = 0.0
    t = np.linspace(0, 1.0, 50)
    f = m.percent(t, mid)
    assert f[0] == pytest.approx(0.0, abs=1e-9)
    assert np.all(np.isfinite(f)) and f[-1] > 0


def test_forgiving_lookup() -> None:
    assert get_model("Korsmeyer–Peppas").name == "korsmeyer_peppas"
    assert get_model("first-order").name == "first_order"
    with pytest.raises(UnknownNameError, match="higuchi"):
        get_model("higuchy")
