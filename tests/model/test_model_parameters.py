"""Parameter provenance: every value has a unit, a prior and a source; the set is coherent."""

from __future__ import annotations

import math

from exosci.model import default_parameters
from exosci.model.equations import parameter_names


def test_every_parameter_has_unit_prior_and_source() -> None:
    for p in default_parameters().params.values():
        assert p.unit and p.source and p.description, p.name
        assert p.dist in ("lognormal", "uniform", "normal", "fixed"), p.name
        if p.dist in ("lognormal", "uniform"):
            assert p.low is not None and p.high is not None and p.low < p.high, p.name
            assert p.low <= p.value <= p.high, f"{p.name}: nominal outside its prior range"


def test_free_parameters_are_few_and_identifiable_from_the_calibration_targets() -> None:
    """The calibration fits the pooled effect, its persistence, the untreated recovery rate and
    plateau, and the between-animal SD: one parameter per kind of target."""
    free = set(default_parameters().free)
    assert free == {"g_eff", "t_half_polarization", "k_plast", "f50_rat", "animal_sd"}


def test_random_effects_are_standard_normal_draws() -> None:
    t = default_parameters()
    assert t.by_role("animal") == ["animal_z"] and t.by_role("design") == ["z_effect"]
    for name in ("animal_z", "z_effect"):
        p = t.params[name]
        assert p.dist == "normal" and p.value == 0.0 and p.low == 1.0


def test_frac_alpha_agrees_with_the_cited_mean_residence_time() -> None:
    """Kim et al. 2019: MRT 3.40 h (125I); with the cited half-lives the bi-exponential's MRT
    (A/a^2 + B/b^2) / (A/a + B/b) must come out near it (the review found 0.8 gave 7.6 h)."""
    t = default_parameters().nominal()
    a = math.log(2) / t["t_half_alpha"]
    b = math.log(2) / t["t_half_beta"]
    fa = t["frac_alpha"]
    mrt_min = (fa / a**2 + (1 - fa) / b**2) / (fa / a + (1 - fa) / b)
    assert 2.5 <= mrt_min / 60 <= 4.5


def test_particle_conversion_is_not_cited_to_a_purity_classification() -> None:
    src = default_parameters().params["particles_per_ug"].source
    assert src.startswith("assumption")


def test_pooled_meta_analysis_is_cited_by_title_and_journal() -> None:
    src = default_parameters().params["g_eff"].source
    assert "Cytotherapy 2024;26(1):1-10" in src and "network meta-analysis" in src


def test_carrier_defaults_are_graph_entities() -> None:
    """A carrier default the graph cannot resolve (the former chitosan row) is dead weight."""
    from exosci.kb import default_kb

    ents = default_kb().curated.entities
    for cid in default_parameters().carriers:
        assert cid == "default_material" or cid in ents, cid


def test_every_formula_symbol_is_a_table_or_derived_parameter() -> None:
    from exosci.model.design import reference_design
    from exosci.model.equations import derive

    p = derive(default_parameters().nominal(), reference_design())
    assert [n for n in parameter_names() if n not in p] == []


def test_model_doc_names_every_state_and_intermediate() -> None:
    """docs/model.md explains each model symbol (so it cannot silently go stale)."""
    import re
    from pathlib import Path

    from exosci.model.equations import INTERMEDIATES, STATES

    doc = (Path(__file__).resolve().parents[2] / "docs" / "model.md").read_text("utf-8")
    code = set(re.findall(r"`([^`]+)`", doc))
    words = set()
    for c in code:
        words |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", c))
    missing = [s.name for s in STATES if s.name not in words]
    missing += [n for n, _ in INTERMEDIATES if n not in words]
    assert missing == []
    free = default_parameters().free
    assert all(f"`{n}`" in doc for n in free)
