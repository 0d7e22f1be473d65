"""Table 3 (nano-delivery systems) and the section 4 combination claims, as curated in delivery.yaml."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exosci.kb import load_curated
from exosci.kb.curated import Curated
from exosci.kb.schema import PREDICATES

SYSTEMS = {
    "liposome": "dds:exosome-liposome",
    "polymer": "dds:exosome-polymer-nanoparticle",
    "inorganic": "dds:exosome-inorganic-nanoparticle",
    "micellar": "dds:exosome-micelle",
    "hydrogel": "dds:exosome-hydrogel",
    "metal-organic": "dds:exosome-mof",
    "virus-like": "dds:exosome-vlp",
}
COLUMNS = ("loaded_drugs", "targets", "advantages", "disadvantages")
MATERIALS = {
    "mat:hydrogel": "hydrogel",
    "mat:collagen-scaffold": "scaffold",
    "mat:gelatin-sponge": "sponge",
    "mat:ha-nanofibre-patch": "patch",
    "mat:decm-hydrogel": "hydrogel",
    "mat:pla": "scaffold",
    "mat:pva": "scaffold",
    "mat:self-assembling-peptide": "scaffold",
    "mat:light-cured-hydrogel": "hydrogel",
    "mat:hyaluronic-acid-hydrogel": "hydrogel",
}
KINDS = {"hydrogel", "scaffold", "sponge", "patch", "nanoparticle"}


@pytest.fixture(scope="module")
def cur() -> Curated:
    return load_curated()


def _seed_table3(shared: Path) -> dict[str, list[str]]:
    """Our dds id -> the 5 tab-separated cells of its row in the seed's Table 3."""
    text = (shared / "seed" / "exosome-sci-review.txt").read_text(encoding="utf-8")
    block = text.split("TABLE 3", 1)[1].split("4.1 Combining Exos", 1)[0]
    rows: dict[str, list[str]] = {}
    for line in block.splitlines():
        cells = line.split("\t")
        if len(cells) != 5 or cells[0].startswith("Types of"):
            continue
        key = [k for k in SYSTEMS if k in cells[0].lower()]
        assert len(key) == 1, f"cannot map Table 3 row {cells[0]!r}"
        rows[SYSTEMS[key[0]]] = cells
    return rows


def _refs(cell: str) -> list[int]:
    inner = re.findall(r"\(([\d,\s–-]+)\)", cell)[-1]
    out: list[int] = []
    for part in inner.split(","):
        lo, _, hi = part.strip().replace("–", "-").partition("-")
        out += list(range(int(lo), int(hi or lo) + 1))
    return out


def test_seven_systems_with_all_four_columns(cur: Curated) -> None:
    dds = {e.id: e for e in cur.entities.values() if e.type == "delivery_system"}
    assert set(SYSTEMS.values()) <= set(dds)
    for sid in SYSTEMS.values():
        ent = dds[sid]
        for col in COLUMNS:
            value = ent.attributes.get(col)
            assert isinstance(value, list) and value, f"{sid}: column {col} missing"
            assert all(isinstance(v, str) and 0 < len(v) <= 80 for v in value), (sid, col)
        assert 132 in ent.refs, f"{sid}: Table 3's shared reference 132 missing"
    rows = sorted(int(dds[s].attributes["table3_row"]) for s in SYSTEMS.values())  # type: ignore[arg-type]
    assert rows == list(range(1, 8))


def test_rows_match_the_review(cur: Curated, shared: Path) -> None:
    seed = _seed_table3(shared)
    assert sorted(seed) == sorted(SYSTEMS.values())
    for sid, cells in seed.items():
        ent = cur.entities[sid]
        table_refs = ent.attributes["table3_refs"]
        assert isinstance(table_refs, list)
        assert sorted(int(n) for n in table_refs) == _refs(cells[0]), sid
        assert set(_refs(cells[0])) <= set(ent.refs), sid
        # Disease targets: same count, and SCI flagged exactly when the review lists it.
        seed_targets = [t.strip() for t in cells[2].split(",")]
        targets = ent.attributes["targets"]
        assert isinstance(targets, list) and len(targets) == len(seed_targets), sid
        assert ent.attributes["targets_sci"] is ("SCI" in seed_targets), sid
        assert ("spinal cord injury" in targets) is ("SCI" in seed_targets), sid


def test_duplicated_hydrogel_disadvantages_are_flagged(cur: Curated, shared: Path) -> None:
    seed = _seed_table3(shared)
    hydrogel, micelle = cur.entities[SYSTEMS["hydrogel"]], cur.entities[SYSTEMS["micellar"]]
    if seed[hydrogel.id][4] == seed[micelle.id][4]:
        assert hydrogel.attributes["disadvantages"] == micelle.attributes["disadvantages"]
        assert "copy error" in str(hydrogel.attributes.get("disadvantages_note", ""))
    for sid in SYSTEMS.values():
        if sid != hydrogel.id:
            assert "disadvantages_note" not in cur.entities[sid].attributes


