"""Sections 3.1-3.2 (neuroprotection, axon regeneration): statements checked against the seed text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exosci.kb import load_curated
from exosci.kb.curated import Curated
from exosci.kb.schema import PREDICATES, Quantity, Statement

FILE = "mechanisms_neuro.yaml"
# "(48, 49)", "(51–53)", "(46)": citation groups; ranges use an en dash or a hyphen.
CITATION = re.compile(r"\((\d+(?:\s*[–-]\s*\d+)?(?:\s*,\s*\d+(?:\s*[–-]\s*\d+)?)*)\)")


@pytest.fixture(scope="module")
def curated() -> Curated:
    return load_curated()


@pytest.fixture(scope="module")
def ours(curated: Curated) -> list[Statement]:
    return [s for s in curated.statements if curated.origin["statement:" + s.id] == FILE]


def _section_text(shared: Path, section: str) -> str:
    """Running text of review section 3.1 or 3.2, without the Table 1/2 rows printed inside it."""
    text = (shared / "seed" / "exosome-sci-review.txt").read_text(encoding="utf-8")
    starts = {"3.1": "\n3.1 Promote neural protection\n", "3.2": "\n3.2 Promote axon regeneration"}
    ends = {"3.1": "\n3.2 Promote axon regeneration", "3.2": "\n3.3 Inflammation suppression"}
    body = text.split(starts[section], 1)[1].split(ends[section], 1)[0]
    keep = [ln for ln in body.splitlines() if "\t" not in ln and not ln.startswith("TABLE ")]
    return "\n".join(keep)


def _numbers(group: str) -> set[int]:
    out: set[int] = set()
    for part in group.split(","):
        bounds = [int(x) for x in re.split(r"[–-]", part.strip())]
        out.update(range(bounds[0], bounds[-1] + 1))
    return out


def _cited(text: str) -> set[int]:
    return {n for m in CITATION.finditer(text) for n in _numbers(m.group(1))}


def _next_citation(text: str, phrase: str) -> set[int]:
    """Reference numbers of the first citation group after ``phrase`` (the one that backs it)."""
    pos = text.index(phrase)
    m = CITATION.search(text, pos)
    assert m is not None, f"no citation after {phrase!r}"
    return _numbers(m.group(1))


def test_enough_statements_in_both_sections(ours: list[Statement]) -> None:
    assert len(ours) >= 45
    assert {s.section for s in ours} == {"3.1", "3.2"}
    assert len({s.id for s in ours}) == len(ours)
    assert all(s.id.startswith("st:neuro:") for s in ours)


def test_every_cited_reference_is_cited_in_that_section(
    shared: Path, ours: list[Statement]
) -> None:
    cited = {sec: _cited(_section_text(shared, sec)) for sec in ("3.1", "3.2")}
    # sanity: the parser sees the ranges and groups of both sections
    assert {51, 52, 53, 46, 65} <= cited["3.1"] and {66, 77, 88} <= cited["3.2"]
    bad = [
        (s.id, n)
        for s in ours
        for ev in s.evidence
        for n in ev.refs
        if n not in cited[s.section or ""]
    ]
    assert not bad, f"refs not cited in the statement's section: {bad}"


def test_texts_are_paraphrases_not_copies(shared: Path, ours: list[Statement]) -> None:
    seed = " ".join(_section_text(shared, s) for s in ("3.1", "3.2"))
    for st in ours:
        for ev in st.evidence:
            words = ev.text.split()
            # no run of 10 consecutive words taken over verbatim
            for i in range(len(words) - 9):
                assert " ".join(words[i : i + 10]) not in seed, f"{st.id}: copied text"


# (section, phrase in the seed, value, unit, word in the measure, species or None)
QUANTITIES = [
    ("3.1", "eight times", 8.0, "fold", "concentration", None),
    ("3.1", "recovery rate was 67%", 67.0, "%", "recovery", "monkey"),
    ("3.2", "PSD volume by 2.1 times", 2.1, "fold", "postsynaptic density volume", "rat"),
    ("3.2", "transmission efficiency by 40%", 40.0, "%", "synaptic transmission", "rat"),
    ("3.2", "synaptic density to 68%", 68.0, "%", "synaptic density", None),
    ("3.2", "axonal regeneration to 58%", 58.0, "%", "axonal regeneration", "monkey"),
]


@pytest.mark.parametrize(("section", "phrase", "value", "unit", "measure", "species"), QUANTITIES)
def test_quantitative_findings_match_the_seed(
    shared: Path,
    ours: list[Statement],
    section: str,
    phrase: str,
    value: float,
    unit: str,
    measure: str,
    species: str | None,
) -> None:
    text = _section_text(shared, section)
    assert phrase in text, f"seed no longer says {phrase!r}"
    seed_refs = _next_citation(text, phrase)
    hits: list[tuple[Statement, list[int], str, Quantity]] = [
        (st, ev.refs, ev.species, q)
        for st in ours
        for ev in st.evidence
        for q in ev.quantities
        if q.value == pytest.approx(value) and q.unit == unit and measure in q.measure.lower()
    ]
    assert len(hits) == 1, f"{phrase}: {len(hits)} matching quantities"
    st, refs, ev_species, q = hits[0]
    assert st.section == section
    assert set(refs) == seed_refs, f"{st.id} cites {refs}, seed cites {sorted(seed_refs)}"
    assert q.comparator, f"{st.id}: quantity without comparator"
    if species is not None:
        assert ev_species == species


def _edges(curated: Curated) -> set[tuple[str, str, str]]:
    return {(s.subject, s.predicate, s.object) for s in curated.statements}


# Chains as the review tells them, node, predicate, node, ...; expected net sign at the end.
CHAINS = {
    "msc-exos-nrf2-gch1-bh4-ferroptosis": (
        ["src:msc", "secretes", "exo:msc", "activates", "gene:nfe2l2", "activates", "pw:nrf2-are"]
        + ["increases_amount", "gene:gch1", "increases_amount", "chem:bh4", "inhibits"]
        + ["proc:ferroptosis", "inhibits", "mech:neuroprotection", "promotes"]
        + ["out:functional-recovery"],
        1,
    ),
    "ec-exos-mir199-pten-pi3k-mtor-axon": (
        ["src:endothelial", "secretes", "exo:endothelial", "increases_amount", "mir:mir-199-5p"]
        + ["decreases_amount", "gene:pten", "inhibits", "pw:pi3k-akt", "activates", "pw:mtor"]
        + ["promotes", "proc:axon-growth", "promotes", "mech:axon-regeneration", "promotes"]
        + ["out:functional-recovery"],
        1,
    ),
    "bmsc-exos-pten-pi3k-axon": (
        ["src:bmsc", "secretes", "exo:bmsc", "decreases_amount", "gene:pten", "inhibits"]
        + ["pw:pi3k-akt", "promotes", "proc:axon-growth", "promotes", "mech:axon-regeneration"],
        1,
    ),
    "admsc-exos-ifng-as1-mir21a-pi3k-apoptosis": (
        ["src:admsc", "secretes", "exo:admsc", "carries", "rna:ifng-as1", "decreases_amount"]
        + ["mir:mir-21a-3p", "inhibits", "pw:pi3k-akt", "inhibits", "proc:neuronal-apoptosis"]
        + ["inhibits", "mech:neuroprotection"],
        1,
    ),
    "cd146-cd271-exos-mir27a-dll4": (
        ["src:cd146-cd271-ucmsc", "secretes", "exo:cd146-cd271-ucmsc", "carries"]
        + ["mir:mir-27a-3p", "decreases_amount", "gene:dll4", "promotes"]
        + ["proc:neuronal-apoptosis", "inhibits", "mech:neuroprotection"],
        1,
    ),
    "bdnf-sev-trkb-pi3k-survival": (
        ["src:msc", "secretes", "exo:bdnf-msc-sev", "carries", "gene:bdnf", "activates"]
        + ["gene:ntrk2", "activates", "pw:pi3k-akt", "promotes", "proc:neuronal-survival"]
        + ["promotes", "mech:neuroprotection", "promotes", "out:functional-recovery"],
        1,
    ),
    "exos-ngf-mapk-survival": (
        ["exo:exosome", "carries", "gene:ngf", "activates", "pw:mapk", "promotes"]
        + ["proc:neuronal-survival", "promotes", "mech:neuroprotection"],
        1,
    ),
    "exos-bcl2-cytochrome-c-apoptosis": (
        ["exo:exosome", "carries", "gene:bcl2", "inhibits", "proc:cytochrome-c-release"]
        + ["promotes", "proc:neuronal-apoptosis", "inhibits", "mech:neuroprotection"],
        1,
    ),
    "ucmsc-exos-pink1-parkin-mitophagy-ferroptosis": (
        ["src:ucmsc", "secretes", "exo:ucmsc", "activates", "gene:pink1", "activates"]
        + ["gene:prkn", "promotes", "proc:mitophagy", "inhibits", "proc:ferroptosis"]
        + ["inhibits", "mech:neuroprotection"],
        1,
    ),
    "cd271-cd56-bmsc-exos-mir431-axon": (
        ["src:cd271-cd56-bmsc", "secretes", "exo:cd271-cd56-bmsc", "carries", "mir:mir-431-3p"]
        + ["promotes", "proc:axon-growth", "promotes", "mech:axon-regeneration", "promotes"]
        + ["out:functional-recovery"],
        1,
    ),
    "exercise-jnk1-cjun-psd95-synapses": (
        ["int:exercise", "activates", "gene:mapk8", "activates", "gene:jun", "increases_amount"]
        + ["gene:dlg4", "promotes", "proc:synapse-formation", "promotes"]
        + ["mech:axon-regeneration"],
        1,
    ),
    "exos-nedd4-robo-axon": (
        ["exo:exosome", "carries", "gene:nedd4", "decreases_amount", "gene:robo1", "inhibits"]
        + ["proc:axon-growth", "promotes", "mech:axon-regeneration"],
        1,
    ),
    "mir155-ndfip1-pten-astrocytes-scar": (
        ["mir:mir-155-5p", "decreases_amount", "gene:ndfip1", "increases_amount", "gene:pten"]
        + ["inhibits", "proc:a1-astrocyte-activation", "promotes", "proc:glial-scar"],
        1,
    ),
    "rvg-bdnf-exos-synapses": (
        ["exo:rvg-bdnf", "carries", "gene:bdnf", "activates", "gene:ntrk2", "activates"]
        + ["pw:mapk", "promotes", "proc:synapse-formation"],
        1,
    ),
    "nrg1-pi3k-mtor-oligodendrocytes-myelin": (
        ["gene:nrg1", "activates", "pw:pi3k-akt", "activates", "pw:mtor", "promotes"]
        + ["proc:oligodendrocyte-differentiation", "promotes", "proc:myelination", "promotes"]
        + ["mech:axon-regeneration"],
        1,
    ),
}


@pytest.mark.parametrize("name", list(CHAINS))
def test_chain_present_edge_by_edge_with_its_sign(curated: Curated, name: str) -> None:
    seq, expected = CHAINS[name]
    edges = _edges(curated)
    sign = 1
    for i in range(0, len(seq) - 2, 2):
        edge = (seq[i], seq[i + 1], seq[i + 2])
        assert edge in edges, f"{name}: missing edge {edge}"
        sign *= PREDICATES[seq[i + 1]] or 1
    assert sign == expected


def test_each_neural_mechanism_links_to_functional_recovery_once(ours: list[Statement]) -> None:
    for mech in ("mech:neuroprotection", "mech:axon-regeneration"):
        links = [s for s in ours if s.subject == mech and s.object == "out:functional-recovery"]
        assert len(links) == 1 and links[0].predicate == "promotes", mech


def test_signs_follow_the_biology(ours: list[Statement]) -> None:
    for st in ours:
        # a miRNA acting on PTEN lowers it
        if st.subject.startswith("mir:") and st.object == "gene:pten":
            assert st.predicate == "decreases_amount", st.id
        # PTEN opposes PI3K/Akt
        if st.subject == "gene:pten" and st.object == "pw:pi3k-akt":
            assert st.predicate == "inhibits", st.id
        # harmful processes oppose the mechanisms; helpful ones promote them
        if st.object.startswith("mech:"):
            harmful = st.subject in {"proc:neuronal-apoptosis", "proc:ferroptosis"}
            assert PREDICATES[st.predicate] == (-1 if harmful else 1), st.id
        # survival signalling never promotes cell death
        if st.subject in {"pw:pi3k-akt", "pw:mapk"} and st.object in {
            "proc:neuronal-apoptosis",
            "proc:ferroptosis",
        }:
            assert PREDICATES[st.predicate] == -1, st.id


def test_every_molecule_defined_here_reaches_a_mechanism(curated: Curated) -> None:
    causal: dict[str, set[str]] = {}
    for s in curated.statements:
        if PREDICATES[s.predicate] != 0:
            causal.setdefault(s.subject, set()).add(s.object)
    mine = [
        e.id
        for e in curated.entities.values()
        if curated.origin["entity:" + e.id] == FILE and e.type in {"mirna", "rna", "gene"}
    ]
    assert len(mine) >= 30
    for start in mine:
        seen, todo = {start}, [start]
        while todo:
            for nxt in causal.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        assert any(n.startswith("mech:") for n in seen), f"{start} reaches no mechanism"


def test_mirna_curies_exist_in_mirbase(shared: Path, curated: Curated) -> None:
    fasta = (shared / "data" / "mirbase" / "mature.fa").read_text(encoding="utf-8")
    mimat = dict(re.findall(r"^>(\S+) (MIMAT\d+)", fasta, flags=re.MULTILINE))
    mirs = [
        e
        for e in curated.entities.values()
        if e.type == "mirna" and curated.origin["entity:" + e.id] == FILE
    ]
    assert {e.id for e in mirs} >= {
        "mir:mir-21a-3p",
        "mir:mir-27a-3p",
        "mir:mir-26a",
        "mir:mir-199-5p",
        "mir:mir-431-3p",
    }
    for ent in mirs:
        if ent.curie is None:  # ambiguous review name: candidates must be real miRBase entries
            for cand in ent.attributes["mirbase_candidates"]:
                name, acc = str(cand).split()
                assert mimat.get(name) == acc, cand
            continue
        name = ent.curie.removeprefix("mirbase:")
        assert name in mimat, f"{ent.id}: {name} not in miRBase mature.fa"
        assert f"mirbase:{mimat[name]}" in ent.xrefs, f"{ent.id}: MIMAT xref missing"
        assert ent.name.startswith("miR-"), ent.name
