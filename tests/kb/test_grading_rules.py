"""One grading rule per kind of claim, over every statement of the graph; the records the
curation audit of issue 20 named are re-graded (docs/curation-audit.md, section 4)."""

from __future__ import annotations

from functools import cache

import pytest

from exosci.kb.curated import Curated, load_curated
from exosci.kb.schema import SCI_INJURY_MODELS, Evidence, Statement
from exosci.kb.studies import load_arms
from exosci.reason.grading import (
    GRADE_RULES,
    claim_kind,
    indirectness_factor,
    record_certainty,
    rule_violations,
)


@cache
def _cur() -> Curated:
    return load_curated()


def _st(sid: str) -> Statement:
    return next(s for s in _cur().statements if s.id == sid)


def test_every_statement_follows_the_grading_rule_of_its_kind() -> None:
    cur = _cur()
    kinds = {claim_kind(st, cur.entities) for st in cur.statements}
    assert kinds == set(GRADE_RULES)  # every rule is exercised by the graph
    problems = [p for st in cur.statements for p in rule_violations(st, cur.entities)]
    assert problems == []


def test_the_same_kind_of_claim_carries_one_grade() -> None:
    cur = _cur()
    by_kind: dict[str, set[str]] = {}
    for st in cur.statements:
        kind = claim_kind(st, cur.entities)
        by_kind.setdefault(kind, set()).update(ev.grade for ev in st.evidence)
    assert by_kind["mechanism_to_recovery"] == {"curator_inferred"}
    assert by_kind["product_fact"] == {"review_claim"}  # derived_from was graded three ways
    assert by_kind["axis_definition"] == {"review_claim"}


def test_a_rule_violation_is_reported_with_the_statement_and_why() -> None:
    cur = _cur()
    st = _st("st:neuro:bdnf-sev-derived-from-msc")
    bad = st.model_copy(
        update={
            "evidence": [
                Evidence(refs=[46], model="in_vitro", grade="experimental", text="made up")
            ]
        }
    )
    (msg,) = rule_violations(bad, cur.entities)
    assert "bdnf-sev-derived-from-msc" in msg and "product_fact graded 'experimental'" in msg


def test_no_non_sci_evidence_is_graded_as_direct() -> None:
    for st in _cur().statements:
        for ev in st.evidence:
            if ev.injury_model is None or ev.injury_model in SCI_INJURY_MODELS:
                continue
            if ev.injury_model == "in_vitro":
                assert record_certainty(ev).level in ("low", "very low"), st.id
                continue
            cert = record_certainty(ev)
            assert any(r.startswith("indirectness") for r in cert.reasons), st.id
            assert cert.level in ("low", "very low"), st.id
            assert indirectness_factor(ev) == 0.5, st.id


def test_no_record_is_ungraded_or_of_unreported_kind() -> None:
    for st in _cur().statements:
        for ev in st.evidence:
            assert ev.grade != "not_graded", st.id
            assert ev.model != "not_reported", st.id


def test_an_sci_experiment_is_rated_down_only_for_unreported_bias_items() -> None:
    ev = Evidence(
        refs=[98], model="in_vivo", species="rat", grade="experimental",
        injury_model="contusion", text="t",
    )  # fmt: skip
    cert = record_certainty(ev)
    assert cert.level == "moderate"
    assert cert.reasons == ("risk of bias (SYRCLE): randomised not reported, blinded not reported",)
    both = ev.model_copy(update={"randomised": "yes", "blinded": "yes"})
    assert record_certainty(both).level == "high"
    fly = ev.model_copy(update={"species": "fruit_fly"})
    assert record_certainty(fly).level == "low"


# ------------------------------------------------------------------ records re-graded by the audit

HYPOXIA_46 = (
    "st:imm:msc-secretes-msc-hypoxia",
    "st:imm:msc-hypoxia-derived-from-msc",
    "st:imm:msc-hypoxia-preconditioned",
    "st:imm:msc-hypoxia-is-exosome",
    "st:imm:msc-hypoxia-inhibits-oxidative-stress",
    "st:imm:msc-hypoxia-promotes-angiogenesis",
)


@pytest.mark.parametrize("sid", HYPOXIA_46)
def test_ref_46_hypoxia_records_are_review_claims(sid: str) -> None:
    # ref 46 is the BDNF-sEV paper: no hypoxia arm, so the review's hypoxia sentence is a claim
    (ev,) = _st(sid).evidence
    assert ev.refs == [46]
    assert (ev.grade, ev.model) == ("review_claim", "review")


