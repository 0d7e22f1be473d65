"""Independence of the validation targets: no target's paper may inform the model.

A validation target is evidence only if the model never saw its paper. The model is built from
the parameter table (``parameters.yaml``: the sources its parameters cite), the calibration
targets (``calibration_targets.yaml``), the model's code (the effect layer's priors and every
other module or data file of ``exosci.model``), the knowledge graph (``kb/data``,
``kb/outcomes``: the studies behind every product's and modification's own evidence) and the
rows of the numeric outcome table the effect layer reads (all but ``validation_only``). Papers
are compared by identifier, not by number: normalised DOIs, PMIDs, PMC ids, a
journal-independent citation key (year;volume:first page) and the short source keys the YAML
files use (``ijms2021``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from exosci._yaml import load_text

_DOI = re.compile(r"10\.\d{4,9}/[^\s;,\"'<>()\[\]{}]+", re.I)
_PMID = re.compile(r"\bPMID:?\s*(\d{5,9})\b", re.I)
_PMC = re.compile(r"\bPMC\s?(\d{5,9})\b", re.I)
_CITATION = re.compile(r"\b((?:19|20)\d\d)\s*;\s*(\d{1,4})(?:\s*\(\d+\))?\s*:\s*([A-Za-z]?\d+)")
_KEY = re.compile(r"^[a-z][a-z0-9_]*\d{4}[a-z]?$")  # source keys such as ijms2021, nma40 is not one


def identifiers(text: str) -> set[str]:
    """Normalised identifiers of every paper cited in ``text``."""
    out = {"doi:" + m.group(0).lower().rstrip(".") for m in _DOI.finditer(text)}
    out |= {"pmid:" + m.group(1) for m in _PMID.finditer(text)}
    out |= {"pmc:" + m.group(1) for m in _PMC.finditer(text)}
    out |= {f"cite:{y};{int(v)}:{p.lower().lstrip('e')}" for y, v, p in _CITATION.findall(text)}
    return out


@dataclass(frozen=True)
class Cited:
    """A paper the model is built from: where it is cited and its identifiers."""

    where: str
    key: str
    ids: frozenset[str]


def _yaml(name: str) -> dict[str, Any]:
    return dict(load_text(resources.files("exosci.model").joinpath(name).read_text("utf-8")))


def _keyed(where: str, refs: dict[str, Any], text: str) -> list[Cited]:
    """References of ``refs`` that ``text`` names by key, plus papers ``text`` cites directly."""
    out = [
        Cited(where, k, frozenset(identifiers(str(v))))
        for k, v in refs.items()
        if re.search(rf"\b{re.escape(k)}\b", text)
    ]
    out.append(Cited(where, "", frozenset(identifiers(text))))
    return out


def _strings(obj: Any) -> Iterable[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


def parameter_sources() -> list[Cited]:
    """Papers the parameter table's values and priors cite (references named by key or inline)."""
    doc = _yaml("parameters.yaml")
    refs = doc.get("references", {})
    used = "\n".join(
        [str(p.get("source", "")) for p in doc.get("parameters", [])]
        + [str(c.get("source", "")) for c in (doc.get("carriers") or {}).values()]
    )
    return _keyed("parameters.yaml", refs, used)


def calibration_sources() -> list[Cited]:
    """Papers the calibration targets (and the typical design they describe) come from."""
    doc = _yaml("calibration_targets.yaml")
    refs = doc.get("sources", {})
    body = {k: v for k, v in doc.items() if k != "sources"}
    return _keyed("calibration_targets.yaml", refs, "\n".join(_strings(body)))


# The validation layer's own files (they name the targets' papers) and the files parsed above.
NOT_MODEL = frozenset(
    {
        "validate.py",
        "leakage.py",
        "dossier.py",
        "calibration_report.py",
        "validation_targets.yaml",
        "parameters.yaml",
        "calibration_targets.yaml",
        "posterior.yaml",
    }
)


