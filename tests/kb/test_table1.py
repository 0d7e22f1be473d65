"""Table 1 of the review (9 cell sources x 7 attributes) as curated in sources.yaml.

The ordinal grades are checked against the review's own wording, parsed from the seed text, so a
mis-graded row fails even if the curated prose looks plausible.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exosci.kb import load_curated
from exosci.kb.schema import Entity

TABLE1_IDS = [
    "src:ucmsc",
    "src:admsc",
    "src:bmsc",
    "src:nsc",
    "src:microglia",
    "src:schwann",
    "src:endothelial",
    "src:macrophage",
    "src:ipsc",
]
COLUMNS = (
    "functions",
    "acquisition",
    "expansion",
    "immunogenicity",
    "advantages",
    "limitations",
    "translational_potential",
)
GRADE_RANGES = {
    "acquisition_grade": (1, 3),
    "expansion_grade": (1, 3),
    "immunogenicity_grade": (1, 2),
    "translational_grade": (2, 4),
}
# First-column keyword of the seed table -> our id.
ROW_KEYS = {
    "umbilical cord": "src:ucmsc",
    "adipose": "src:admsc",
    "bone marrow": "src:bmsc",
    "neural stem": "src:nsc",
    "microglial": "src:microglia",
    "schwann": "src:schwann",
    "endothelial": "src:endothelial",
    "macrophag": "src:macrophage",
    "induced pluripotent": "src:ipsc",
}


@pytest.fixture(scope="module")
def rows() -> dict[str, Entity]:
    ents = load_curated().entities
    return {i: ents[i] for i in TABLE1_IDS if i in ents}


def _seed_table1(shared: Path) -> dict[str, list[str]]:
    """Our id -> the 8 tab-separated cells of that row in the seed's Table 1."""
    text = (shared / "seed" / "exosome-sci-review.txt").read_text(encoding="utf-8")
    block = text.split("TABLE 1", 1)[1].split("TABLE 2", 1)[0]
    out: dict[str, list[str]] = {}
    for line in block.splitlines():
        cells = line.split("\t")
        if len(cells) != 8 or cells[0].startswith("Different cell sources"):
            continue
        first = cells[0].lower()
        matches = [rid for key, rid in ROW_KEYS.items() if key in first]
        assert len(matches) == 1, f"cannot map Table 1 row {cells[0]!r}"
        out[matches[0]] = cells
    return out


def _ref_numbers(cell: str) -> list[int]:
    """Reference numbers in the last parenthesis of a cell, with ranges such as 155-157 expanded."""
    inner = re.findall(r"\(([\d,\s–-]+)\)", cell)[-1]
    nums: list[int] = []
    for part in inner.split(","):
        lo, _, hi = part.strip().replace("–", "-").partition("-")
        nums += list(range(int(lo), int(hi or lo) + 1))
    return nums


# --- the review's wording -> grade (the scale documented at the top of sources.yaml) ---------
def _acquisition_grade(text: str) -> int:
    t = text.lower()
    if "difficult" in t:
        return 3
    if "relatively easy" in t or "moderate" in t:
        return 2
    if "easy" in t:
        return 1
    raise AssertionError(f"unrecognised acquisition wording: {text!r}")


_EASY_EXPANSION = ("easy to separate", "strong amplification", "is high", "easy to isolate")
_HARD_EXPANSION = ("limited", "complex", "difficult", "unstable", "poor", "cumbersome")


def _expansion_grade(text: str) -> int:
    t = text.lower()
    if "moderate" in t:
        return 2
    easy = any(k in t for k in _EASY_EXPANSION)
    hard = any(k in t for k in _HARD_EXPANSION)
    if easy and not hard:
        return 1
    if hard and not easy:
        return 3
    return 2  # easy in one respect and hard in another


def _immunogenicity_grade(text: str) -> int:
    first = re.split(r"[^a-z]", text.strip().lower(), maxsplit=1)[0]
    return {"low": 1, "moderate": 2}[first]


def _translational_grade(text: str) -> int:
    t = text.strip().lower()
    if t.startswith("relatively high"):
        return 3
    if t.startswith("high"):
        return 4
    if t.startswith("moderate"):
        return 2
    raise AssertionError(f"unrecognised clinical-potential wording: {text!r}")


