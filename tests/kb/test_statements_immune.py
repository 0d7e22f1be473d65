"""Sections 1-2 and 3.3-3.5 (immune, vascular/BSCB, ECM) as curated in mechanisms_immune_vascular_ecm.yaml.

Checks that the named mechanistic chains exist edge by edge with the biologically right sign, that the
chains connect products to the repair mechanisms (signed reachability), that every cited reference is
cited in the same section of the seed review, that miRNA identifiers exist in miRBase, and that the
numbers the seed gives in these sections are captured in the knowledge base with the same values.
"""

from __future__ import annotations

import math
import re
from collections import deque
from pathlib import Path

import pytest

from exosci.kb import load_curated
from exosci.kb.curated import Curated
from exosci.kb.schema import PREDICATES, Statement

FILE = "mechanisms_immune_vascular_ecm.yaml"
SECTIONS = ("1", "2", "3.3", "3.4", "3.5")

# Each chain: (start, [(predicate, node), ...], expected net sign from start to the last node).
CHAINS: dict[str, tuple[str, list[tuple[str, str]], int]] = {
    "hypoxic BMSC sEV / miR-146a-5p / IRAK1 / NF-kB (ref 47)": (
        "src:bmsc",
        [
            ("secretes", "exo:bmsc-hypoxia"),
            ("carries", "mir:mir-146a-5p"),
            ("decreases_amount", "gene:irak1"),
            ("activates", "pw:nfkb"),
            ("promotes", "proc:m1-polarization"),
            ("inhibits", "mech:inflammation-suppression"),
            ("promotes", "out:functional-recovery"),
        ],
        +1,
    ),
    "miR-146a-5p / TRAF6 / NF-kB / cytokines (ref 47)": (
        "mir:mir-146a-5p",
        [
            ("decreases_amount", "gene:traf6"),
            ("activates", "pw:nfkb"),
            ("promotes", "proc:proinflammatory-cytokines"),
            ("promotes", "proc:neuroinflammation"),
            ("inhibits", "mech:inflammation-suppression"),
        ],
        +1,
    ),
    "iPSC-Exos / miR-199b-5p / M2 (ref 45)": (
        "exo:ipsc",
        [
            ("carries", "mir:mir-199b-5p"),
            ("promotes", "proc:m2-polarization"),
            ("promotes", "mech:inflammation-suppression"),
        ],
        +1,
    ),
    "hypoxic MSC-Exos / miR-216a-5p / M1 (ref 24)": (
        "src:msc",
        [
            ("secretes", "exo:msc-hypoxia"),
            ("carries", "mir:mir-216a-5p"),
            ("inhibits", "proc:m1-polarization"),
            ("inhibits", "mech:inflammation-suppression"),
        ],
        +1,
    ),
    "macrophage-Exos / miR-23a-3p / PTEN / PI3K-Akt (ref 94)": (
        "exo:macrophage",
        [
            ("carries", "mir:mir-23a-3p"),
            ("decreases_amount", "gene:pten"),
            ("inhibits", "pw:pi3k-akt"),
            ("promotes", "proc:m2-polarization"),
        ],
        +1,
    ),
    "EPC-Exos / miR-222-3p / M2 (ref 101)": (
        "exo:epc",
        [
            ("carries", "mir:mir-222-3p"),
            ("promotes", "proc:m2-polarization"),
            ("promotes", "mech:inflammation-suppression"),
            ("promotes", "out:functional-recovery"),
        ],
        +1,
    ),
    "DPSC-Exos / ROS / MAPK / NF-kB p65 / M1 (ref 99)": (
        "exo:dpsc",
        [
            ("inhibits", "proc:oxidative-stress"),
            ("activates", "pw:mapk"),
            ("activates", "pw:nfkb"),
            ("promotes", "proc:m1-polarization"),
            ("inhibits", "mech:inflammation-suppression"),
        ],
        +1,
    ),
    "Treg-Exos / miR-2861 / IRAK1 / BSCB (ref 102)": (
        "exo:treg",
        [
            ("carries", "mir:mir-2861"),
            ("decreases_amount", "gene:irak1"),
            ("inhibits", "proc:bscb-integrity"),
            ("promotes", "mech:angiogenesis-bscb"),
        ],
        +1,
    ),
    "Treg-Exos / miR-709 / NKAP / microglial death (ref 103)": (
        "exo:treg",
        [
            ("carries", "mir:mir-709"),
            ("decreases_amount", "gene:nkap"),
            ("promotes", "proc:microglial-death"),
            ("promotes", "proc:neuroinflammation"),
            ("inhibits", "mech:inflammation-suppression"),
        ],
        +1,
    ),
    "ibrutinib / BTK / microglia (refs 104, 105)": (
        "chem:ibrutinib",
        [
            ("inhibits", "gene:btk"),
            ("activates", "proc:microglia-activation"),
            ("promotes", "proc:neuroinflammation"),
            ("inhibits", "mech:inflammation-suppression"),
        ],
        +1,
    ),
    "UTX-/- EC-Exos / miR-467b-3p / PTEN / PI3K-AKT-mTOR / M2 (ref 100)": (
        "src:utx-ko-endothelial",
        [
            ("secretes", "exo:utx-ko-endothelial"),
            ("carries", "mir:mir-467b-3p"),
            ("decreases_amount", "gene:pten"),
            ("inhibits", "pw:pi3k-akt"),
            ("activates", "pw:mtor"),
            ("promotes", "proc:m2-polarization"),
            ("promotes", "proc:ecm-remodeling"),
            ("promotes", "mech:ecm-regulation"),
        ],
        +1,
    ),
    "M2-Exos / OTULIN / Wnt / angiogenesis (ref 36)": (
        "exo:m2-macrophage",
        [
            ("carries", "gene:otulin"),
            ("activates", "pw:wnt-beta-catenin"),
            ("promotes", "proc:angiogenesis"),
            ("promotes", "mech:angiogenesis-bscb"),
            ("promotes", "out:functional-recovery"),
        ],
        +1,
    ),
    "CSF-Exos / PI3K-Akt / angiogenesis (ref 109)": (
        "exo:csf",
        [("activates", "pw:pi3k-akt"), ("promotes", "proc:angiogenesis")],
        +1,
    ),
    "exosomal miR-210 / JAK1 / STAT3 / BSCB (ref 110)": (
        "exo:pericyte",
        [
            ("carries", "mir:mir-210"),
            ("activates", "gene:jak1"),
            ("activates", "gene:stat3"),
            ("promotes", "proc:bscb-integrity"),
            ("promotes", "mech:angiogenesis-bscb"),
        ],
        +1,
    ),
    "RGD-CD146+CD271+ UC-MSC-Exos / miR-501-5p / MLCK / ZO-1 (ref 111)": (
        "exo:rgd-cd146-cd271-ucmsc",  # the cited title's RGD-modified product
        [
            ("carries", "mir:mir-501-5p"),
            ("decreases_amount", "gene:mylk"),
            ("decreases_amount", "gene:tjp1"),
            ("promotes", "proc:bscb-integrity"),
        ],
        +1,
    ),
    "hypoxia / HIF-1a / VEGF (Table 2)": (
        "int:hypoxia",
        [
            ("increases_amount", "gene:hif1a"),
            ("increases_amount", "gene:vegfa"),
            ("promotes", "proc:angiogenesis"),
        ],
        +1,
    ),
    "BMSC-Exos / A1 astrocytes / glial scar (ref 121)": (
        "exo:bmsc",
        [
            ("inhibits", "proc:a1-astrocyte-activation"),
            ("promotes", "proc:glial-scar"),
            ("inhibits", "mech:ecm-regulation"),
        ],
        +1,
    ),
    "HucMSC-Exos / PTPsigma / RhoA-ROCK / axon growth (ref 122)": (
        "exo:ucmsc",
        [
            ("inhibits", "gene:ptprs"),
            ("activates", "pw:rhoa-rock"),
            ("inhibits", "proc:axon-growth"),
        ],
        +1,
    ),
    "HucMSC-Exos / ADAMTS / CSPG (ref 122)": (
        "exo:ucmsc",
        [
            ("increases_amount", "gene:adamts"),
            ("inhibits", "proc:cspg-deposition"),
            ("inhibits", "mech:ecm-regulation"),
        ],
        +1,
    ),
    "Rab27a / astrocyte EVs / CSPG / glial scar (ref 123)": (
        "gene:rab27a",
        [
            ("increases_amount", "exo:astrocyte"),
            ("increases_amount", "proc:cspg-deposition"),
            ("promotes", "proc:glial-scar"),
            ("inhibits", "mech:ecm-regulation"),
        ],
        -1,
    ),
    "RGD-CD163+ macrophage sEV / TGF-b / BSCB (ref 124)": (
        "src:cd163-macrophage",
        [
            ("secretes", "exo:rgd-cd163-macrophage"),
            ("carries", "gene:tgfb1"),
            ("promotes", "proc:bscb-integrity"),
            ("inhibits", "proc:inflammatory-cell-infiltration"),
        ],
        -1,
    ),
    "TIMP-1 / MMP-9 / ECM remodelling (refs 119, 120)": (
        "gene:timp1",
        [("inhibits", "gene:mmp9"), ("promotes", "proc:ecm-remodeling")],
        -1,
    ),
}

