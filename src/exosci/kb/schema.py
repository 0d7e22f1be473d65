"""Pydantic schema of the curated knowledge files (the contract between curators and the store)."""

from __future__ import annotations

import re
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from exosci.vocabulary import PREDICATE_SIGN
from exosci.vocabulary import Predicate as Predicate
from exosci.vocabulary import Species as Species
from exosci.vocabulary import StudyKind as StudyKind

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
#   clinical, ``species`` the organism, ``injury_model`` the injury);
# - review_claim: the review states it with a citation, but the cited paper's own data for this
#   exact link are not described (a background, summary or speculative sentence);
# - curator_inferred: a link the curators added to connect the review's statements (e.g. a
#   process to the repair mechanism it belongs to); no paper tested it as such;
# - not_graded: the record does not say (an import without a grade). Never a default of
#   "experimental": a missing grade is graded as the weakest kind of evidence.
EvidenceGrade = Literal["experimental", "review_claim", "curator_inferred", "not_graded"]
GRADES: dict[str, str] = {
    "experimental": "direct experimental evidence from the cited study",
    "review_claim": "review-level claim: stated in the review, cited study's data not described",
    "curator_inferred": "curator-inferred link, not tested as such by any cited study",
    "not_graded": "kind of evidence not stated by the record (graded as the weakest)",
}
# The kind of study, or "not_reported" when the record does not say (never assumed in vivo).
EvidenceModel = StudyKind | Literal["not_reported"]

# Controlled injury-model vocabulary (GRADE's indirectness reads it; Hooijmans et al. 2018).
# SCI models by mechanism, "sci_unspecified" when the source says SCI without the kind, named
# non-SCI models, "uninjured" (developmental / healthy animals), "in_vitro" for cell culture and
# "not_reported" when neither the review nor the cited title says.
InjuryModel = Literal[
    "contusion",
    "compression",
    "transection",
    "hemisection",
    "crush",
    "sci_unspecified",
    "stroke_mcao",
    "tbi",
    "autism_btbr",
    "depression",
    "peripheral_nerve_injury",
    "neurodegeneration",
    "glioblastoma",
    "uninjured",
    "in_vitro",
    "not_reported",
]
INJURY_MODELS: tuple[str, ...] = get_args(InjuryModel)
SCI_INJURY_MODELS = frozenset(
    {"contusion", "compression", "transection", "hemisection", "crush", "sci_unspecified"}
)
INJURY_MODEL_LABELS: dict[str, str] = {
    "contusion": "SCI, contusion",
    "compression": "SCI, compression",
    "transection": "SCI, transection (complete)",
    "hemisection": "SCI, hemisection",
    "crush": "SCI, crush",
    "sci_unspecified": "SCI, kind not reported",
    "stroke_mcao": "stroke (MCAO ischaemia-reperfusion), not SCI",
    "tbi": "traumatic brain injury, not SCI",
    "autism_btbr": "autism model (BTBR mice), not SCI",
    "depression": "depression model, not SCI",
    "peripheral_nerve_injury": "peripheral nerve injury, not SCI",
    "neurodegeneration": "neurodegeneration, not SCI",
    "glioblastoma": "glioblastoma, not SCI",
    "uninjured": "uninjured / developmental animals, not SCI",
    "in_vitro": "cell culture (no injured animal)",
    "not_reported": "injury model not reported",
}
# Free-text names (as curators and imported records write them) -> vocabulary, lower case.
INJURY_MODEL_ALIASES: dict[str, str] = {
    "sci": "sci_unspecified",
    "spinal cord injury": "sci_unspecified",
    "acute sci": "sci_unspecified",
    "traumatic sci": "sci_unspecified",
    "complete sci": "transection",
    "complete transection": "transection",
    "contusion sci": "contusion",
    "compression sci": "compression",
    "mcao": "stroke_mcao",
    "stroke": "stroke_mcao",
    "cerebral ischaemia/reperfusion (mcao), not sci": "stroke_mcao",
    "autism-model btbr mice (not sci)": "autism_btbr",
    "traumatic brain injury": "tbi",
    "traumatic brain injury (not sci)": "tbi",
    "peripheral nerve injury (not sci)": "peripheral_nerve_injury",
    "peripheral nerve injury": "peripheral_nerve_injury",
    "neurodegeneration (not sci)": "neurodegeneration",
    "glioblastoma (not sci)": "glioblastoma",
    "sci as stated by the review (the cited title concerns depression)": "depression",
    "unspecified": "not_reported",
    "not reported": "not_reported",
}


