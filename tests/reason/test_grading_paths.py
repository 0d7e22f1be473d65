"""Paths are credited link by link: a chain is as certain as its weakest link, in vivo only when
every link is, and credits the studies of every link; co-therapies decide what a study credits."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from exosci.cli import app
from exosci.kb.schema import Entity, Evidence, Statement
from exosci.kb.store import default_kb
from exosci.reason.explain import explain
from exosci.reason.graph import kb_from_records
from exosci.reason.profile import mechanism_profile

runner = CliRunner()


def _ev(ref: int, model: str, **kw: object) -> Evidence:
    return Evidence(
        refs=[ref],
        model=model,  # type: ignore[arg-type]
        species="mouse",
        grade="experimental",
        injury_model=kw.pop("injury_model", "contusion" if model == "in_vivo" else "in_vitro"),  # type: ignore[arg-type]
        text="t",
        **kw,  # type: ignore[arg-type]
    )


ENTS = [
    Entity(id="exo:a", name="a", type="exosome"),
    Entity(id="rna:r", name="r", type="rna"),
    Entity(id="pw:p", name="p", type="pathway"),
    Entity(id="proc:axon-growth", name="axon growth", type="process"),
    Entity(id="mech:axon-regeneration", name="axon regeneration", type="mechanism"),
    Entity(id="int:x", name="exercise", type="intervention"),
]
AXIS = Statement(
    id="def",
    subject="proc:axon-growth",
    predicate="promotes",
    object="mech:axon-regeneration",
    evidence=[Evidence(refs=[66], model="review", text="t")],
)


def _chain(last_model: str) -> list[Statement]:
    return [
        Statement(id="s1", subject="exo:a", predicate="carries", object="rna:r",
                  evidence=[_ev(54, "in_vivo")]),
        Statement(id="s2", subject="rna:r", predicate="activates", object="pw:p",
                  evidence=[_ev(57, "in_vivo")]),
        Statement(id="s3", subject="pw:p", predicate="promotes", object="proc:axon-growth",
                  evidence=[_ev(73, last_model)]),
        AXIS,
    ]  # fmt: skip


def test_a_chain_credits_every_link_and_is_in_vivo_only_if_every_link_is() -> None:
    kb = kb_from_records(ENTS, _chain("in_vitro"), backend="memory")
    (item,) = mechanism_profile(kb, ["exo:a"]).axes["axon_regeneration"].evidence
    assert item["studies"] == [54, 57, 73]  # not study 54 alone
    assert item["in_vivo"] is False  # the last link is a cell-culture result
    assert item["certainty"] == "low"  # the in vitro link's (high - 2)
    assert any("in vitro" in r and "p → axon growth" in r for r in item["certainty_reasons"])
    vivo = kb_from_records(ENTS, _chain("in_vivo"), backend="memory")
    (item,) = mechanism_profile(vivo, ["exo:a"]).axes["axon_regeneration"].evidence
    assert item["in_vivo"] is True and item["certainty"] == "moderate"


def test_a_chain_weighs_its_weakest_link() -> None:
    strong = mechanism_profile(
        kb_from_records(ENTS, _chain("in_vivo"), backend="memory"), ["exo:a"]
    )
    weak = mechanism_profile(kb_from_records(ENTS, _chain("in_vitro"), backend="memory"), ["exo:a"])
    assert strong.axes["axon_regeneration"].support == pytest.approx(0.9)
    assert weak.axes["axon_regeneration"].support == pytest.approx(0.45)


def test_a_non_sci_link_halves_the_chain_and_lowers_its_certainty() -> None:
    sts = _chain("in_vivo")
    sts[0] = sts[0].model_copy(
        update={"evidence": [_ev(54, "in_vivo", injury_model="autism_btbr")]}
    )
    ax = mechanism_profile(kb_from_records(ENTS, sts, backend="memory"), ["exo:a"]).axes[
        "axon_regeneration"
    ]
    assert ax.support == pytest.approx(0.45)
    assert ax.evidence[0]["certainty"] == "low"
    assert any("autism model" in r for r in ax.evidence[0]["certainty_reasons"])


def test_a_result_with_a_co_therapy_credits_the_combination_only() -> None:
    sts = [
        Statement(id="c", subject="exo:a", predicate="promotes", object="proc:axon-growth",
                  evidence=[_ev(74, "in_vivo", co_therapy=["int:x"])]),
        AXIS,
    ]  # fmt: skip
    kb = kb_from_records(ENTS, sts, backend="memory")
    assert mechanism_profile(kb, ["exo:a"]).axes["axon_regeneration"].score == 0
    combo = mechanism_profile(kb, ["exo:a", "int:x"]).axes["axon_regeneration"]
    assert combo.score > 0 and combo.evidence[0]["studies"] == [74]


# ----------------------------------------------------------------------- the shipped graph


def test_hypoxic_msc_angiogenesis_drops_once_ref_46_is_a_review_claim() -> None:
    # was 0.44 when the review's hypoxia sentence (ref 46) was graded as an in vivo experiment
    ax = mechanism_profile(default_kb(), ["exo:msc-hypoxia"]).axes["angiogenesis_bscb"]
    assert ax.score == pytest.approx(0.3 / 1.3)
    assert ax.confidence == "very low"


def test_bmsc_neuroprotection_no_longer_counts_the_exercise_combination_alone() -> None:
    kb = default_kb()
    alone = mechanism_profile(kb, ["exo:bmsc"]).axes["neuroprotection"]
    assert all(74 not in e["studies"] for e in alone.evidence)
    combo = mechanism_profile(kb, ["exo:bmsc", "int:exercise"]).axes["neuroprotection"]
    assert any(74 in e["studies"] for e in combo.evidence)
    assert combo.score > alone.score


def test_ucmsc_table_rows_of_ref_130_need_the_paclitaxel_co_therapy() -> None:
    kb = default_kb()
    alone = mechanism_profile(kb, ["exo:ucmsc"])
    rows = [e for ax in alone.axes.values() for e in ax.evidence if e.get("from_table")]
    assert rows and all(130 not in e["studies"] for e in rows)
    combo = mechanism_profile(kb, ["exo:ucmsc", "chem:paclitaxel"])
    assert any(
        130 in e["studies"]
        for ax in combo.axes.values()
        for e in ax.evidence
        if e.get("from_table")
    )


def test_admsc_to_axon_growth_via_mtor_is_not_in_vivo_and_names_refs_57_and_73() -> None:
    res = explain(default_kb(), "ADMSC exosomes", "axon growth", limit=10)
    via = [p for p in res.paths if "pw:mtor" in p.nodes]
    assert via
    for p in via:
        assert p.in_vivo is False  # its mTOR → axon growth step is ref 73's cell culture
        assert {54, 73} <= {r for e in p.edges for r in e.refs}
        assert p.certainty == "low"
        assert p.edges[0].injury_models == ("autism_btbr",)
        assert p.edges[-1].injury_models == ("in_vitro",)


def test_explain_json_and_frame_show_species_injury_model_and_grade_per_link() -> None:
    res = runner.invoke(app, ["explain", "ADMSC exosomes", "--to", "axon growth", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    path = doc["paths"][0]
    assert path["certainty"] in ("high", "moderate", "low", "very low")
    assert path["certainty_reasons"]
    for e in path["edges"]:
        assert {"species", "injury_models", "grades", "certainty", "in_vivo"} <= set(e)
    from exosci.reason.query import explain_frame

    df = explain_frame("ADMSC exosomes", to="axon growth")
    assert {"certainty", "certainty_reasons", "species", "injury_models", "steps"} <= set(df)
    assert "autism_btbr" in df.loc[0, "injury_models"]


def test_kb_profile_shows_certainty_with_reasons() -> None:
    res = runner.invoke(app, ["kb", "profile", "hypoxic MSC exosomes"])
    assert res.exit_code == 0, res.output
    assert "imprecision" in res.stdout and "certainty" in res.stdout
    doc = json.loads(runner.invoke(app, ["kb", "profile", "ADMSC exosomes", "--json"]).stdout)
    ax = doc["axes"]["axon_regeneration"]
    assert ax["confidence_reasons"] and ax["best_supporting"]["certainty_reasons"]


def test_kb_show_gives_each_statement_and_record_its_certainty() -> None:
    res = runner.invoke(app, ["kb", "show", "ADMSC exosomes", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    autism = [
        ev
        for st in doc["statements"]
        for ev in st["evidence"]
        if ev.get("injury_model") == "autism_btbr"
    ]
    assert autism and all(ev["certainty"] == "low" for ev in autism)
    assert all(any("autism model" in r for r in ev["certainty_reasons"]) for ev in autism)
    assert all("certainty" in st for st in doc["statements"])
    text = runner.invoke(app, ["kb", "show", "ADMSC exosomes"]).stdout
    assert "certainty low" in text


def test_notebook_profile_frame_carries_the_certainty_reasons() -> None:
    from exosci.reason.query import profile

    df = profile("hypoxic MSC exosomes")
    assert "imprecision" in df.loc["angiogenesis_bscb", "confidence_reasons"]


def test_explain_ranks_sci_evidence_above_the_same_evidence_from_a_stroke_model() -> None:
    ents = [
        Entity(id="exo:a", name="a", type="exosome"),
        Entity(id="gene:aa", name="aa", type="gene"),
        Entity(id="gene:zz", name="zz", type="gene"),
        Entity(id="proc:x", name="x", type="process"),
    ]

    def st(i: int, s: str, o: str, inj: str) -> Statement:
        return Statement(
            id=f"e{i}", subject=s, predicate="activates", object=o,
            evidence=[_ev(40 + i, "in_vivo", injury_model=inj)],
        )  # fmt: skip

    sts = [
        st(0, "exo:a", "gene:aa", "stroke_mcao"),
        st(1, "gene:aa", "proc:x", "stroke_mcao"),
        st(2, "exo:a", "gene:zz", "contusion"),
        st(3, "gene:zz", "proc:x", "contusion"),
    ]
    res = explain(kb_from_records(ents, sts, backend="memory"), "a", "x", context="loose")
    assert [p.nodes[1] for p in res.paths] == ["gene:zz", "gene:aa"]
    assert res.paths[0].score > res.paths[1].score


def test_admsc_evidence_from_the_autism_model_counts_as_indirect() -> None:
    # was neuroprotection 0.55 and axon regeneration 0.47 with the BTBR study at full weight
    prof = mechanism_profile(default_kb(), ["exo:admsc"])
    for axis in ("neuroprotection", "axon_regeneration"):
        (item,) = [e for e in prof.axes[axis].evidence if e["studies"][0] == 54]
        assert item["weight"] == pytest.approx(0.45)  # rat/mouse 0.9 x 0.5 (not SCI)
        assert item["certainty"] == "low"
        assert prof.axes[axis].confidence == "very low"  # and one study only
    assert prof.axes["neuroprotection"].score < 0.45
    assert prof.axes["axon_regeneration"].score < 0.35