# Products made by preconditioning/engineering: (product, parent source, predicate, intervention).
MODIFIED = [
    ("exo:bmsc-hypoxia", "src:bmsc", "preconditioned_by", "int:hypoxia"),
    ("exo:msc-hypoxia", "src:msc", "preconditioned_by", "int:hypoxia"),
    ("exo:huvec-hypoxia", "src:huvec", "preconditioned_by", "int:hypoxia"),
    ("exo:rgd-cd163-macrophage", "src:cd163-macrophage", "engineered_with", "int:rgd-display"),
]

# Signed reachability: (start, goal, sign of at least one path).
REACHES = [
    ("exo:bmsc-hypoxia", "mech:inflammation-suppression", +1),
    ("exo:treg", "mech:angiogenesis-bscb", +1),
    ("exo:utx-ko-endothelial", "mech:inflammation-suppression", +1),
    ("exo:rgd-cd146-cd271-ucmsc", "mech:angiogenesis-bscb", +1),
    ("exo:ucmsc", "mech:ecm-regulation", +1),
    ("exo:rgd-cd163-macrophage", "mech:angiogenesis-bscb", +1),
    ("chem:ibrutinib", "mech:inflammation-suppression", +1),
    ("gene:rab27a", "mech:ecm-regulation", -1),
]


