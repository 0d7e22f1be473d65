"""Biology the model must get right, each checked on the model's own dynamics (issue 10).

Where a test notes a deliberately wrong model, it was run against it once and failed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from exosci.errors import UserInputError
from exosci.model import Design, Release, reference_design
from exosci.model.design import EffectDraw
from exosci.model.effect import (
    STUDY_COLUMNS,
    TAU_MODIFIER,
    combine,
    modifier_term,
    modifier_terms,
    outcome_studies,
    product_term,
)
from exosci.model.posterior import calibrated_table
from exosci.model.simulate import paired_run
from exosci.therapy import parse_spec, resolve_spec

HA = Release("first_order", {"k": 0.164}, 0.9)  # IJMS 2021;22:6203: HA gel, 14 days


def _nominal(**over: float) -> dict[str, np.ndarray]:
    """The calibrated model: posterior medians of the calibrated parameters, table values else."""
    p = {k: np.asarray([v]) for k, v in calibrated_table().nominal().items()}
    p.update({k: np.asarray([v]) for k, v in over.items()})
    return p


def _run(design: Design, **over: float) -> tuple[np.ndarray, dict[str, Any], dict[str, Any]]:
    days, tr, ct = paired_run(design, _nominal(**over), 1)
    return days, tr, ct


def _gain(design: Design, day: float, **over: float) -> float:
    days, tr, ct = _run(design, **over)
    i = int(np.searchsorted(days, day))
    return float(tr["score"][i, 0] - ct["score"][i, 0])


@pytest.mark.parametrize("dose", [2.0, 20.0, 200.0])
def test_depot_gives_at_least_the_exposure_and_gain_of_a_free_local_bolus(dose: float) -> None:
    """Carriers raise lesion retention and protect vesicles (the review, 4.1 and Table 3).

    Wrong model tried: carrier_retention = 0 (the depot only delays exposure): at 2 ug the
    depot's day-42 gain fell to 2.02 vs the bolus' 3.19, failing.
    """
    depot = Design(route="local", dose_ug=dose, release=HA)
    bolus = Design(route="local", dose_ug=dose)
    d_days, d_tr, _ = _run(depot)
    _, b_tr, _ = _run(bolus)
    assert d_tr["lesion_auc"][-1, 0] >= b_tr["lesion_auc"][-1, 0]
    # a depot is never worse; once the lesion is saturated (200 ug placed locally) the two are
    # equal to within 0.01 BBB (the depot releases later, the bolus hits the acute window)
    for day in (28.0, 42.0):
        assert _gain(depot, day) >= _gain(bolus, day) - 0.01


def test_untreated_day42_spread_is_between_animal_spread() -> None:
    """Untreated moderate contusion, day 42: between-animal SD 1.2-2.5 BBB (vehicle arms).

    Only the per-animal random effect varies here (population parameters at their values), so
    the spread is the between-animal one, not the uncertainty of the mean.
    """
    table = calibrated_table()
    assert table.by_role("animal") == ["animal_z"]
    n = 400
    z = np.random.default_rng(1).standard_normal(n)
    p: dict[str, Any] = {k: np.full(n, v) for k, v in table.nominal().items()}
    p["animal_z"] = z
    _, _, ct = paired_run(Design(dose_ug=0.0), p, n, outputs=("score",))
    day42 = ct["score"][42]
    assert 8.0 <= float(np.median(day42)) <= 12.5  # Basso 1996 moderate plateau
    assert 1.2 <= float(np.std(day42)) <= 2.5


def test_gain_plateaus_after_week_4() -> None:
    """The pooled effect plateaus: 4.44 at week 3, 4.54 at week 4 (40-study NMA)."""
    ref = reference_design()
    g21, g28, g42 = (_gain(ref, d) for d in (21.0, 28.0, 42.0))
    assert g28 > 0.5
    assert abs(g42 - g28) <= max(0.5, 0.12 * g28)
    assert g28 >= 0.9 * g21


def test_untreated_states_stay_bounded_scar_persists_and_regrowth_is_limited() -> None:
    days, tr, ct = _run(reference_design())
    for arm in (tr, ct):
        for name in ("barrier", "vessels", "neurons", "scar", "axons", "function"):
            assert np.all(arm[name] >= -1e-9) and np.all(arm[name] <= 1 + 1e-9), name
    assert ct["axons"][42, 0] < 0.6 and tr["axons"][42, 0] < 0.6
    assert ct["scar"][42, 0] >= 0.85 * ct["scar"][14, 0]  # CSPG scar persists for months


def test_severity_orders_recovery_and_mouse_bms_plateau() -> None:
    finals = [_run(Design(severity=s))[2]["score"][42, 0] for s in (0.6, 1.0, 1.4)]
    assert finals[0] > finals[1] > finals[2]
    mouse = _run(Design(species="mouse"))[2]["score"]
    assert 3.0 <= mouse[42, 0] <= 5.0  # Basso 2006: untreated moderate BMS ~3-5 of 9


def test_dose_response_is_monotone_and_saturating() -> None:
    """Higher dose never lowers the gain; each further increment adds less.

    Wrong model tried: ec50 = 1e4 ug (no saturation over the range): increments grew, failing.
    """
    doses = [25.0, 100.0, 400.0, 1600.0]
    gains = [_gain(replace(reference_design(), dose_ug=d), 28.0) for d in doses]
    assert all(b > a for a, b in zip(gains, gains[1:], strict=False))
    steps = np.diff(gains)
    assert np.all(np.diff(steps) < 0)


def test_three_doses_of_200_not_worse_than_one_of_600_except_for_the_acute_window() -> None:
    """Local doses: splitting is not worse (the lesion saturates). IV: the stated reason.

    Intravenously, the later doses of a split arrive after the acute window of secondary injury
    (and with a closing barrier), so 3 x 200 ug may trail 1 x 600 ug, but by no more than what
    a day's delay costs a 200-ug dose, and repeating a dose always adds to a single one.
    """
    h = 1 / 24
    three = {"dose_ug": 200.0, "dose_times_days": (h, 1 + h, 2 + h)}
    one = {"dose_ug": 600.0, "dose_times_days": (h,)}
    local = Design(route="local")
    assert _gain(replace(local, **three), 42) >= _gain(replace(local, **one), 42) - 0.01
    iv = reference_design()
    split = _gain(replace(iv, **three), 42)
    single = _gain(replace(iv, **one), 42)
    first = _gain(replace(iv, dose_ug=200.0, dose_times_days=(h,)), 42)
    delayed = _gain(replace(iv, dose_ug=200.0, dose_times_days=(1 + h,)), 42)
    assert split > first
    # later IV doses cross a closing barrier, so a split may trail one large dose, but only a
    # little (within the acute day the calibrated model has no timing preference, issue 19:
    # a day's delay no longer serves as the yardstick)
    assert split >= 0.9 * single
    assert abs(first - delayed) <= 0.25 * first  # 1 h vs 25 h: no structural factor of two


def test_later_start_beyond_the_acute_window_gives_smaller_gain_within_it_no_twofold() -> None:
    """After the acute window (day 3, day 7) a first dose gains less: it misses the secondary
    injury it would have limited. Within 30 min-24 h the pooled data do not say which is better
    (issue 19: the old model decided, with no data, that 1 h worked twice as well as 24 h), so
    the calibrated model's 1 h and 24 h gains stay within a factor 1.25 of each other."""
    gains = {
        h: _gain(replace(reference_design(), dose_times_days=(h / 24,)), 42.0)
        for h in (1, 24, 72, 168)
    }
    assert gains[24] > gains[72] > gains[168]
    assert 0.8 <= gains[24] / gains[1] <= 1.25


