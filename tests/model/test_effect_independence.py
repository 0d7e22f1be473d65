"""Independent deviations (issue 19): different products and modifications never share a draw.

The interval of a paired difference must be as wide as the evidence leaves it. The reference
for "independent draws" is built here without the model's draw machinery: per-subject
potencies from a separate random generator, passed to the engine as fixed factors, on the same
virtual animals. Both tests were run once against the old model (one shared ``z_effect`` scaled
by the design's total log-SD, emulated by replacing ``effect_draws``) and failed there: 90 %
width of NSC - BMSC at day 28 0.81 BBB against 5.96 with independent draws, miR-21-loaded -
native 2.23 against 4.08; the shipped model gives 5.89 and 4.34.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from exosci.evaluate.alternatives import paired_final_scores, subject_draws
from exosci.model import default_parameters
from exosci.model.design import Design, term_normals
from exosci.therapy import parse_spec, resolve_spec

N = 400
DAY = 28


def _design(ex: dict[str, Any]) -> Any:
    spec = {
        "species": "rat",
        "exosome": ex,
        "route": "intravenous",
        "dose": {"amount": 150},
        "timing": {"start_hours_post_injury": 2},
        "horizon_days": DAY,
    }
    return resolve_spec(parse_spec(spec))


def _width(a: Design, b: Design, params: dict[str, Any]) -> float:
    (fa, fb), _ = paired_final_scores([a, b], params, N, control=False)
    d = fa - fb
    return float(np.quantile(d, 0.95) - np.quantile(d, 0.05))


def _fixed(design: Design, potency: np.ndarray) -> Design:
    # per-subject potency as the design's fixed factor (broadcast by the engine), no terms
    return replace(design, potency=potency, effect=())  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def params() -> dict[str, Any]:
    return subject_draws(default_parameters(), N, seed=3)


@pytest.mark.slow
def test_nsc_minus_bmsc_interval_is_as_wide_as_with_independent_product_draws(
    params: dict[str, Any],
) -> None:
    nsc, bmsc = _design({"source": "NSC exosomes"}), _design({"source": "BMSC-Exos"})
    assert {t.entity for t in nsc.effect.terms} != {t.entity for t in bmsc.effect.terms}
    shipped = _width(nsc.design, bmsc.design, params)
    rng = np.random.default_rng(11)
    (tn,), (tb,) = nsc.effect.terms, bmsc.effect.terms
    pn = np.exp(tn.mean + tn.sd * rng.standard_normal(N))
    pb = np.exp(tb.mean + tb.sd * rng.standard_normal(N))
    independent = _width(_fixed(nsc.design, pn), _fixed(bmsc.design, pb), params)
    assert independent > 1.0  # the products' own evidence leaves them far apart
    assert shipped >= 0.85 * independent, (shipped, independent)


@pytest.mark.slow
def test_mir21_loaded_minus_native_interval_is_as_wide_as_with_an_independent_cargo_draw(
    params: dict[str, Any],
) -> None:
    """The two designs share the product's draw (same vesicles); the loaded miR-21 has its own."""
    native, loaded = (
        _design({"source": "BMSC-Exos"}),
        _design({"source": "BMSC-Exos", "cargo": ["miR-21"]}),
    )
    shipped = _width(loaded.design, native.design, params)
    rng = np.random.default_rng(12)
    (prod,) = native.effect.terms
    base = np.exp(prod.mean + prod.sd * rng.standard_normal(N))
    lasting = [t for t in loaded.effect.terms if t.kind == "modifier" and t.channel == "lasting"]
    (cargo,) = lasting
    extra = np.exp(cargo.draw().values(rng.standard_normal(N)))
    independent = _width(_fixed(loaded.design, base * extra), _fixed(native.design, base), params)
    assert independent > 0.3
    assert shipped >= 0.85 * independent, (shipped, independent)


def test_term_draws_are_shared_by_key_and_independent_between_keys() -> None:
    subject = np.random.default_rng(0).standard_normal(20_000)
    a1, a2 = term_normals(subject, "exo:nsc"), term_normals(subject, "exo:nsc")
    b = term_normals(subject, "exo:bmsc")
    np.testing.assert_array_equal(a1, a2)  # same term, same subject: the same draw
    assert abs(np.corrcoef(a1, b)[0, 1]) < 0.03  # different terms: uncorrelated
    assert abs(np.corrcoef(a1, subject)[0, 1]) < 0.03
    assert abs(a1.mean()) < 0.03 and abs(a1.std() - 1.0) < 0.03  # standard normal
    assert term_normals(np.zeros(3), "exo:nsc").tolist() == [0.0, 0.0, 0.0]  # nominal run


def test_two_carriers_do_not_share_one_retention_draw(params: dict[str, Any]) -> None:
    """Carrier retention deviates per carrier (its own draw): swapping the carrier's identity
    alone changes subjects' outcomes both ways; the same carrier twice changes nothing. (With
    one shared retention draw, as before, the swap gave exactly 0 for every subject.)"""
    res = resolve_spec(
        parse_spec(
            {"species": "rat", "exosome": {"source": "BMSC-Exos"}, "route": "local implantation",
             "carrier": "hyaluronic acid hydrogel", "dose": {"amount": 50}, "horizon_days": DAY}
        )
    )  # fmt: skip
    d = res.design
    assert d.carrier == "mat:hyaluronic-acid-hydrogel"
    n = 120
    sub = {k: v[:n] for k, v in params.items()}
    (a, b, c), _ = paired_final_scores(
        [d, replace(d, carrier="mat:collagen-scaffold"), d], sub, n, control=False
    )
    np.testing.assert_array_equal(a, c)
    diff = b - a
    # both ways and not all zero (one shared draw gave exactly 0); the size is small because a
    # local depot of this dose nearly saturates the lesion
    assert (diff > 0).any() and (diff < 0).any()
    assert np.quantile(diff, 0.95) - np.quantile(diff, 0.05) > 0.01
