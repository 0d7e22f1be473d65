"""One vocabulary module and one registry helper: every copy reads the same source."""

from __future__ import annotations

import json
from typing import get_args

import pytest
from typer.testing import CliRunner

from exosci import vocabulary
from exosci.cli import app
from exosci.errors import UnknownNameError, UserInputError
from exosci.registry import Registry, all_registries


def test_repair_axes_are_one_tuple_in_model_and_reasoning() -> None:
    from exosci.model.design import AXES as model_axes
    from exosci.reason.profile import AXES as profile_axes

    assert model_axes is profile_axes is vocabulary.REPAIR_AXES
    assert len(vocabulary.REPAIR_AXES) == 5  # the five mechanisms of the review's Table 2


def test_schema_predicates_and_signs_come_from_the_vocabulary() -> None:
    from exosci.kb import schema

    assert get_args(schema.Predicate) == vocabulary.PREDICATES == tuple(schema.PREDICATES)
    assert schema.PREDICATES["inhibits"] == -1 and schema.PREDICATES["activates"] == 1
    assert get_args(schema.Species) == vocabulary.SPECIES


def test_id_prefix_map_is_the_vocabularys() -> None:
    from exosci.kb import indra

    assert indra.PREFIX_TYPE is vocabulary.PREFIX_TYPE
    assert vocabulary.TYPE_PREFIX["mirna"] == "mir"


def test_registry_refuses_a_second_item_under_one_name_and_suggests_close_names() -> None:
    reg: Registry[int] = Registry("widget", description="test widgets", listed=False)
    reg.register("alpha", 1, description="first")
    with pytest.raises(ValueError, match="registered twice"):
        reg.register("alpha", 2, description="other")
    with pytest.raises(UnknownNameError) as info:
        reg.get("alpah")
    assert info.value.suggestions == ["alpha"]
    assert "Known widgets: alpha" in str(info.value)
    assert isinstance(info.value, UserInputError)  # exit 2 in the CLI, 422 in the API


@pytest.mark.parametrize(
    ("lookup", "name", "close"),
    [
        ("exosci.qc.nta_formats:get_format", "zetaview-sise", "zetaview-size"),
        ("exosci.kb.loaders.registry:get_loader", "mirtarbse", "mirtarbase"),
        ("exosci.release.models:get_model", "weibul", "weibull"),
    ],
)
def test_every_registry_lookup_names_the_closest_entry(lookup: str, name: str, close: str) -> None:
    import importlib

    module, func = lookup.split(":")
    with pytest.raises(UnknownNameError) as info:
        getattr(importlib.import_module(module), func)(name)
    assert close in info.value.suggestions


def test_enrichment_method_unknown_is_refused_with_the_known_ones() -> None:
    from exosci.cargo.enrich import METHODS

    assert set(METHODS) == {"ora", "weighted"}
    with pytest.raises(UnknownNameError, match="Known enrichment methods: ora, weighted"):
        METHODS.get("gsea")


def test_formats_command_lists_every_registry_with_descriptions() -> None:
    result = CliRunner().invoke(app, ["formats", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    registries = all_registries()
    expected = {"NTA format", "loader kind", "release model", "export format"}
    assert expected | {"enrichment method"} <= set(doc)
    for kind, reg in registries.items():
        assert [e["name"] for e in doc[kind]["entries"]] == list(reg.names())
        assert all(e["description"] for e in doc[kind]["entries"]), kind
    assert "weibull" in [e["name"] for e in doc["release model"]["entries"]]


def test_species_sets_of_cargo_web_and_indra_come_from_the_vocabulary() -> None:
    from exosci.cargo.mirna_names import PREFIX
    from exosci.kb import indra
    from exosci.web.schemas import CargoEnrichRequest

    assert tuple(PREFIX) == vocabulary.CARGO_SPECIES
    assert PREFIX["rat"] == "rno"  # miRBase's prefix for Rattus norvegicus
    field = CargoEnrichRequest.model_fields["species"].annotation
    assert set(get_args(get_args(field)[0])) == set(vocabulary.CARGO_SPECIES)
    assert set(vocabulary.SPECIES) == indra._SPECIES
    assert set(vocabulary.STUDY_KINDS) == indra._MODELS
