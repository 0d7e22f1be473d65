"""Pydantic schema of the curated knowledge files (the contract between curators and the store)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from exosci.vocabulary import PREDICATE_SIGN
from exosci.vocabulary import Model as Model
from exosci.vocabulary import Predicate as Predicate
from exosci.vocabulary import Species as Species

SCHEMA_VERSION = 3  # 2: evidence grade and context; 3: papers beyond the review (PMID/DOI)

EntityType = Literal[
    "cell_source",  # a cell or tissue that secretes vesicles (Table 1 and text)
    "exosome",  # a vesicle product: natural, preconditioned or engineered
    "mirna",  # mature miRNA, miRBase name with species prefix where known
    "rna",  # other RNA cargo: siRNA, lncRNA, circRNA, mRNA
    "gene",  # gene or protein (HGNC / MGI / RGD symbol)
    "small_molecule",  # drug or natural product (ChEBI where possible)
    "pathway",  # signalling pathway (Reactome / KEGG / GO where possible)
    "process",  # biological process or cell state (GO where possible)
    "mechanism",  # one of the five repair mechanisms of Table 2
    "outcome",  # functional outcome (e.g. locomotor recovery)
    "material",  # biomaterial / scaffold (section 4.1)
    "delivery_system",  # nano-delivery system (Table 3)
    "intervention",  # preconditioning, engineering, co-therapy such as exercise
    "route",  # administration route
    "species",
    "clinical_trial",
    "cell_type",  # recipient cell population (e.g. M2 macrophage, A1 astrocyte)
]

# The predicates, their signs, species and study kinds live in ``exosci.vocabulary``.
PREDICATES = PREDICATE_SIGN

# What kind of evidence a record is (GRADE's "type of evidence"; SYRCLE covers the animal arm):
# - experimental: the cited paper measured this itself (``model`` says in vivo / in vitro /
#   clinical, ``species`` the organism);
# - review_claim: the review states it with a citation, but the cited paper's own data for this
#   exact link are not described (a background, summary or speculative sentence);
# - curator_inferred: a link the curators added to connect the review's statements (e.g. a
#   process to the repair mechanism it belongs to); no paper tested it as such.
EvidenceGrade = Literal["experimental", "review_claim", "curator_inferred"]
GRADES: dict[str, str] = {
    "experimental": "direct experimental evidence from the cited study",
    "review_claim": "review-level claim: stated in the review, cited study's data not described",
    "curator_inferred": "curator-inferred link, not tested as such by any cited study",
}
# Evidence context: the cell type / tissue the study looked at, as a Cell Ontology or UBERON
# CURIE (labels in ``exosci.kb.contexts``) or as an entity id of the graph (e.g. a cell_type).
_CONTEXT_CURIE = re.compile(r"^(CL|UBERON):\d{7}$")

_ID = re.compile(r"^[a-z0-9][a-z0-9_.:+-]*$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Reference(_Strict):
    """One entry of the review's reference list."""

    number: int = Field(ge=1)
    first_author: str
    year: int = Field(ge=1900, le=2100)
    title: str
    journal: str
    doi: str

    @field_validator("doi")
    @classmethod
    def _doi(cls, v: str) -> str:
        if not _DOI.match(v):
            raise ValueError(f"not a DOI (expected '10.<registrant>/<suffix>'): {v!r}")
        return v


class Entity(_Strict):
    """A node: a stable local id, a type, a CURIE where one exists, names users will type."""

    id: str
    name: str
    type: EntityType
    curie: str | None = None  # e.g. "hgnc.symbol:PTEN", "mirbase:MIMAT0000449", "GO:0006915"
    xrefs: list[str] = []
    synonyms: list[str] = []
    description: str | None = None  # our own words
    attributes: dict[str, str | int | float | bool | list[str] | dict[str, str | int | float]] = {}
    refs: list[int] = []

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"entity id must be lower-case [a-z0-9_.:+-], got {v!r}")
        return v


class Quantity(_Strict):
    """A quantitative finding with units, as the cited study reports it."""

    measure: str  # what was measured, e.g. "motor recovery"
    value: float
    unit: str  # e.g. "%", "fold", "nm", "per million per year", "BBB points"
    low: float | None = None
    high: float | None = None
    comparator: str | None = None  # e.g. "vs untreated SCI", "of normal"


_PAPER_ID = re.compile(r"^(pmid:\d{1,9}|doi:10\.\d{4,9}/\S+)$")


class Paper(_Strict):
    """A paper outside the review's numbered list, cited by PMID or DOI, with its own metadata.

    Its ``id`` is ``pmid:<digits>`` when a PMID is known, else ``doi:<doi>`` (lower case).
    """

    id: str
    pmid: str | None = None
    doi: str | None = None
    title: str | None = None
    first_author: str | None = None
    year: int | None = Field(default=None, ge=1800, le=2100)
    journal: str | None = None

    @model_validator(mode="after")
    def _identified(self) -> Paper:
        if not _PAPER_ID.match(self.id):
            raise ValueError(f"paper id must be 'pmid:<digits>' or 'doi:10.<...>', got {self.id!r}")
        if self.pmid is not None and not self.pmid.isdigit():
            raise ValueError(f"PMID must be digits, got {self.pmid!r}")
        if self.doi is not None and not _DOI.match(self.doi):
            raise ValueError(f"not a DOI (expected '10.<registrant>/<suffix>'): {self.doi!r}")
        return self