def code_sources() -> list[Cited]:
    """Papers the model's code cites: the effect layer's priors and constants (docstrings and
    comments included), the equations, the designs, and any other module or data file of
    ``exosci.model``."""
    out = []
    for f in sorted(resources.files("exosci.model").iterdir(), key=lambda f: f.name):
        if f.name in NOT_MODEL or not f.name.endswith((".py", ".yaml", ".yml", ".tsv")):
            continue
        ids = identifiers(f.read_text("utf-8"))
        if ids:
            out.append(Cited(f"exosci/model/{f.name}", "", frozenset(ids)))
    return out


def knowledge_graph_sources() -> list[Cited]:
    """The knowledge graph's references and curated files (the evidence of every product and
    modification the effect layer reads): every text file of ``kb/data`` and ``kb/outcomes``."""
    out = []
    for pkg in ("exosci.kb.data", "exosci.kb.outcomes"):
        base = resources.files("exosci.kb").joinpath(pkg.rsplit(".", 1)[1])
        for f in sorted(base.iterdir(), key=lambda f: f.name):
            if f.is_file() and f.name.endswith((".yaml", ".yml", ".tsv", ".csv", ".json")):
                ids = identifiers(f.read_text("utf-8"))
                if ids:
                    out.append(Cited(f"kb/{pkg.rsplit('.', 1)[1]}/{f.name}", "", frozenset(ids)))
    return out


TRUE = frozenset({"true", "yes", "1", "y"})


def outcome_table_sources() -> list[Cited]:
    """Papers of the numeric outcome table (``exosci/meta/data/outcomes.csv``) that the model
    may read: the effect layer's product terms take its rows, except those marked
    ``validation_only`` (kept for the validation suite and never read)."""
    import csv
    import io

    f = resources.files("exosci.meta").joinpath("data/outcomes.csv")
    if not f.is_file():
        return []
    out = []
    for row in csv.DictReader(io.StringIO(f.read_text("utf-8"))):
        if str(row.get("validation_only", "")).strip().lower() in TRUE:
            continue
        ids = identifiers(f"{row.get('doi') or ''} {row.get('citation') or ''}")
        if ids:
            out.append(Cited(f"meta/data/outcomes.csv row {row['row_id']}", "", frozenset(ids)))
    return out


@cache
def model_sources() -> tuple[Cited, ...]:
    return (
        *parameter_sources(),
        *calibration_sources(),
        *code_sources(),
        *knowledge_graph_sources(),
        *outcome_table_sources(),
    )


@dataclass(frozen=True)
class Leak:
    """A validation target whose paper the model was built from."""

    target: str
    source_key: str
    shared: str
    where: str

    def to_dict(self) -> dict[str, str]:
        return {
            "target": self.target,
            "source_key": self.source_key,
            "shared": self.shared,
            "where": self.where,
        }


def validation_targets() -> dict[str, Any]:
    """The shipped validation targets (``validation_targets.yaml``).

    Read here, not through :mod:`exosci.evaluate.validation`, which imports this module.
    """
    text = resources.files("exosci.model").joinpath("validation_targets.yaml").read_text("utf-8")
    return dict(load_text(text))


def leaks(
    targets: dict[str, Any] | None = None, sources: Iterable[Cited] | None = None
) -> list[Leak]:
    """Every (target, model source) pair that shares a paper, by identifier or source key."""
    if targets is None:
        targets = validation_targets()
    cited = list(model_sources() if sources is None else sources)
    out = []
    for t in targets["targets"]:
        key = t["source"]
        ids = identifiers(str(targets["sources"][key]))
        for c in cited:
            shared = sorted(ids & c.ids)
            if _KEY.match(key) and key == c.key:
                shared.insert(0, f"key:{key}")
            if shared:
                out.append(Leak(t["id"], key, ", ".join(shared), c.where))
    return out


__all__ = ["Cited", "Leak", "identifiers", "leaks", "model_sources"]
