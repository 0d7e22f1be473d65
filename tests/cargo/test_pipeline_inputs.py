"""Issue 22 items 1-3 and 6: tables as small-RNA pipelines and qPCR panels really write them.

Each file below is shaped like a real one (suffix ids from a miRge/sRNAbench-style table,
European Excel with semicolons and decimal commas, a qPCR panel with a U6 row and a
cel-miR-39 spike-in, let-7 precursor loci, a count table listing a miRNA twice).
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from exosci.cargo.inputs import read_mirnas
from exosci.cargo.mirna_names import normalize_mirnas
from exosci.cli import app


def _enrich(path: Path, *extra: str) -> tuple[int, dict | None, str]:
    res = CliRunner().invoke(app, ["cargo", "enrich", str(path), "--json", *extra])
    doc = json.loads(res.stdout) if res.exit_code == 0 else None
    return res.exit_code, doc, res.output


def test_pipeline_suffix_ids_resolve_to_both_arms_of_their_precursor(tmp_path: Path) -> None:
    f = tmp_path / "mirge.csv"
    f.write_text(
        "miRNA,s1,s2\n"
        "hsa-mir-7-1_mature,120,98\n"
        "hsa-mir-145_mature,40,51\n"
        "hsa-mir-21_precursor,900,870\n"
        "hsa-mir-126_stemloop,60,75\n"
    )
    code, doc, out = _enrich(f)
    assert code == 0, out
    got = {(r["input"], r["name"]) for r in doc["mirnas"]["recognized"]}
    assert ("hsa-mir-7-1_mature", "hsa-miR-7-5p") in got
    assert ("hsa-mir-7-1_mature", "hsa-miR-7-1-3p") in got  # arm not decidable: both kept
    assert ("hsa-mir-145_mature", "hsa-miR-145-5p") in got
    assert doc["mirnas"]["unrecognized"] == []


def test_unknown_suffix_id_is_suggested_its_family_not_lookalike_numbers() -> None:
    """An arm-less pipeline id is compared with arm-less names: hsa-mir-146z_mature's closest
    are the miR-146 arms, not miR-147a or miR-1246 (edit distance inflated by the suffix)."""
    res = normalize_mirnas(["hsa-mir-146z_mature"])
    (u,) = res.unrecognized
    assert all(s.startswith("hsa-miR-146") for s in u.suggestions[:4]), u.suggestions


def test_semicolon_table_with_decimal_commas_is_read_as_a_table(tmp_path: Path) -> None:
    f = tmp_path / "excel.csv"
    f.write_text("miRNA;ctrl;treated\nhsa-miR-21-5p;12,5;30,25\nhsa-miR-146a-5p;4,0;8,5\n")
    inp = read_mirnas(f)
    assert inp.kind == "counts"
    assert inp.counts is not None
    assert inp.counts.loc["hsa-miR-21-5p", "treated"] == 30.25
    code, doc, out = _enrich(f)
    assert code == 0, out
    assert {r["name"] for r in doc["mirnas"]["recognized"]} == {"hsa-miR-21-5p", "hsa-miR-146a-5p"}


def test_control_and_spike_in_probes_are_set_aside_not_fatal(tmp_path: Path) -> None:
    f = tmp_path / "taqman.txt"
    f.write_text(
        "hsa-miR-21-5p\nHuman U6 snRNA\nRNU44\nRNU48\ncel-miR-39\nath-miR159a\nhsa-miR-124-3p\n"
    )
    code, doc, out = _enrich(f)
    assert code == 0, out
    controls = {c["name"]: c["kind"] for c in doc["mirnas"]["controls"]}
    assert controls["Human U6 snRNA"] == "reference small RNA"
    assert controls["cel-miR-39"] == "exogenous spike-in"
    assert set(controls) == {"Human U6 snRNA", "RNU44", "RNU48", "cel-miR-39", "ath-miR159a"}
    assert {r["name"] for r in doc["mirnas"]["recognized"]} == {"hsa-miR-21-5p", "hsa-miR-124-3p"}
    assert any("control/spike-in" in n for n in doc["notes"])


def test_let7_precursor_loci_give_the_shared_5p_and_their_own_3p() -> None:
    res = normalize_mirnas(["hsa-let-7a-1", "hsa-let-7a-2"])
    by_input: dict[str, set[str]] = {}
    for r in res.recognized:
        by_input.setdefault(r.input, set()).add(r.name)
    assert by_input["hsa-let-7a-2"] == {"hsa-let-7a-5p", "hsa-let-7a-2-3p"}
    assert "hsa-let-7a-5p" in by_input["hsa-let-7a-1"]
    assert res.unrecognized == []


def test_duplicated_count_rows_are_summed_and_said(tmp_path: Path) -> None:
    f = tmp_path / "dup.tsv"
    f.write_text(
        "id\ta\tb\nhsa-miR-21-5p\t100\t200\nhsa-miR-21-5p\t50\t25\nhsa-miR-146a-5p\t80\t90\n"
    )
    inp = read_mirnas(f)
    assert inp.counts is not None
    assert inp.counts.loc["hsa-miR-21-5p"].tolist() == [150.0, 225.0]
    code, doc, out = _enrich(f)
    assert code == 0, out
    notes = " ".join(doc["notes"])
    assert "repeated name" in notes and "rows summed" in notes
    assert "of 3 miRNAs" not in notes  # the pooled count was once larger than the table


def test_no_recognised_mirna_is_exit_2_with_the_likeliest_reason(tmp_path: Path) -> None:
    f = tmp_path / "genes.txt"
    f.write_text("PTEN\nSOCS3\nTLR4\n")
    code, _, out = _enrich(f)
    assert code == 2
    assert "none of 3 names is a known miRNA" in out


def test_counts_as_samples_by_mirnas_are_transposed_and_said() -> None:
    """Issue 21 item 3: ``adata.to_df()`` gives samples x miRNAs; read as miRNAs x samples it
    recognised nothing and returned all p = 1 without an error."""
    import pandas as pd

    import exosci as ex

    wide = pd.DataFrame(
        {"hsa-miR-21-5p": [100, 200], "hsa-miR-146a-5p": [50, 60], "hsa-miR-124-3p": [30, 40]},
        index=["s1", "s2"],
    )
    res = ex.cargo.enrich(counts=wide)
    assert len(res.mirnas.recognized) == 3
    assert any("transposed" in n for n in res.notes)


def test_counts_with_no_mirna_labels_either_way_are_refused() -> None:
    import pandas as pd
    import pytest

    import exosci as ex
    from exosci.errors import UserInputError

    with pytest.raises(UserInputError, match="neither the row labels"):
        ex.cargo.enrich(counts=pd.DataFrame({"a": [1.0]}, index=["x"]))
