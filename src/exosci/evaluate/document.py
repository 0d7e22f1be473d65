"""The evaluation document, typed: the JSON contract of ``exosci evaluate --json``,
``POST /api/evaluate`` and :meth:`Evaluation.to_dict`.

The models name every key the document guarantees and its type; ``docs/contracts.md`` is
generated from them (``scripts/contracts_doc.py``; a test keeps it current), the web API's
OpenAPI schema carries them, and :attr:`Evaluation.document` returns them. The top level is
closed (a new part must be declared here); parts may carry further keys, which keep their JSON
values (a part grows without breaking a reader that knows the declared keys).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow")


class Interval(_Part):
    """A model output's median and 90 % interval over the virtual subjects."""

    median: float
    p05: float
    p95: float


class Provenance(_Part):
    """What produced the document: versions, data hash, seed, samples, date."""

    version: str = Field(description="exosci version")
    data_hash: str = Field(description="SHA-256 prefix of the knowledge graph's curated data")
    seed: int = Field(description="seed of every random step")
    samples: int = Field(description="virtual subjects of the main ensemble")
    date: str = Field(description="UTC time of the run (ISO 8601)")
    review_doi: str = Field(description="DOI of the review the knowledge graph curates")


class Resolved(_Part):
    """How the spec's names were resolved against the knowledge graph."""

    product: str
    entities: dict[str, Any] = Field(description="spec field -> resolved entity")
    open_names: list[Any] = Field(description="names outside the graph, typed by their form")
    notes: list[str]


class EvidenceSummary(_Part):
    """Counts of the statements behind the design's mechanisms."""

    statements: int
    references: int
    in_vivo: int
    in_vitro: int
    clinical: int
    species: list[str]


class Mechanism(_Part):
    """One repair axis of the mechanism profile (score in [-1, 1], GRADE-style confidence)."""

    score: float
    evidence_count: int
    n_support: int
    n_oppose: int
    confidence: str
    confidence_value: float
    best_supporting: dict[str, Any] | None = Field(description="strongest supporting path")
    best_opposing: dict[str, Any] | None = Field(description="strongest opposing path")
    evidence: list[dict[str, Any]] = Field(description="signed, cited paths to this axis")


class Delivery(_Part):
    """Model output: how much of the dose reaches the lesion, and when."""

    label: str = Field(description="says this is a model output and on what it rests")
    route: str
    carrier: str | None
    release: dict[str, Any] | None
    dose_ug_per_administration: float
    administrations: int
    total_dose_ug: float
    lesion_auc_ug_day: Interval
    lesion_peak_ug: Interval
    lesion_peak_day: float
    mean_exposure_week1: Interval
    notes: list[str]
    targeted: bool


class Flag(_Part):
    """A caveat on the prediction (e.g. a design feature outside the calibrated domain)."""

    kind: str
    severity: str
    text: str


class Prediction(_Part):
    """Model output: locomotor recovery of treated and control virtual subjects."""

    label: str = Field(description="says this is a model output and on what it rests")
    score_name: str
    score_max: float
    horizon_days: int
    samples: int
    treated_final: Interval
    control_final: Interval
    gain: Interval = Field(description="treated minus control at the horizon, paired subjects")
    table_days: list[int]
    table_treated: list[float]
    table_control: list[float]
    gain_by_day: dict[int, Interval] = Field(description="day -> gain on that day")
    gain_definition: str
    band: str
    benchmark: str | None
    uncertainty: dict[str, Any] = Field(description="where the interval's width comes from")
    animal_band: dict[str, Any]
    flags: list[Flag]


class Timecourse(_Part):
    """Daily model trajectories for the report's plots."""

    days: list[float]
    treated: dict[str, Any]
    control: dict[str, Any]
    animal: dict[str, Any]


class Sensitivity(_Part):
    """Global sensitivity of the gain (Morris/Sobol screen), factors labelled by kind."""

    label: str
    method: str
    output: str
    n_runs: int
    trajectories: int
    top: list[dict[str, Any]]
    kinds: dict[str, Any]
    random_effects: list[dict[str, Any]]