@pytest.fixture(scope="module")
def cur() -> Curated:
    return load_curated()


@pytest.fixture(scope="module")
def mine(cur: Curated) -> list[Statement]:
    return [st for st in cur.statements if cur.origin["statement:" + st.id] == FILE]


def _predicates(cur: Curated, subject: str, obj: str) -> set[str]:
    return {st.predicate for st in cur.statements if st.subject == subject and st.object == obj}


@pytest.mark.parametrize("name", list(CHAINS))
def test_named_chain_exists_edge_by_edge_with_right_sign(cur: Curated, name: str) -> None:
    start, steps, expected = CHAINS[name]
    node, sign = start, 1
    for predicate, nxt in steps:
        found = _predicates(cur, node, nxt)
        assert predicate in found, f"{name}: no {node} -{predicate}-> {nxt} (found {sorted(found)})"
        causal = {PREDICATES[p] for p in found} - {0}
        assert causal == {PREDICATES[predicate]}, f"{name}: {node}->{nxt} has signs {causal}"
        sign *= PREDICATES[predicate]
        node = nxt
    assert sign == expected


@pytest.mark.parametrize(("product", "source", "predicate", "intervention"), MODIFIED)
def test_modified_products_link_to_source_and_intervention(
    cur: Curated, product: str, source: str, predicate: str, intervention: str
) -> None:
    assert cur.entities[product].type == "exosome"
    assert cur.entities[intervention].type == "intervention"
    assert "derived_from" in _predicates(cur, product, source)
    assert "secretes" in _predicates(cur, source, product)
    assert predicate in _predicates(cur, product, intervention)
    assert "part_of" in _predicates(cur, product, "exo:exosome")


def _signed_reach(cur: Curated, start: str, goal: str, *, max_len: int = 8) -> set[int]:
    """Signs with which `goal` is reachable from `start` over causal edges (INDRA-style node splitting)."""
    adj: dict[str, list[tuple[str, int]]] = {}
    for st in cur.statements:
        if st.sign:
            adj.setdefault(st.subject, []).append((st.object, st.sign))
    seen = {(start, 1)}
    queue = deque([(start, 1, 0)])
    signs: set[int] = set()
    while queue:
        node, sign, depth = queue.popleft()
        if node == goal:
            signs.add(sign)
            continue
        if depth == max_len:
            continue
        for nxt, s in adj.get(node, []):
            state = (nxt, sign * s)
            if state not in seen:
                seen.add(state)
                queue.append((nxt, sign * s, depth + 1))
    return signs


@pytest.mark.parametrize(("start", "goal", "sign"), REACHES)
def test_products_reach_mechanisms_with_expected_sign(
    cur: Curated, start: str, goal: str, sign: int
) -> None:
    assert sign in _signed_reach(cur, start, goal)


def test_file_size_and_sections(mine: list[Statement]) -> None:
    assert len(mine) >= 50
    assert {st.section for st in mine} == set(SECTIONS)
    assert all(st.id.startswith("st:imm:") for st in mine)