def injury_model_of(text: str) -> str:
    """The vocabulary term for ``text`` (a term, or a known free-text alias).

    Raises ``ValueError`` naming the accepted terms and the closest ones.
    """
    key = text.strip().lower()
    if key.replace("-", "_").replace(" ", "_") in INJURY_MODELS:
        return key.replace("-", "_").replace(" ", "_")
    if key in INJURY_MODEL_ALIASES:
        return INJURY_MODEL_ALIASES[key]
    from difflib import get_close_matches

    near = get_close_matches(key, [*INJURY_MODELS, *INJURY_MODEL_ALIASES], n=3)
    hint = f" (closest: {', '.join(near)})" if near else ""
    raise ValueError(f"unknown injury model {text!r}; accepted: {', '.join(INJURY_MODELS)}{hint}")


# SYRCLE risk-of-bias answer for one item: what the cited text says, "not_reported" otherwise.
RobAnswer = Literal["yes", "no", "not_reported"]

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

    @model_validator(mode="after")
    def _doi(self) -> Reference:
        from exosci.kb.doi import doi_problem

        problem = doi_problem(self.doi, self.journal)
        if problem:
            raise ValueError(f"reference {self.number}: {problem}")
        return self


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
        if self.doi is not None:
            from exosci.kb.doi import JOURNAL_DOI, doi_problem

            journal = self.journal if self.journal in JOURNAL_DOI else None
            problem = doi_problem(self.doi, journal)
            if problem:
                raise ValueError(f"paper {self.id}: {problem}")
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
    species: Species = "unspecified"  # "unspecified": the record does not report it
    model: EvidenceModel = "not_reported"
    # the injury (controlled vocabulary, see INJURY_MODELS); None only for claims that are not
    # experiments. Experimental records without one get "not_reported", in vitro ones "in_vitro".
    injury_model: InjuryModel | None = None
    cell_type: str | None = None  # recipient cells in vitro
    route: str | None = None
    preconditioning: str | None = None
    engineering: str | None = None
    quantities: list[Quantity] = []
    text: str  # paraphrase in our own words, never copied sentences
    # Kind of evidence (see GRADES). When a record omits it: review_claim for model "review",
    # else not_graded (never experimental).
    grade: EvidenceGrade = "not_graded"
    # Cell type / tissue studied: "CL:0000235", "UBERON:0002240" or an entity id; None when the
    # paper (as the review reports it) names none.
    context: str | None = None
    # SYRCLE risk-of-bias items (Hooijmans et al. 2014): random allocation (items 1/3) and
    # blinded outcome assessment (item 7), as the cited text reports them.
    randomised: RobAnswer = "not_reported"
    blinded: RobAnswer = "not_reported"
    # What the study compared the product against, and what it gave with it, when the credit
    # belongs to a combination or a head-to-head comparison (entity ids or short words).
    co_therapy: list[str] = []
    comparator: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if data.get("grade") is None:
            data["grade"] = "review_claim" if data.get("model") == "review" else "not_graded"
        for item in ("randomised", "blinded"):
            val = data.get(item)
            if val is None:
                data[item] = "not_reported"
            elif isinstance(val, bool):
                data[item] = "yes" if val else "no"
        inj = data.get("injury_model")
        if isinstance(inj, str):
            data["injury_model"] = injury_model_of(inj)
        elif inj is None and data.get("grade") == "experimental":
            data["injury_model"] = "in_vitro" if data.get("model") == "in_vitro" else "not_reported"
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
        if self.grade == "experimental" and self.model in ("review", "not_reported"):
            raise ValueError(
                "grade 'experimental' needs the study's model (in_vivo, in_vitro, clinical or"
                f" in_silico), not {self.model!r}; use grade review_claim or curator_inferred"
            )
        if self.model in ("in_vivo", "clinical") and self.injury_model == "in_vitro":
            raise ValueError(f"an {self.model} record cannot have injury model 'in_vitro'")
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