def test_ref_59_grading_agrees_between_graph_and_study_table() -> None:
    arms = [a for a in load_arms() if a.ref == 59]
    table = {(o.axis, a.grade) for a in arms for o in a.outcomes}
    assert ("inflammation", "review_claim") in table and (
        "neuroprotection",
        "review_claim",
    ) in table
    assert ("angiogenesis_bscb", "experimental") in table
    for sid in (
        "st:neuro:cd146-exo-inhibits-inflammation",
        "st:neuro:cd146-exo-inhibits-apoptosis",
    ):
        assert {ev.grade for ev in _st(sid).evidence} == {"review_claim"}
    (dll4,) = _st("st:neuro:mir27a-lowers-dll4").evidence
    assert (dll4.model, dll4.context) == ("in_vitro", "CL:0000115")  # bEnd.3 cells


@pytest.mark.parametrize(
    "sid",
    [
        "st:neuro:bmsc-exo-inhibits-nfkb",
        "st:neuro:nfkb-inhibits-m2",
        "st:neuro:bmsc-exo-lowers-pten",
        "st:neuro:mtor-promotes-axon-growth",
        "st:neuro:ec-exo-upregulates-mir199",
        "st:neuro:mir199-lowers-pten",
    ],
)
def test_cellular_results_of_refs_73_and_71_are_in_vitro(sid: str) -> None:
    evs = [ev for ev in _st(sid).evidence if set(ev.refs) & {71, 73}]
    assert evs and all(ev.model == "in_vitro" for ev in evs)


def test_ref_71_reports_myelination_of_regenerated_axons_in_vivo() -> None:
    (ev,) = _st("st:neuro:schwann-repair-promotes-myelination").evidence
    assert (ev.refs, ev.grade, ev.model) == ([71], "experimental", "in_vivo")
    assert ev.injury_model == "peripheral_nerve_injury"  # so it is rated down as indirect


def test_mar1_dorsal_horn_claim_is_a_tissue_not_astrocytes() -> None:
    (ev,) = _st("st:neuro:mar1-inhibits-cytokines").evidence
    assert ev.context == "UBERON:0002256"


def test_ref_74_credits_exercise_plus_bmsc_exosomes() -> None:
    cur = _cur()
    for st in cur.statements:
        for ev in st.evidence:
            if (
                ev.refs == [74]
                and st.subject in ("exo:bmsc", "int:exercise")
                and st.predicate != "combined_with"
            ):
                other = {"exo:bmsc": "int:exercise", "int:exercise": "exo:bmsc"}[st.subject]
                assert ev.co_therapy == [other], st.id


def test_graph_and_study_table_grade_the_same_outcome_alike() -> None:
    # a product's own link to an axis process, citing a study that the outcome table lists for
    # that product and axis, carries a grade the table gives that study's arm (ref 59 did not)
    from exosci.reason.profile import AXIS_MECHANISM, AXIS_PROCESSES

    axis_of = {p: a for a, ps in AXIS_PROCESSES.items() for p in ps}
    axis_of.update({m: a for a, m in AXIS_MECHANISM.items()})
    table: dict[tuple[int, str, str], set[str]] = {}
    for arm in load_arms():
        for o in arm.outcomes:
            table.setdefault((arm.ref, arm.product, o.axis), set()).add(arm.grade)
    checked = 0
    for st in _cur().statements:
        axis = axis_of.get(st.object)
        for ev in st.evidence if axis else ():
            for ref in ev.refs:
                grades = table.get((ref, st.subject, axis))  # type: ignore[arg-type]
                if grades:
                    checked += 1
                    assert ev.grade in grades, (st.id, ref, grades)
    assert checked >= 20


def test_indra_json_round_trip_keeps_grade_injury_model_and_co_therapy(tmp_path) -> None:
    # an exported graph read back must not lose its grading (it used to come back ungraded)
    from exosci.kb.export import export_graph
    from exosci.kb.indra import read_indra_json

    path = tmp_path / "graph.json"
    path.write_text(export_graph(_cur(), format="indra-json"), encoding="utf-8")
    _ents, stmts = read_indra_json(path)
    back = {
        (s.id, ev.text): (ev.grade, ev.injury_model, tuple(ev.co_therapy), ev.blinded)
        for s in stmts
        for ev in s.evidence
    }
    ours = {
        (s.id, ev.text): (ev.grade, ev.injury_model, tuple(ev.co_therapy), ev.blinded)
        for s in _cur().statements
        for ev in s.evidence
        if (s.id, ev.text) in back
    }
    assert len(ours) > 300
    assert all(back[k] == v for k, v in ours.items())