def test_mirna_entities_follow_naming_rules(cur: Curated) -> None:
    mirs = [
        e
        for e in cur.entities.values()
        if cur.origin["entity:" + e.id] == FILE and e.type == "mirna"
    ]
    assert len(mirs) == 10
    for e in mirs:
        assert e.id == "mir:" + e.name.lower()
        assert e.curie and re.fullmatch(r"mirbase:(rno|mmu|hsa)-miR-[0-9a-z-]+", e.curie), e.curie
        assert any(x.startswith("mirbase:MIMAT") for x in e.xrefs)


# ----------------------------------------------------------------------------- seed text checks


def _section_texts(shared: Path) -> dict[str, str]:
    text = (shared / "seed" / "exosome-sci-review.txt").read_text(encoding="utf-8")
    body = text.split("\nReferences\n", 1)[0]
    headers = list(re.finditer(r"^(\d(?:\.\d)?) [A-Z][^\n]*$", body, flags=re.MULTILINE))
    out: dict[str, str] = {}
    for i, m in enumerate(headers):
        end = headers[i + 1].start() if i + 1 < len(headers) else len(body)
        out.setdefault(m.group(1), body[m.end() : end])
    return out


def _cited(text: str) -> set[int]:
    """Reference numbers cited in a text: groups such as (47), (95-97), (111, 155–157)."""
    nums: set[int] = set()
    for group in re.findall(r"\(([\d,\s–-]+)\)", text):
        for part in group.split(","):
            bounds = [int(b) for b in re.split(r"[–-]", part.strip()) if b]
            if len(bounds) == 1:
                nums.add(bounds[0])
            elif len(bounds) == 2 and bounds[0] < bounds[1]:
                nums.update(range(bounds[0], bounds[1] + 1))
    return nums


def test_section_parser_on_known_citations(shared: Path) -> None:
    sections = _section_texts(shared)
    assert set(SECTIONS) <= set(sections)
    assert {95, 96, 97, 102, 103} <= _cited(sections["3.3"])
    assert 47 in _cited(sections["2"]) and 47 not in _cited(sections["3.3"])


def test_every_ref_is_cited_in_its_section(shared: Path, mine: list[Statement]) -> None:
    cited = {k: _cited(v) for k, v in _section_texts(shared).items()}
    bad = [
        (st.id, st.section, n)
        for st in mine
        for ev in st.evidence
        for n in ev.refs
        if n not in cited[st.section or ""]
    ]
    assert not bad


def test_numbers_in_these_sections_are_in_the_kb(
    shared: Path, cur: Curated, mine: list[Statement]
) -> None:
    """Every measured number the seed gives in sections 1, 2, 3.3-3.5 is a Fact or a Quantity, same value."""
    sections = _section_texts(shared)
    unit = r"(?:per 1 million|%|-fold|fold|nm|times)"
    pattern = (
        rf"(\d+(?:\.\d+)?)(?:\s*(?:and|to|-|–)\s*(\d+(?:\.\d+)?))?\s*(?:[a-z ]{{0,20}}?){unit}"
    )
    found: list[float] = []
    for key in SECTIONS:
        for m in re.finditer(pattern, sections[key]):
            found += [float(g) for g in m.groups() if g]
    assert {26.48, 17.93, 30.0, 150.0} <= set(found)
    known: list[float] = []
    for fact in cur.facts:
        vals = fact.value if isinstance(fact.value, list) else [fact.value]
        for v in vals:
            known += [float(x) for x in re.findall(r"\d+(?:\.\d+)?", str(v))]
    for st in cur.statements:
        for ev in st.evidence:
            known += [q.value for q in ev.quantities]
    for value in found:
        assert any(math.isclose(value, k, rel_tol=1e-9) for k in known), value
    # and any quantity this file states must be printed in its own section
    for st in mine:
        for ev in st.evidence:
            for q in ev.quantities:
                assert re.search(rf"\b{q.value:g}\b", sections[st.section or ""]), (st.id, q.value)


def test_mirna_curies_exist_in_mirbase(shared: Path, cur: Curated) -> None:
    fasta = (shared / "data" / "mirbase" / "mature.fa").read_text(encoding="utf-8")
    index = dict(re.findall(r"^>(\S+) (MIMAT\d+)", fasta, flags=re.MULTILINE))
    for e in cur.entities.values():
        if cur.origin["entity:" + e.id] != FILE or e.type != "mirna":
            continue
        name = (e.curie or "").removeprefix("mirbase:")
        assert name in index, f"{e.id}: {name} not in miRBase mature.fa"
        assert f"mirbase:{index[name]}" in e.xrefs, (
            f"{e.id}: MIMAT mismatch, expected {index[name]}"
        )
