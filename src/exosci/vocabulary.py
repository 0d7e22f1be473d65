"""The project's controlled vocabulary, written once: each ``Literal`` type and its tuple.

Schema, model, reasoning and web modules import these names instead of repeating the
lists. A ``Literal`` must be spelled out for the type checker, so each tuple is derived
from its ``Literal`` with ``typing.get_args`` (never the other way round), and the
predicate signs are checked against the predicate ``Literal`` at import.

Examples
--------
>>> from exosci.vocabulary import REPAIR_AXES, PREDICATE_SIGN
>>> REPAIR_AXES[0], PREDICATE_SIGN["inhibits"]
('neuroprotection', -1)
"""

from __future__ import annotations

from typing import Literal, get_args

#: The five repair mechanisms of the review's Table 2, as axes of a mechanism profile.
RepairAxis = Literal[
    "neuroprotection",
    "axon_regeneration",
    "inflammation",
    "angiogenesis_bscb",
    "ecm",
]
REPAIR_AXES: tuple[str, ...] = get_args(RepairAxis)

#: Relations between two entities of the knowledge graph.
Predicate = Literal[
    "activates",
    "increases_amount",
    "promotes",
    "carries",
    "secretes",
    "inhibits",
    "decreases_amount",
    "suppresses",
    "derived_from",
    "part_of",
    "delivered_by",
    "combined_with",
    "has_marker",
    "preconditioned_by",
    "engineered_with",
    "administered_by",
    "acts_via",
]
PREDICATES: tuple[str, ...] = get_args(Predicate)

#: Predicate -> sign of the causal effect (+1 keeps, -1 flips, 0 non-causal / structural).
PREDICATE_SIGN: dict[str, int] = {
    "activates": 1,
    "increases_amount": 1,
    "promotes": 1,
    "carries": 1,  # exosome -> cargo: more vesicles, more cargo delivered
    "secretes": 1,  # cell source -> exosome product
    "inhibits": -1,
    "decreases_amount": -1,
    "suppresses": -1,
    "derived_from": 0,  # exosome -> cell source
    "part_of": 0,
    "delivered_by": 0,  # exosome/cargo -> carrier or delivery system
    "combined_with": 0,
    "has_marker": 0,
    "preconditioned_by": 0,  # exosome -> intervention
    "engineered_with": 0,  # exosome -> intervention
    "administered_by": 0,  # exosome -> route
    "acts_via": 0,  # the source names the pathway but not the direction of the effect
}

#: Species an observation can come from.
Species = Literal[
    "rat", "mouse", "human", "monkey", "pig", "dog", "zebrafish", "fruit_fly", "unspecified"
]
SPECIES: tuple[str, ...] = get_args(Species)
#: Species the recovery model is calibrated for (BBB score in rats, BMS in mice).
ModelSpecies = Literal["rat", "mouse"]
MODEL_SPECIES: tuple[str, ...] = get_args(ModelSpecies)
#: Species whose miRNA names (hsa-, mmu-, rno-) cargo enrichment reads.
CargoSpecies = Literal["human", "mouse", "rat"]
CARGO_SPECIES: tuple[str, ...] = get_args(CargoSpecies)
#: Kinds of study an observation comes from (named apart from the ``exosci.model`` package).
StudyKind = Literal["in_vitro", "in_vivo", "clinical", "in_silico", "review"]
STUDY_KINDS: tuple[str, ...] = get_args(StudyKind)

#: Injury models a therapy spec may name (the model simulates every one as a contusion of the
#: given severity; ``exosci.therapy.domain`` says so and which are outside its calibration).
InjuryModel = Literal["contusion", "compression", "transection", "hemisection", "crush"]
INJURY_MODELS: tuple[str, ...] = get_args(InjuryModel)

#: Administration routes the model distinguishes.
Route = Literal["intravenous", "intranasal", "intrathecal", "local"]
ROUTES: tuple[str, ...] = get_args(Route)

#: Entity-id prefix -> entity type (``mir:mir-21-5p`` is a miRNA).
PREFIX_TYPE: dict[str, str] = {
    "src": "cell_source",
    "exo": "exosome",
    "mir": "mirna",
    "rna": "rna",
    "gene": "gene",
    "chem": "small_molecule",
    "pw": "pathway",
    "proc": "process",
    "mech": "mechanism",
    "out": "outcome",
    "mat": "material",
    "dds": "delivery_system",
    "int": "intervention",
    "route": "route",
    "sp": "species",
    "trial": "clinical_trial",
    "cell": "cell_type",
}
#: Entity type -> id prefix (the inverse of ``PREFIX_TYPE``).
TYPE_PREFIX: dict[str, str] = {v: k for k, v in PREFIX_TYPE.items()}

if tuple(PREDICATE_SIGN) != PREDICATES:  # pragma: no cover - a vocabulary edit missed one side
    raise RuntimeError("PREDICATE_SIGN and the Predicate Literal list different predicates")

__all__ = [
    "CARGO_SPECIES",
    "CargoSpecies",
    "INJURY_MODELS",
    "InjuryModel",
    "STUDY_KINDS",
    "MODEL_SPECIES",
    "PREDICATES",
    "PREDICATE_SIGN",
    "PREFIX_TYPE",
    "REPAIR_AXES",
    "ROUTES",
    "SPECIES",
    "TYPE_PREFIX",
    "StudyKind",
    "ModelSpecies",
    "Predicate",
    "RepairAxis",
    "Route",
    "Species",
]