def test_biomaterials_present_with_usable_attributes(cur: Curated) -> None:
    for mid, kind in MATERIALS.items():
        ent = cur.entities[mid]
        assert ent.type == "material" and ent.refs, mid
        assert ent.attributes.get("kind") == kind, mid
    for ent in cur.entities.values():
        if ent.type != "material":
            continue
        assert ent.attributes.get("kind") in KINDS, ent.id
        release = ent.attributes.get("release")
        assert isinstance(release, str) and release, f"{ent.id}: release claim missing"
        # The review gives qualitative release claims only: no invented rates or half-lives.
        assert not re.search(r"\d", release.replace("Table 3", "")), (ent.id, release)


def _triples(cur: Curated) -> dict[tuple[str, str, str], list[int]]:
    out: dict[tuple[str, str, str], list[int]] = {}
    for st in cur.statements:
        out.setdefault((st.subject, st.predicate, st.object), []).extend(
            n for ev in st.evidence for n in ev.refs
        )
    return out


@pytest.mark.parametrize(
    ("triple", "ref"),
    [
        (("exo:msc-pten-sirna", "carries", "rna:pten-sirna"), 137),
        (("exo:msc-pten-sirna", "administered_by", "route:intranasal"), 137),
        (("exo:msc-pten-sirna", "promotes", "out:functional-recovery"), 137),
        (("exo:msc-pten-sirna", "promotes", "out:sensory-recovery"), 137),
        (("exo:msc-pten-sirna", "promotes", "out:urinary-recovery"), 137),
        (("rna:pten-sirna", "decreases_amount", "gene:pten"), 137),
        (("exo:m2-berberine", "carries", "chem:berberine"), 139),
        (("exo:m2-berberine", "promotes", "out:functional-recovery"), 139),
        (("exo:schwann", "delivered_by", "mat:ha-nanofibre-patch"), 55),
        (("chem:methylprednisolone", "delivered_by", "mat:ha-nanofibre-patch"), 55),
        (("exo:cortical-neuron", "delivered_by", "mat:decm-hydrogel"), 190),
        (("exo:mir21-loaded", "delivered_by", "mat:collagen-scaffold"), 129),
        (("mat:collagen-scaffold", "promotes", "proc:exosome-retention"), 129),
        (("exo:ucmsc", "delivered_by", "mat:collagen-scaffold"), 130),
        (("exo:ucmsc", "delivered_by", "mat:gelatin-sponge"), 122),
        (("exo:m2-microglia", "promotes", "out:functional-recovery"), 126),
        (("exo:msc", "promotes", "out:functional-recovery"), 127),
        (("mat:microneedle-patch", "promotes", "proc:exosome-retention"), 125),
        (("mat:hydrogel", "promotes", "proc:exosome-retention"), 106),
    ],
)
def test_combination_claims(cur: Curated, triple: tuple[str, str, str], ref: int) -> None:
    triples = _triples(cur)
    assert triple in triples, f"missing statement {triple}"
    assert ref in triples[triple], f"{triple} does not cite ref {ref}"


def test_study_context_of_the_loaded_vesicles(cur: Curated) -> None:
    by_id = {st.id: st for st in cur.statements}
    guo = by_id["st:del:pten-sirna-exos-motor"].evidence[0]
    assert (guo.species, guo.route, guo.model) == ("rat", "intranasal", "in_vivo")
    gao = by_id["st:del:berberine-m2exo-recovery"].evidence[0]
    assert (gao.species, gao.model) == ("mouse", "in_vivo")
    for sid in ("st:del:guan-m2-exos-recovery", "st:del:li-msc-exos-recovery"):
        assert by_id[sid].evidence[0].species == "rat", sid


def test_causal_edges_end_where_reasoning_can_use_them(cur: Curated) -> None:
    mine = [s for s in cur.statements if cur.origin["statement:" + s.id] == "delivery.yaml"]
    assert len(mine) >= 40
    for st in mine:
        if PREDICATES[st.predicate] != 0 and st.predicate != "carries":
            target = cur.entities[st.object]
            assert target.type in {"process", "mechanism", "outcome", "gene"}, st.id
    # Each delivery hook reaches the outcome node in one signed step.
    for hook in ("proc:exosome-retention", "proc:exosome-targeting"):
        assert (hook, "promotes", "out:functional-recovery") in _triples(cur)
