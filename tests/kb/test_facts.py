"""Facts of biology.yaml (sections 1, 2, 5 and 6) checked against the review's own text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exosci.kb import load_curated
from exosci.kb.curated import Curated
from exosci.kb.names import normalize
from exosci.kb.schema import Fact

TOPICS = {"exosome_biology", "epidemiology", "clinical", "challenges", "prospects"}
TRIAL = "trial:irct20200502047277n1"


@pytest.fixture(scope="module")
def cur() -> Curated:
    return load_curated()


@pytest.fixture(scope="module")
def facts(cur: Curated) -> dict[str, Fact]:
    return {f.id: f for f in cur.facts if cur.origin["fact:" + f.id] == "biology.yaml"}


@pytest.fixture
def body(shared: Path) -> str:
    """The review without its reference list, with line breaks folded to spaces."""
    text = (shared / "seed" / "exosome-sci-review.txt").read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", text.split("\nReferences\n", 1)[0])


def _by_key(facts: dict[str, Fact], key: str) -> Fact:
    hits = [f for f in facts.values() if f.key == key]
    assert len(hits) == 1, f"expected one fact with key {key!r}, found {len(hits)}"
    return hits[0]


def _items(phrase: str) -> list[str]:
    """'A, B, and C' -> ['A', 'B', 'C']."""
    parts = re.split(r",\s*(?:and\s+)?|\s+and\s+", phrase)
    return [p.strip() for p in parts if p.strip()]


def _cited(text: str) -> set[int]:
    """Reference numbers cited as (n), (n, m) or (n-m) in a stretch of the review."""
    nums: set[int] = set()
    for group in re.findall(r"\((\d+(?:\s*[,–-]\s*\d+)*)\)", text):
        for part in group.split(","):
            lo, _, hi = part.strip().replace("–", "-").partition("-")
            nums.update(range(int(lo), int(hi or lo) + 1))
    return nums


def test_topics_ids_and_coverage(facts: dict[str, Fact]) -> None:
    assert facts, "biology.yaml defines no facts"
    assert {f.topic for f in facts.values()} == TOPICS
    for fid, f in facts.items():
        prefix = {"epi": "epidemiology", "bio": "exosome_biology", "clin": "clinical"}
        kind = fid.split(":")[1]
        if kind in prefix:
            assert f.topic == prefix[kind], fid
        assert f.text and f.text[-1] == ".", f"{fid}: text should be a full sentence"


def test_incidence_matches_the_review(facts: dict[str, Fact], body: str) -> None:
    tsci = re.search(r"\(TSCI\) is estimated at ([\d.]+) per 1 million", body)
    ntsci = re.search(r"\(NTSCI\) occurs at a rate of ([\d.]+) per 1 million", body)
    assert tsci and ntsci
    t, n = _by_key(facts, "tsci_incidence"), _by_key(facts, "ntsci_incidence")
    assert t.value == pytest.approx(float(tsci.group(1)), abs=1e-9)
    assert n.value == pytest.approx(float(ntsci.group(1)), abs=1e-9)
    assert t.unit == n.unit == "per million people"
    assert float(t.value) > float(n.value)  # type: ignore[arg-type]


def test_regional_and_sex_differences(facts: dict[str, Fact], body: str) -> None:
    regions = _by_key(facts, "high_incidence_regions").value
    assert isinstance(regions, list)
    for region in regions:
        word = region.split()[0]  # "Central", "Eastern"
        assert word in body, region
    assert "Central Asia" in regions and "Central and Eastern Europe" in body
    assert "male" in str(_by_key(facts, "sex_difference").value)
    assert re.search(r"male patients constitute a much larger proportion", body)


def test_size_range_matches_the_review(facts: dict[str, Fact], body: str) -> None:
    m = re.search(r"between (\d+) and (\d+) nm in diameter", body)
    assert m
    lo, hi = _by_key(facts, "diameter_min"), _by_key(facts, "diameter_max")
    assert (lo.value, hi.value) == (int(m.group(1)), int(m.group(2)))
    assert lo.unit == hi.unit == "nm"


@pytest.mark.parametrize(
    ("key", "pattern"),
    [
        ("tetraspanins", r"tetraspanin family like ([^)]+)\)"),
        ("lipid_classes", r"lipids \(including ([^)]+)\)"),
        ("nucleic_acid_classes", r"nucleic acids \(such as ([^)]+)\)"),
    ],
)
def test_composition_lists_match_the_review(
    facts: dict[str, Fact], body: str, key: str, pattern: str
) -> None:
    m = re.search(pattern, body)
    assert m, pattern
    assert sorted(_by_key(facts, key).value) == sorted(_items(m.group(1)))  # type: ignore[arg-type]


def test_marker_proteins_match_the_review(facts: dict[str, Fact], body: str) -> None:
    m = re.search(r"proteins such as ([^.]+?) \(HSP70, HSP90\), which serve as markers", body)
    assert m
    named = [p for p in _items(m.group(1)) if "heat shock" not in p]
    expected = sorted([*named, "HSP70", "HSP90"])
    assert sorted(_by_key(facts, "marker_proteins").value) == expected  # type: ignore[arg-type]


def test_every_listed_marker_is_a_has_marker_edge(cur: Curated, facts: dict[str, Fact]) -> None:
    targets = {s.object for s in cur.statements if s.subject == "exo:exosome"}
    targets &= {s.object for s in cur.statements if s.predicate == "has_marker"}
    labels: dict[str, str] = {}
    for eid in targets:
        ent = cur.entities[eid]
        assert ent.type == "gene" and ent.curie and ent.curie.startswith("hgnc.symbol:"), eid
        for lbl in (ent.name, *ent.synonyms):
            labels[normalize(lbl)] = eid
    markers, tetraspanins = _by_key(facts, "marker_proteins"), _by_key(facts, "tetraspanins")
    assert isinstance(markers.value, list) and isinstance(tetraspanins.value, list)
    listed = [*markers.value, *tetraspanins.value]
    for name in listed:
        assert normalize(str(name)) in labels, f"{name} has no has_marker edge from exo:exosome"
    # The heat-shock families map to the inducible members, by HGNC symbol.
    assert cur.entities[labels["hsp70"]].curie == "hgnc.symbol:HSPA1A"
    assert cur.entities[labels["hsp90"]].curie == "hgnc.symbol:HSP90AA1"
    assert cur.entities[labels["alix"]].curie == "hgnc.symbol:PDCD6IP"


def test_phase1_trial_matches_the_review(cur: Curated, body: str) -> None:
    trial = cur.entities[TRIAL]
    assert trial.type == "clinical_trial" and trial.refs == [146]
    reg = re.search(r"Iranian Registry of Clinical Trials, (IRCT\w+)\) \((\d+)\)", body)
    assert reg and reg.group(2) == "146"
    assert trial.attributes["registry_id"] == reg.group(1)
    assert normalize(reg.group(1)) == normalize(TRIAL.split(":", 1)[1])
    route = re.search(r"wherein (\w+) injection of allogenic Exos", body)
    assert route and trial.attributes["route"] == route.group(1)
    assert trial.attributes["phase"] == "I" and "phase I clinical trial" in body
    assert "acute" in str(trial.attributes["population"])
    assert trial.attributes["product"] == "exo:ucmsc"
    links = {(s.subject, s.predicate, s.object): s for s in cur.statements}
    assert ("exo:ucmsc", "part_of", TRIAL) in links
    st = links[("exo:ucmsc", "administered_by", f"route:{route.group(1)}")]
    ev = st.evidence[0]
    assert (ev.refs, ev.species, ev.model) == ([146], "human", "clinical")


def test_challenge_and_clinical_refs_are_cited_in_their_sections(
    facts: dict[str, Fact], body: str
) -> None:
    sec5 = body.split("5 Current status of clinical research", 1)[1].split("6 The challenges", 1)[0]
    sec61 = body.split("6.1 The challenges faced", 1)[1].split("6.2 Prospects", 1)[0]
    for f in facts.values():
        if f.topic == "challenges":
            assert set(f.refs) <= _cited(sec61), f"{f.id}: {f.refs} not all cited in 6.1"
        if f.id.startswith("fact:clin:") and f.key not in {
            "secondary_injury_processes",
            "conventional_treatments",
        }:
            assert set(f.refs) <= _cited(sec5), f"{f.id}: {f.refs} not all cited in section 5"
    keys = {f.key for f in facts.values() if f.topic == "challenges"}
    assert {
        "source_and_quality_control",
        "heterogeneity",
        "mass_production",
        "storage_and_transport",
        "targeted_delivery",
        "long_term_efficacy_and_safety",
    } <= keys


def test_epidemiology_refs_are_the_intro_citations(facts: dict[str, Fact], body: str) -> None:
    intro = body.split("1 Introduction", 1)[1].split("2 Exosomes", 1)[0]
    for f in facts.values():
        if f.topic == "epidemiology":
            assert set(f.refs) <= _cited(intro), f.id
