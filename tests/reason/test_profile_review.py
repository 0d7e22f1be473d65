"""The profile on the curated graph: top studies a reader can check in the review, no hub-carried
axis, opposing chains shown as opposing, evidence gathered upward only."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from exosci.cli import app
from exosci.kb.store import default_kb
from exosci.reason.profile import AXES, mechanism_profile, profile_of

runner = CliRunner()

# (name as the review writes it, axis, references the review cites for that product and effect)
TOP_STUDIES = [
    ("BMSC-Exos", "axon_regeneration", {72, 73, 74, 121}),  # 3.2, 3.5
    ("BMSC-Exos", "inflammation", {73, 121}),  # 3.2 (M2 microglia), 3.5
    ("BMSC-Exos", "ecm", {121}),  # 3.5: fewer A1 astrocytes, less glial scar
    ("UC-MSC-Exos", "neuroprotection", {59, 64}),  # 3.1
    # 3.5: CSPG down (122); 130: less scar per the cited abstract (audit added the outcome)
    ("UC-MSC-Exos", "ecm", {122, 130}),
    # 3.4: BSCB repair (111); 59: the cited paper's own in vivo result is angiogenesis (abstract)
    ("UC-MSC-Exos", "angiogenesis_bscb", {59, 111}),
    ("AD-MSC-Exos", "neuroprotection", {54}),  # 3.1
    ("NSC-Exos", "axon_regeneration", {76, 163, 164, 165}),  # 3.2 and Table 1 (claims)
    ("M2-Exos", "angiogenesis_bscb", {36}),  # 3.4
    ("Schwann cell exosomes", "inflammation", {55, 98}),  # 3.1, 3.3
    ("Schwann cell exosomes", "neuroprotection", {55, 98}),
    ("hypoxic BMSC sEV", "inflammation", {47}),  # section 2
]


@pytest.fixture(scope="module")
def kb():
    return default_kb()


@pytest.mark.parametrize(("name", "axis", "refs"), TOP_STUDIES)
def test_top_supporting_study_is_one_the_review_cites_for_it(kb, name, axis, refs) -> None:
    _, prof = profile_of(kb, name)
    ax = prof.axes[axis]
    assert ax.score > 0
    best = ax.supporting[0]
    assert set(best["studies"]) <= refs, (best["studies"], best["path"])
    assert ax.n_support >= 1 and ax.confidence != "none"


def test_hypoxic_bmsc_sev_get_no_ecm_score_from_the_inflammation_hub(kb) -> None:
    _, prof = profile_of(kb, "hypoxic BMSC sEV")
    assert prof.axes["ecm"].score == 0
    assert all(e["indirect"] for e in prof.axes["ecm"].supporting)
    # and their own evidence only: nothing observed for their parent, BMSC exosomes
    for axis in AXES:
        assert {e["observed_for"] for e in prof.axes[axis].evidence} <= {"exo:bmsc-hypoxia"}


def test_generic_product_gathers_labelled_evidence_from_specific_products(kb) -> None:
    _, prof = profile_of(kb, "BMSC-Exos")
    assert {"exo:bmsc-hypoxia", "exo:cd271-cd56-bmsc"} <= set(prof.gathered)
    observed = {e["observed_for"] for a in AXES for e in prof.axes[a].evidence}
    assert "exo:cd271-cd56-bmsc" in observed
    msc = mechanism_profile(kb, ["exo:msc"])
    assert msc.axes["axon_regeneration"].score >= prof.axes["axon_regeneration"].score


def test_no_axis_of_any_product_is_carried_by_a_single_generic_hub_edge(kb) -> None:
    ents = kb.curated.entities
    for pid, ent in ents.items():
        if ent.type != "exosome":
            continue
        prof = mechanism_profile(kb, [pid])
        for axis in AXES:
            ax = prof.axes[axis]
            if ax.score == 0:
                continue
            common = None
            for item in ax.supporting:
                hubs = {
                    (d["from"], d["to"])
                    for d in item["edges"]
                    if d["grade"] != "experimental"
                    and not d["axis_definition"]
                    and ents[d["from"]].type in ("process", "pathway")
                }
                common = hubs if common is None else common & hubs
            assert not common, f"{pid} {axis} rests on {sorted(common)}"


def test_opposing_chains_are_shown_as_opposing_in_json_and_cli() -> None:
    res = runner.invoke(app, ["kb", "profile", "astrocyte exosomes", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    ecm = doc["axes"]["ecm"]
    assert ecm["best_opposing"]["sign"] == -1 and ecm["best_supporting"] is None
    assert ecm["score"] == 0 and ecm["n_oppose"] >= 1
    table = runner.invoke(app, ["kb", "profile", "astrocyte exosomes"])
    assert table.exit_code == 0 and "↓" in table.stdout


def test_outcome_table_rows_join_the_profile_once_per_study(kb) -> None:
    # Ref 59 reports nerve regeneration for CD146+CD271+ UC-MSC sEV (outcome table) but the
    # graph has no chain from them to axon growth: the table row adds the study.
    _, prof = profile_of(kb, "UC-MSC-Exos")
    ax = prof.axes["axon_regeneration"]
    rows = [e for e in ax.supporting if e.get("from_table")]
    assert any(e["studies"] == [59] for e in rows)
    studies = [tuple(e["studies"]) for e in ax.evidence if e["kind"] == "study"]
    assert len(studies) == len(set(studies))  # a study counts once