class Domain(_Part):
    """Which design features lie inside the data the model was calibrated on."""

    label: str
    summary: str
    outside: list[Any]
    ignored: list[Any]
    features: list[dict[str, Any]]
    sources: dict[str, Any]


class RiskItem(_Part):
    """One translational risk, cited."""

    id: str
    category: str
    severity: str
    text: str
    refs: list[int]
    dois: list[str]
    source: str | None = Field(None, description="the guideline or paper behind the risk")


class Alternative(_Part):
    """One ranked alternative design (or the current one), judged on paired subjects.

    An option the model cannot simulate carries ``not_offered`` instead of the judgement.
    """

    change: str
    kind: str
    gain: Interval | None = None
    delta: Interval | None = Field(None, description="gain minus the current design's (paired)")
    verdict: str | None = None
    verdict_reason: str | None = None
    evidence_statements: int | None = None
    is_current: bool | None = None
    not_offered: str | None = Field(None, description="why an option was not simulated")


class AlternativesMethod(_Part):
    """How the alternatives were compared (subjects, horizon, smallest difference that counts)."""

    subjects: int
    headline_subjects: int
    score_name: str
    horizon_days: int
    min_difference: float
    this_design_gain_on_subjects: Interval
    text: str


class Parameter(_Part):
    """One model parameter as used: value, unit, prior, source."""

    name: str
    value: float
    unit: str
    prior: str
    group: str
    source: str
    description: str
    free: bool
    role: str


class Reference(_Part):
    """A cited reference of the review (number as in the review)."""

    number: int
    first_author: str
    year: int
    title: str
    journal: str
    doi: str


class EvaluationDocument(BaseModel):
    """The evaluation of one therapy design: the whole JSON document."""

    model_config = ConfigDict(extra="forbid")

    provenance: Provenance
    spec: dict[str, Any] = Field(description="the therapy spec as read (see TherapySpec)")
    resolved: Resolved
    evidence_summary: EvidenceSummary
    mechanisms: dict[str, Mechanism] = Field(description="repair axis -> profile entry")
    delivery: Delivery
    prediction: Prediction
    timecourse: Timecourse
    sensitivity: Sensitivity
    domain: Domain
    risks: list[RiskItem]
    alternatives: list[Alternative]
    alternatives_method: AlternativesMethod
    parameters: list[Parameter]
    assumptions: list[str]
    references: list[Reference]

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON document (extra keys of each part included, as received)."""
        return self.model_dump(mode="json", exclude_unset=True)


#: The OpenAPI entry of a route that returns the document (documents, does not filter: a
#: part's further keys reach the client as the CLI prints them).
EVALUATION_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "model": EvaluationDocument,
        "description": "The evaluation document (docs/contracts.md).",
    }
}


_PARTS: tuple[type[BaseModel], ...] = (
    EvaluationDocument,
    Provenance,
    Resolved,
    EvidenceSummary,
    Mechanism,
    Delivery,
    Prediction,
    Flag,
    Interval,
    Timecourse,
    Sensitivity,
    Domain,
    RiskItem,
    Alternative,
    AlternativesMethod,
    Parameter,
    Reference,
)


def _type_name(annotation: Any) -> str:
    text = getattr(annotation, "__name__", None) if isinstance(annotation, type) else None
    text = text or str(annotation).replace("typing.", "")
    return text.replace("exosci.evaluate.document.", "").replace("NoneType", "null")


def contract_markdown() -> str:
    """The Markdown section of docs/contracts.md generated from the models (tested)."""
    out = []
    for model in _PARTS:
        doc = (model.__doc__ or "").strip()
        out += [f"### `{model.__name__}`", "", doc, ""]
        out += ["| Key | Type | Required | Meaning |", "|---|---|---|---|"]
        for name, info in model.model_fields.items():
            required = "yes" if info.is_required() else "no"
            meaning = (info.description or "").replace("|", "\\|")
            type_name = _type_name(info.annotation).replace("|", "\\|")
            out.append(f"| `{name}` | `{type_name}` | {required} | {meaning} |")
        closed = model.model_config.get("extra") == "forbid"
        out += ["", "No other keys." if closed else "Further keys may follow.", ""]
    return "\n".join(out)
