"""The MISEV rule book (``misev.yaml``), validated: categories, requirements, classes, sources."""

from __future__ import annotations

import math
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from exosci.errors import CurationError

Guideline = Literal["MISEV2018", "MISEV2023"]
Applies = Literal["always", "small_ev_claim", "uses_ultracentrifugation", "antibody_detection"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    citation: str
    doi: str | None = None
    pmcid: str | None = None


class Marker(_Strict):
    name: str
    synonyms: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)


class MarkerCategory(_Strict):
    id: str
    number: int
    label: str
    sources: list[str]
    markers: list[Marker]


class MethodList(_Strict):
    names: list[str]
    sources: list[str] = Field(default_factory=list)


class Requirement(_Strict):
    id: str
    text: str
    guidelines: list[Guideline]
    sources: list[str]
    check: str
    category: str | None = None
    applies: Applies = "always"


class PurityClass(_Strict):
    id: str
    label: str
    lower: float
    upper: float
    upper_inclusive: bool = False
    origin: Literal["paper", "exosci"]


class Purity(_Strict):
    sources: list[str]
    provenance: str
    caveat: str
    classes: list[PurityClass]

    @model_validator(mode="after")
    def _tiles(self) -> Purity:
        """Classes must cover [0, inf) in order with no gap and no overlap."""
        edge = 0.0
        inclusive_before = False
        for c in self.classes:
            if c.lower != edge or c.upper <= c.lower:
                raise ValueError(f"purity class {c.id} does not start at {edge:g}")
            edge, inclusive_before = c.upper, c.upper_inclusive
        if not math.isinf(edge) or inclusive_before:
            raise ValueError("purity classes must end at .inf")
        return self


class TransparencyItem(_Strict):
    id: str
    text: str
    check: str
    applies: Applies = "always"


class Transparency(_Strict):
    label: str
    sources: list[str]
    items: list[TransparencyItem]


class Fact(_Strict):
    text: str
    sources: list[str]


class Rules(_Strict):
    schema_version: int
    sources: dict[str, Source]
    marker_categories: list[MarkerCategory]
    methods: dict[str, MethodList]
    requirements: list[Requirement]
    purity: Purity
    transparency: Transparency
    storage: dict[str, Fact]

    @model_validator(mode="after")
    def _references(self) -> Rules:
        cited = [
            *(s for c in self.marker_categories for s in c.sources),
            *(s for m in self.methods.values() for s in m.sources),
            *(s for r in self.requirements for s in r.sources),
            *self.purity.sources,
            *self.transparency.sources,
            *(s for f in self.storage.values() for s in f.sources),
        ]
        unknown = sorted(set(cited) - set(self.sources))
        if unknown:
            raise ValueError(f"cited sources not defined under sources: {unknown}")
        categories = {c.id for c in self.marker_categories}
        for r in self.requirements:
            if r.category is not None and r.category not in categories:
                raise ValueError(f"requirement {r.id} names unknown category {r.category}")
        return self

    def cite(self, keys: list[str]) -> list[str]:
        """Readable citations (with DOI or PMCID) for source keys."""
        out = []
        for k in keys:
            s = self.sources[k]
            ident = f"doi:{s.doi}" if s.doi else (s.pmcid or "")
            out.append(f"{s.citation} {ident}".strip())
        return out


@cache
def misev_rules() -> Rules:
    """The packaged rule book, validated once per process."""
    text = resources.files("exosci.qc").joinpath("misev.yaml").read_text(encoding="utf-8")
    try:
        return Rules.model_validate(yaml.safe_load(text))
    except ValueError as exc:
        raise CurationError(f"exosci/qc/misev.yaml is invalid: {exc}") from None
