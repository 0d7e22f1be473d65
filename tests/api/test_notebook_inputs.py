"""Issue 21, items 2-4: the inputs a notebook holds are accepted, and what used to fail silently
or with a raw Python error raises a typed exosci error carrying the CLI's message."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import exosci as ex
from exosci.cli import app
from exosci.errors import ExosciWarning, UnknownNameError, UserInputError

runner = CliRunner()


def _cli_message(args: list[str]) -> str:
    out = runner.invoke(app, args)
    assert out.exit_code == 2, out.output
    return " ".join(out.output.split())


def test_explain_with_a_misspelt_object_raises_the_clis_unknown_name_error() -> None:
    with pytest.raises(UnknownNameError) as exc:
        ex.explain("BMSC-Exos", to="angiogensis")
    assert "angiogenesis" in exc.value.suggestions
    assert str(exc.value) in _cli_message(["explain", "BMSC-Exos", "--to", "angiogensis"])


def test_explain_cli_draws_an_inhibitory_step_as_a_blunt_arrow() -> None:
    out = runner.invoke(app, ["explain", "BMSC-Exos", "--to", "neuroinflammation"])
    assert out.exit_code == 0, out.output
    frame = ex.explain("BMSC-Exos", to="neuroinflammation")
    inhibitions = [p for p in frame["path"] if "⊣" in p]
    assert inhibitions  # BMSC exosomes suppress neuroinflammation (review ref 121)
    assert inhibitions[0].split(" ⊣ ")[0] in out.output and "⊣" in out.output


def test_cargo_targets_accept_a_dataframe_of_mirna_gene_pairs() -> None:
    pairs = pd.DataFrame({"mirna": ["hsa-miR-21-5p", "hsa-miR-21-5p"], "gene": ["PTEN", "PDCD4"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExosciWarning)
        res = ex.cargo.enrich(["miR-21-5p"], species="rat", targets=[pairs])
    hit = {g for genes in res.table["genes"] for g in genes}
    assert "PTEN" in hit  # rat miR-21-5p reaches the human pair through the species-free key


def test_cargo_targets_refuse_a_dataframe_without_mirna_and_gene_columns() -> None:
    with pytest.raises(UserInputError, match="columns 'mirna' and 'gene'"):
        ex.cargo.enrich(["miR-21-5p"], targets=[pd.DataFrame({"x": [1]})])


def test_cargo_genesets_accept_a_dict_of_gene_lists() -> None:
    sets = {"toll-like signalling": ["IRAK1", "TRAF6", "MYD88", "TLR4", "NFKB1", "PTEN"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExosciWarning)
        res = ex.cargo.enrich(["miR-146a-5p"], species="rat", genesets=sets, min_size=1)
    row = res.table.set_index("set").loc["toll-like signalling"]
    assert set(row["genes"]) == {"IRAK1", "TRAF6"}  # miR-146a-5p's curated targets (rat)


def test_cargo_genesets_refuse_a_set_given_as_one_string() -> None:
    with pytest.raises(UserInputError, match="expected a list of gene symbols"):
        ex.cargo.enrich(["miR-146a-5p"], genesets={"s": "IRAK1"})


def test_nta_table_reads_paths_and_refuses_other_things(shared: Path) -> None:
    files = sorted((shared / "data/nta/nanosight").glob("*.csv"))[:2]
    table = ex.qc.nta_table(files)
    assert len(table) == len(files) and table["d50_nm"].between(30, 1000).all()
    with pytest.raises(UserInputError, match="expected an NTAReport"):
        ex.qc.nta_table([42])  # type: ignore[list-item]


def test_profile_names_the_best_supporting_chain_with_its_signs_and_refs() -> None:
    prof = ex.kb.profile("BMSC-Exos")
    best = prof.loc["axon_regeneration", "best_supporting"]
    assert isinstance(best, str) and best.startswith("BMSC exosomes")
    assert prof.loc["axon_regeneration", "best_supporting_refs"]
    assert "⊣" in prof.loc["inflammation", "best_supporting"]  # suppresses neuroinflammation


def test_outcome_studies_resolve_an_axis_written_as_words() -> None:
    words = ex.kb.outcome_studies(axis="axon regeneration")
    assert len(words) > 0 and set(words["axis"]) == {"axon_regeneration"}
    assert (
        ex.kb.outcome_studies(axis="Angiogenesis and BSCB integrity")["axis"]
        .eq("angiogenesis_bscb")
        .all()
    )
    with pytest.raises(UserInputError, match="accepted"):
        ex.kb.outcome_studies(axis="axn regrowth")


@pytest.mark.parametrize("name", ["miR-21-5p", "hsa-miR-21-5p", "rno-miR-21-5p", "mmu-miR-21a-5p"])
def test_mirbase_names_reach_the_graphs_mirna_with_the_mapping_stated(name: str) -> None:
    with pytest.warns(ExosciWarning, match="arm mapping"):
        df = ex.kb.statements(name)
    assert "miR-21" in set(df["object"]) | set(df["subject"])
    assert "miR-21" in df.attrs["name_mapping"]


def test_a_different_family_member_is_not_passed_off_as_the_graphs_mirna() -> None:
    with pytest.raises(UnknownNameError):
        ex.kb.statements("miR-146b-5p")  # a different mature miRNA from miR-146a-5p


def test_rank_answers_which_product_has_the_most_graded_evidence_for_an_axis() -> None:
    top = ex.kb.rank("axon regeneration")
    assert top.attrs["axis"] == "axon_regeneration"
    assert top["score"].is_monotonic_decreasing
    assert {"certainty", "n_studies", "refs"} <= set(top.columns)
    bmsc = top.set_index("name").loc["BMSC exosomes"]
    assert bmsc["n_studies"] >= 1 and bmsc["score"] > 0
    with pytest.raises(UnknownNameError):
        ex.kb.rank("safety")  # an outcome axis the mechanism profile does not score


def test_api_tables_use_one_missing_value_marker() -> None:
    for frame in (ex.kb.outcome_studies("BMSC-Exos"), ex.kb.statements("BMSC-Exos")):
        for col in frame.columns:
            values = frame[col].tolist()
            assert not any(v is None or (isinstance(v, str) and not v.strip()) for v in values), col


@pytest.mark.slow
def test_cli_evaluate_of_a_human_spec_says_its_bbb_numbers_are_a_rat_model_proxy(
    tmp_path: Path,
) -> None:
    examples = Path(__file__).resolve().parents[2] / "examples"
    text = (examples / "iv-bmsc-exos-rat.yaml").read_text(encoding="utf-8")
    spec = tmp_path / "human.yaml"
    spec.write_text(text.replace("species: rat", "species: human", 1), encoding="utf-8")
    out = runner.invoke(
        app, ["evaluate", str(spec), "-o", str(tmp_path / "r.html"), "--samples", "30"]
    )
    assert out.exit_code == 0, out.output
    flat = " ".join(out.output.split())
    assert "rat-model proxy" in flat and "human:" in flat
