"""The outcome evidence table: the review's in vivo therapy studies, one row per arm and outcome."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from exosci.cli import app
from exosci.errors import CurationError, UserInputError
from exosci.kb.curated import load_curated
from exosci.kb.store import default_kb
from exosci.kb.studies import COLUMNS, STUDIES_PATH, load_arms, load_studies, select_studies

runner = CliRunner()


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return load_studies()


def test_table_has_the_stable_columns_and_one_row_per_arm_outcome(df: pd.DataFrame) -> None:
    assert tuple(df.columns) == COLUMNS
    assert df["id"].is_unique
    assert df["arm"].nunique() >= 40
    assert set(df["direction"]) <= {-1, 0, 1}


def test_every_doi_is_the_reference_lists_doi(df: pd.DataFrame) -> None:
    refs = load_curated().references
    for r in df.itertuples():
        assert r.doi == refs[r.ref].doi


def test_every_arm_cites_a_reference_the_review_text_cites(df: pd.DataFrame, shared: Path) -> None:
    text = (shared / "seed/exosome-sci-review.txt").read_text(encoding="utf-8")
    body = text[: text.index("\nReferences")] if "\nReferences" in text else text
    cited = {
        int(n) for grp in re.findall(r"\(([\d,\s–-]+)\)", body) for n in re.findall(r"\d+", grp)
    }
    # ranges such as (155-157) also count their inner numbers
    for a, b in re.findall(r"(\d+)[–-](\d+)", body):
        cited.update(range(int(a), int(b) + 1))
    missing = sorted(set(df["ref"]) - cited)
    assert not missing, f"arms cite references the review text never cites: {missing}"


def test_bdnf_sev_monkey_arm_carries_the_reviews_67_percent(df: pd.DataFrame) -> None:
    row = df[(df["ref"] == 46) & (df["species"] == "monkey")].iloc[0]
    assert row["product"] == "exo:bdnf-msc-sev"
    assert row["route"] == "route:intranasal"
    assert (row["value"], row["unit"]) == (67.0, "%")


def test_pten_sirna_arm_is_complete_sci_with_motor_sensory_and_bladder_outcomes(
    df: pd.DataFrame,
) -> None:
    rows = df[df["ref"] == 137]
    assert set(rows["injury_model"]) == {"transection"}
    assert set(rows["species"]) == {"rat"}
    outcomes = " ".join(rows["outcome"])
    for word in ("motor", "sensory", "urinary"):
        assert word in outcomes


def test_hypoxic_msc_arm_is_compared_with_normoxic_exosomes(df: pd.DataFrame) -> None:
    row = df[(df["ref"] == 24) & (df["axis"] == "function")].iloc[0]
    assert row["preconditioning"] == "int:hypoxia"
    assert row["comparator"] == "normoxic MSC exosomes"
    assert row["direction"] == 1


def test_ref98_evidence_is_on_schwann_cell_exosomes_with_bbb(df: pd.DataFrame) -> None:
    rows = df[df["ref"] == 98]
    assert set(rows["product"]) == {"exo:schwann"}
    assert "BBB score" in set(rows["outcome"])
    assert set(rows["injury_model"]) == {"contusion"}


def test_studies_whose_cited_paper_is_not_the_experiment_are_review_claims(
    df: pd.DataFrame,
) -> None:
    graded = df.groupby("ref")["grade"].first()
    for ref in (75, 76, 77):
        assert graded[ref] == "review_claim"
    assert graded[137] == "experimental"


def test_non_sci_studies_are_flagged(df: pd.DataFrame) -> None:
    non_sci = set(df.loc[~df["sci"], "ref"])
    assert {54, 71, 74} <= non_sci
    assert 137 not in non_sci


def test_unknown_product_in_the_file_names_close_ids(tmp_path: Path) -> None:
    bad = tmp_path / "studies.yaml"
    bad.write_text(
        STUDIES_PATH.read_text(encoding="utf-8").replace(
            "product: exo:bdnf-msc-sev", "product: exo:bdnf-msc-sevv", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(CurationError, match=r"exo:bdnf-msc-sevv.*closest: exo:bdnf-msc-sev"):
        load_arms(bad, load_curated())


def test_a_product_that_is_not_an_exosome_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "studies.yaml"
    bad.write_text(
        STUDIES_PATH.read_text(encoding="utf-8").replace(
            "product: exo:bdnf-msc-sev", "product: gene:bdnf", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(CurationError, match="not an exosome product"):
        load_arms(bad, load_curated())


def test_unknown_axis_is_a_user_error_listing_the_accepted_axes(df: pd.DataFrame) -> None:
    with pytest.raises(UserInputError, match="accepted: neuroprotection"):
        select_studies(df, axis="inflamation")


def test_generic_product_query_gathers_more_specific_products() -> None:
    rows = default_kb().studies("MSC exosomes")
    products = set(rows["product"])
    assert {"exo:msc", "exo:bmsc", "exo:bmsc-hypoxia", "exo:msc-pten-sirna"} <= products
    assert "exo:schwann" not in products
    # never downward: a specific product does not pick up its parent's rows
    assert set(default_kb().studies("hypoxic BMSC sEV")["product"]) == {"exo:bmsc-hypoxia"}


def test_cli_json_rows_match_the_dataframe(df: pd.DataFrame) -> None:
    res = runner.invoke(app, ["kb", "studies", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["columns"] == list(COLUMNS)
    assert doc["n_rows"] == len(df) == len(doc["rows"])


def test_cli_unknown_axis_exits_2() -> None:
    res = runner.invoke(app, ["kb", "studies", "--axis", "nope"])
    assert res.exit_code == 2


def test_phase_i_trial_route_follows_the_cited_title_not_the_reviews_misprint(
    df: pd.DataFrame,
) -> None:
    row = df[df["ref"] == 146].iloc[0]
    assert row["species"] == "human" and row["route"] == "route:intrathecal"
    assert row["axis"] == "safety" and row["direction"] == 0