def paper_id(*, pmid: str | None = None, doi: str | None = None) -> str | None:
    """The id a paper gets: ``pmid:<n>`` when a PMID is known, else ``doi:<doi>``."""
    if pmid and str(pmid).strip().isdigit():
        return f"pmid:{str(pmid).strip()}"
    if doi and _DOI.match(doi.strip()):
        return f"doi:{doi.strip().lower()}"
    return None


class Evidence(_Strict):
    """Where a statement comes from: review reference number(s) and the study's context.

    ``refs`` are the review's reference numbers; ``papers`` ids of papers beyond the review
    (``pmid:...`` / ``doi:...``, see :class:`Paper`). Every record cites at least one of them.
    """

    refs: list[int] = []
    papers: list[str] = []
    species: Species = "unspecified"
    model: Model = "in_vivo"
    injury_model: str | None = None  # e.g. "contusion", "compression", "transection"
    cell_type: str | None = None  # recipient cells in vitro
    route: str | None = None
    preconditioning: str | None = None
    engineering: str | None = None
    quantities: list[Quantity] = []
    text: str  # paraphrase in our own words, never copied sentences
    # Kind of evidence (see GRADES). When a file omits it: review_claim for model "review",
    # else experimental.
    grade: EvidenceGrade = "experimental"
    # Cell type / tissue studied: "CL:0000235", "UBERON:0002240" or an entity id; None when the
    # paper (as the review reports it) names none.
    context: str | None = None
    # SYRCLE risk-of-bias items, where the study reports them (None: not known).
    randomised: bool | None = None
    blinded: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_grade(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("grade") is None:
            data = {
                **data,
                "grade": "review_claim" if data.get("model") == "review" else "experimental",
            }
        return data

    @model_validator(mode="after")
    def _cites_something(self) -> Evidence:
        if not self.refs and not self.papers:
            raise ValueError("evidence must cite a review reference (refs) or a paper (papers)")
        bad = [p for p in self.papers if not _PAPER_ID.match(p)]
        if bad:
            raise ValueError(f"paper ids must be 'pmid:<digits>' or 'doi:10.<...>', got {bad}")
        return self

    @model_validator(mode="after")
    def _grade_matches_model(self) -> Evidence:
        if self.grade == "experimental" and self.model == "review":
            raise ValueError(
                "grade 'experimental' needs the study's model (in_vivo, in_vitro, clinical or"
                " in_silico), not 'review'; use grade review_claim or curator_inferred"
            )
        if self.context is not None and not (
            _CONTEXT_CURIE.match(self.context) or _ID.match(self.context)
        ):
            raise ValueError(
                f"context must be a CL/UBERON CURIE (e.g. 'CL:0000235') or an entity id,"
                f" got {self.context!r}"
            )
        return self


class Statement(_Strict):
    """A signed, typed, cited claim in the INDRA manner."""

    id: str
    subject: str
    predicate: Predicate
    object: str
    evidence: list[Evidence] = Field(min_length=1)
    section: str | None = None  # review section, e.g. "3.3"

    @property
    def sign(self) -> int:
        return PREDICATES[self.predicate]

    @model_validator(mode="after")
    def _no_self_loop(self) -> Statement:
        if self.subject == self.object:
            raise ValueError(
                f"statement {self.id}: subject and object are the same ({self.subject})"
            )
        return self


class Fact(_Strict):
    """A figure or property that is not a causal claim (size range, incidence, trial outcome)."""

    id: str
    topic: str  # e.g. "exosome_biology", "epidemiology", "clinical"
    key: str
    value: str | float | int | list[str]
    unit: str | None = None
    refs: list[int] = Field(min_length=1)
    text: str


HierarchyRelation = Literal["is_a", "part_of"]


class HierarchyLink(_Strict):
    """``child`` is a kind of (``is_a``) or a component of (``part_of``) ``parent``.

    Evidence gathered for the child counts for the parent (labelled with the child), never the
    other way: what is shown for BMSC exosomes is evidence about MSC exosomes, not vice versa.
    """

    child: str
    relation: HierarchyRelation
    parent: str
    refs: list[int] = []  # where the review (or the parent paper) supports the link
    note: str | None = None  # why, in our own words, where the link is a curator's choice

    @model_validator(mode="after")
    def _not_self(self) -> HierarchyLink:
        if self.child == self.parent:
            raise ValueError(f"hierarchy link {self.child} {self.relation} itself")
        return self


class CuratedFile(_Strict):
    """The layout of one YAML file under ``kb/data``; any section may be absent."""

    entities: list[Entity] = []
    statements: list[Statement] = []
    facts: list[Fact] = []
    hierarchy: list[HierarchyLink] = []
    papers: list[Paper] = []  # papers beyond the review that evidence cites by PMID/DOI