def test_vesicle_free_design_equals_control_by_the_dynamics() -> None:
    """Potency 0 (no cargo): the dose moves through carrier and lesion but changes nothing."""
    design = Design(route="local", dose_ug=200.0, release=HA, potency=0.0)
    _, tr, ct = _run(design)
    assert tr["lesion_auc"][-1, 0] > 10.0
    # equal up to the solver's stated accuracy on the score (~5e-4 BBB at the default rtol:
    # the dosed run takes different steps); any real effect is hundreds of times larger
    np.testing.assert_allclose(tr["score"], ct["score"], atol=1e-3)


def test_thin_evidence_widens_the_band() -> None:
    """Fewer outcome studies -> larger SD of the product's effect -> wider gain band."""
    import pandas as pd

    rows = [
        {
            "product": "exo:x",
            "ref": str(i),
            "species": "rat",
            "model": "in_vivo",
            "outcome": "locomotor",
            "direction": "improved",
            "comparator": "control",
            "bbb_difference": float("nan"),
            "day": float("nan"),
        }
        for i in range(6)
    ]
    many = product_term(pd.DataFrame(rows), "exo:x", source="src:bmsc")
    none = product_term(pd.DataFrame(rows[:0], columns=list(rows[0])), "exo:x", source="src:bmsc")
    assert none.sd > many.sd
    n = 300
    z = np.random.default_rng(2).standard_normal(n)
    widths = []
    for sd in (many.sd, none.sd):
        p: dict[str, Any] = {k: np.full(n, v) for k, v in calibrated_table().nominal().items()}
        p["z_effect"] = z
        design = replace(reference_design(), effect=(EffectDraw("exo:x", 0.0, sd),))
        _, tr, ct = paired_run(design, p, n, outputs=("score",))
        g = tr["score"][28] - ct["score"][28]
        widths.append(float(np.quantile(g, 0.95) - np.quantile(g, 0.05)))
    assert widths[1] > widths[0]


