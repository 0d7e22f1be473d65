"""The knowledge graph covers what the review names (issue: foundation, 'done when')."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from exosci.cli import app
from exosci.kb import default_kb

FURTHER_SOURCES = [
    "dental pulp stem cells",
    "regulatory T cells",
    "cerebrospinal fluid",
    "spinal cord tissue",
    "M2 macrophages",
    "HUVEC",
    "cortical neurons",
    "CD146+CD271+ UC-MSC",
    "CD271+CD56+ BMSC",
    "UTX-deleted endothelial cells",
    "CD163+ macrophages",
    "astrocytes",
    "tumour cells",
]
BIOMATERIALS = [
    "hydrogel",
    "collagen scaffold",
    "gelatin sponge",
    "hyaluronic acid nanofibre patch",
    "decellularised ECM hydrogel",
    "PLA",
    "PVA",
    "self-assembling peptides",
    "light-cured hydrogel",
]


def test_counts_reach_the_issue_floor() -> None:
    stats = default_kb().stats()
    assert stats["references"] == 194
    assert stats["statements"] >= 100
    assert stats["entities"]["mechanism"] == 5
    # Table 3's seven systems, each a kind of the NDDS group node (which is not one of them).
    kb = default_kb()
    systems = [e for e in kb.curated.entities if e.startswith("dds:") and e != "dds:ndds"]
    assert stats["entities"]["delivery_system"] == len(systems) + 1 == 8
    assert sorted(kb.descendants("dds:ndds")) == sorted(systems)
    table1 = [
        e for e in default_kb().curated.entities.values() if "acquisition_grade" in e.attributes
    ]
    assert len(table1) == 9


@pytest.mark.parametrize("name", FURTHER_SOURCES)
def test_further_sources_resolve_to_cell_sources(name: str) -> None:
    assert default_kb().resolve(name, types=("cell_source",)).type == "cell_source"


@pytest.mark.parametrize("name", BIOMATERIALS)
def test_biomaterials_of_section_4_1_resolve(name: str) -> None:
    assert default_kb().resolve(name, types=("material",)).type == "material"


def test_treg_exosomes_show_cargo_and_cited_statements() -> None:
    res = CliRunner().invoke(app, ["kb", "show", "Treg-derived exosomes", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert {"miR-2861", "miR-709"} <= set(doc["cargo"])
    refs = {n for st in doc["statements"] for ev in st["evidence"] for n in ev["ref"]}
    assert {102, 103} <= refs
    for st in doc["statements"]:
        for ev in st["evidence"]:
            assert len(ev["doi"]) == len(ev["ref"]) and all(d.startswith("10.") for d in ev["doi"])


def test_quantitative_findings_are_typed_numbers() -> None:
    found = {
        (q.value, q.unit)
        for st in default_kb().curated.statements
        for ev in st.evidence
        for q in ev.quantities
    }
    assert (67.0, "%") in found and (58.0, "%") in found and (8.0, "fold") in found


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("BMSC-Exos", "exo:bmsc"),
        ("bone marrow MSC exosomes", "exo:bmsc"),
        ("Treg-derived exosomes", "exo:treg"),
        ("Treg exosomes", "exo:treg"),
        ("NF-kB", "pw:nfkb"),
        ("NF-κB", "pw:nfkb"),
        ("BMSC-HSEV", "exo:bmsc-hypoxia"),
        ("M2-Exos", "exo:m2-macrophage"),
        ("HucMSC-EX", "exo:ucmsc"),
        ("macrophage polarisation", "proc:macrophage-polarization"),  # not the M2 node (issue 9),
    ],
)
def test_names_users_type_resolve(typed: str, expected: str) -> None:
    assert default_kb().resolve(typed).id == expected
