from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from exosci.kb.schema import Entity, Evidence, Statement
from exosci.reason.graph import kb_from_records

_PREFIX_TYPE = {
    "src": "cell_source",
    "exo": "exosome",
    "mir": "mirna",
    "gene": "gene",
    "pw": "pathway",
    "proc": "process",
    "mech": "mechanism",
    "out": "outcome",
    "chem": "small_molecule",
    "mat": "material",
    "int": "intervention",
}

Edge = tuple[Any, ...]  # (subject, predicate, object[, model[, species[, refs]]])


def make_records(edges: Sequence[Edge]) -> tuple[list[Entity], list[Statement]]:
    """Entities (typed by id prefix) and statements for a tiny hand-made graph."""
    ids: dict[str, None] = {}
    statements = []
    for i, edge in enumerate(edges):
        subj, pred, obj, *rest = edge
        model = rest[0] if len(rest) > 0 else "in_vivo"
        species = rest[1] if len(rest) > 1 else "rat"
        refs = rest[2] if len(rest) > 2 else [47]
        ids.update({subj: None, obj: None})
        statements.append(
            Statement(
                id=f"t{i}",
                subject=subj,
                predicate=pred,
                object=obj,
                evidence=[
                    Evidence(
                        refs=refs,
                        model=model,
                        species=species,
                        grade="review_claim" if model == "review" else "experimental",
                        # the helper's in vivo records stand for SCI contusion studies
                        injury_model="contusion" if model in ("in_vivo", "clinical") else None,
                        text="test",
                    )
                ],
            )
        )
    entities = [
        Entity(id=e, name=e.split(":", 1)[1], type=_PREFIX_TYPE[e.split(":", 1)[0]]) for e in ids
    ]
    return entities, statements


@pytest.fixture
def tiny_kb() -> Callable[..., Any]:
    """Factory: a knowledge base over the given edges (records only; duckdb on request)."""

    def build(edges: Sequence[Edge], *, backend: str = "memory") -> Any:
        return kb_from_records(*make_records(edges), backend=backend)  # type: ignore[arg-type]

    return build