SOURCES = ["BMSC-Exos", "AD-MSC exosomes", "UC-MSC exosomes", "NSC exosomes"]


def _spec(source: str, **extra: Any) -> Any:
    ex = {"source": source, **extra}
    return parse_spec(
        {
            "species": "rat",
            "exosome": ex,
            "route": "intravenous",
            "dose": {"amount": 150},
            "timing": {"start_hours_post_injury": 2},
        }
    )


def test_no_source_differs_from_bmsc_beyond_the_meta_analytic_interval() -> None:
    """40-study NMA: no significant difference among BMSC, AD-MSC, UC-MSC and NSC exosomes.

    The week-4 pooled CI is 3.42-5.66 (half-width 1.12 BBB): no source's predicted week-4 gain
    may differ from BMSC's by more.
    """
    gains = {s: _gain(resolve_spec(_spec(s)).design, 28.0) for s in SOURCES}
    for s, g in gains.items():
        assert abs(g - gains["BMSC-Exos"]) < 1.12, (s, gains)


def test_mir21_loaded_bmsc_exos_differ_from_plain_with_their_reason() -> None:
    plain = resolve_spec(_spec("BMSC-Exos"))
    loaded = resolve_spec(_spec("BMSC-Exos", cargo=["miR-21"]))
    mods = [t for t in loaded.effect.terms if t.kind == "modifier"]
    assert {t.entity for t in mods} == {"mir:mir-21"} and all(t.reason for t in mods)
    assert {t.channel for t in mods} == {"lasting", "early"}  # each part with its own draw
    assert loaded.design.log_sd > plain.design.log_sd
    assert any("miR-21" in n for n in loaded.notes)


def test_a_modifier_can_do_nothing_or_harm() -> None:
    """Prior centred on no effect; evidence against the native product lowers it."""
    import pandas as pd

    cols = list(STUDY_COLUMNS)
    empty = pd.DataFrame([], columns=cols)
    assert modifier_term(empty, "int:x").mean == 0.0
    worse = pd.DataFrame(
        [["exo:x-mod", "1", "rat", "in_vivo", "locomotor", "worse", "native", np.nan, np.nan]],
        columns=cols,
    )
    harm = modifier_term(worse, "int:x", modified_products=["exo:x-mod"])
    assert harm.mean < 0
    assert combine([harm]).median_potency < 1.0


def test_hypoxia_acts_through_its_own_evidence_only() -> None:
    """Studies of hypoxic vesicles against untreated controls cannot separate hypoxia from the
    vesicles: alone they leave the prior; the head-to-head (ref 24, hypoxic vs normoxic MSC
    exosomes) sets the direction, the magnitude stays the prior's."""
    from exosci.kb import default_kb

    studies = outcome_studies(default_kb())
    without = studies[studies["ref"] != "24"]
    prior = modifier_term(without, "int:hypoxia", modified_products=["exo:bmsc-hypoxia"])
    assert prior.studies and prior.mean == 0.0 and prior.sd == TAU_MODIFIER
    term = modifier_term(studies, "int:hypoxia", modified_products=["exo:bmsc-hypoxia"])
    assert term.basis == "direction only" and term.p_positive is not None
    assert term.p_positive > 0.85 and term.mean > 0
    assert "half-normal" in term.reason and "assumption" in term.reason