def test_nine_rows_with_every_column(rows: dict[str, Entity]) -> None:
    assert sorted(rows) == sorted(TABLE1_IDS)
    for rid, ent in rows.items():
        assert ent.type == "cell_source"
        for col in COLUMNS:
            value = ent.attributes.get(col)
            assert value, f"{rid}: Table 1 column {col!r} missing or empty"
            if isinstance(value, list):
                assert all(isinstance(v, str) and v for v in value), (rid, col)
        assert ent.attributes.get("table1_refs") or ent.refs, f"{rid}: no Table 1 references"
    assert sorted(int(e.attributes["table1_row"]) for e in rows.values()) == list(range(1, 10))  # type: ignore[arg-type]


def test_grades_in_range(rows: dict[str, Entity]) -> None:
    for rid, ent in rows.items():
        for key, (lo, hi) in GRADE_RANGES.items():
            grade = ent.attributes.get(key)
            assert isinstance(grade, int) and not isinstance(grade, bool), (rid, key, grade)
            assert lo <= grade <= hi, f"{rid}: {key}={grade} outside {lo}-{hi}"


def test_every_grade_level_is_used(rows: dict[str, Entity]) -> None:
    # A scale whose levels never occur would be a sign of a collapsed, uninformative grading.
    for key, (lo, hi) in GRADE_RANGES.items():
        used = {ent.attributes[key] for ent in rows.values()}
        assert used == set(range(lo, hi + 1)), (key, used)


def test_grades_match_the_review_wording(shared: Path, rows: dict[str, Entity]) -> None:
    seed = _seed_table1(shared)
    assert sorted(seed) == sorted(TABLE1_IDS)
    for rid, cells in seed.items():
        attrs = rows[rid].attributes
        expected = {
            "acquisition_grade": _acquisition_grade(cells[2]),
            "expansion_grade": _expansion_grade(cells[3]),
            "immunogenicity_grade": _immunogenicity_grade(cells[4]),
            "translational_grade": _translational_grade(cells[7]),
        }
        got = {k: attrs[k] for k in expected}
        assert got == expected, f"{rid}: grades {got} but the review's wording gives {expected}"


def test_curated_prose_agrees_with_grades(rows: dict[str, Entity]) -> None:
    # Our paraphrase must open with the same level word the grade encodes.
    for rid, ent in rows.items():
        imm = str(ent.attributes["immunogenicity"])
        assert _immunogenicity_grade(imm) == ent.attributes["immunogenicity_grade"], rid
        tr = str(ent.attributes["translational_potential"])
        assert _translational_grade(tr) == ent.attributes["translational_grade"], rid


def test_row_references_match_the_review(shared: Path, rows: dict[str, Entity]) -> None:
    seed = _seed_table1(shared)
    for rid, cells in seed.items():
        ours = rows[rid].attributes.get("table1_refs")
        assert isinstance(ours, list)
        assert sorted(int(n) for n in ours) == sorted(_ref_numbers(cells[0])), rid
        assert set(int(n) for n in ours) <= set(rows[rid].refs), f"{rid}: refs omit table refs"


def test_each_row_has_its_exosome_product() -> None:
    cur = load_curated()
    for rid in TABLE1_IDS:
        exo = "exo:" + rid.split(":", 1)[1]
        assert cur.entities[exo].type == "exosome"
        links = {(s.subject, s.predicate, s.object) for s in cur.statements}
        assert (rid, "secretes", exo) in links
        assert (exo, "derived_from", rid) in links


def test_moderate_is_grade_2_in_every_column(shared: Path, rows: dict[str, Entity]) -> None:
    # One word scale across the columns: where the review's cell says "moderate", the grade is 2
    # (translational potential used to put "moderate" at 1 while the other columns put it at 2).
    table = _seed_table1(shared)
    cols = {2: "acquisition_grade", 3: "expansion_grade", 4: "immunogenicity_grade"}
    cols[7] = "translational_grade"
    checked = 0
    for rid, cells in table.items():
        for idx, key in cols.items():
            if cells[idx].strip().lower().startswith("moderate") or "moderate acquisition" in (
                cells[idx].lower()
            ):
                assert rows[rid].attributes[key] == 2, (rid, key, cells[idx])
                checked += 1
    assert checked >= 8