@pytest.mark.parametrize(
    ("route", "carrier"),
    [("intravenous", "hyaluronic acid hydrogel"), ("intranasal", "collagen scaffold")],
)
def test_depot_carrier_with_a_systemic_route_is_refused(route: str, carrier: str) -> None:
    spec = parse_spec(
        {
            "exosome": {"source": "BMSC-Exos"},
            "route": route,
            "carrier": carrier,
            "dose": {"amount": 100},
        }
    )
    with pytest.raises(UserInputError, match="local implantation"):
        resolve_spec(spec)


def test_fitted_carrier_block_is_accepted_exactly_as_written() -> None:
    pytest.importorskip("exosci.release")
    spec = parse_spec(
        {
            "exosome": {"source": "BMSC-Exos"},
            "route": "local implantation",
            "dose": {"amount": 100},
            "carrier": {
                "name": "fitted carrier",
                "release": {"model": "first_order", "params": {"k": 0.5}, "time_unit": "day"},
            },
        }
    )
    r = resolve_spec(spec)
    assert r.design.release is not None and r.design.release.fitted
    assert any("fitted carrier" in n for n in r.notes)


def _terms(ex: dict[str, Any]) -> dict[str, Any]:
    r = resolve_spec(parse_spec({"exosome": ex, "route": "intravenous", "dose": {"amount": 150}}))
    return {t.key: t for t in r.effect.terms}


def test_modifier_terms_read_the_outcome_table() -> None:
    """Hypoxia: the hypoxic-vs-normoxic study (ref 24) raises its term; a cargo the vesicles
    carry naturally, named in the spec, is an enrichment with its own term (not dropped); a
    loaded drug is a modification (with its study, ref 139)."""
    hyp = _terms({"source": "bone marrow MSC", "preconditioning": ["hypoxia"]})["int:hypoxia"]
    assert hyp.mean > 0 and any(s.get("ref") == "24" for s in hyp.studies)
    natural = _terms(
        {"source": "bone marrow MSC", "preconditioning": ["hypoxia"], "cargo": ["miR-146a-5p"]}
    )
    assert "naturally" in natural["mir:mir-146a-5p"].reason
    loaded = _terms({"source": "M2 macrophage", "cargo": ["berberine"]})
    assert "chem:berberine" in loaded
    assert any(s.get("ref") == "139" for s in loaded["chem:berberine"].studies)


def test_an_early_only_advantage_fades_by_day_28() -> None:
    """The structure can express the early advantage that fades (faster return of function
    from the tissue that survived, no extra tissue): large at days 3-7, gone by day 28.

    Wrong model tried: early potency added to the lasting potency: the day-28 difference was
    as large as the day-7 one, failing.
    """
    ref = reference_design()
    early = replace(ref, effect=(EffectDraw("x#early", float(np.log(2.0)), 0.0, "early"),))
    d7 = _gain(early, 7) - _gain(ref, 7)
    d28 = _gain(early, 28) - _gain(ref, 28)
    assert d7 > 0.5
    # by day 28 it has fallen to under a third of its day-7 size and under the 1-point margin
    # of a verdict (the network meta-analysis found no significant difference by then)
    assert abs(d28) < min(1.0, d7 / 3)


def test_a_modifier_with_early_outcomes_only_goes_to_the_early_channel() -> None:
    import pandas as pd

    cols = [
        *STUDY_COLUMNS,
        "level",
        "modifiers",
    ]
    rows = pd.DataFrame(
        [
            [
                "exo:y",
                "9",
                "rat",
                "in_vivo",
                "early functional recovery",
                "improved",
                "native exosomes",
                np.nan,
                np.nan,
                "outcome",
                frozenset({"int:y"}),
            ]
        ],
        columns=cols,
    )
    lasting, early = modifier_terms(rows, "int:y")
    assert lasting.basis == "prior only" and lasting.mean == 0.0
    assert early.channel == "early" and early.mean > 0
    eff = combine([lasting, early])
    assert eff.median_potency == 1.0 and eff.early_potency > 0
