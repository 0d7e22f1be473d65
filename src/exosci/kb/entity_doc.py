"""The ``kb show`` document: one entity, its statements, its place in the hierarchy, and the
evidence of its kinds (labelled with the entity it was observed for; evidence flows up only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from exosci.kb.curated import Curated
from exosci.kb.schema import Statement

if TYPE_CHECKING:
    from exosci.kb.store import KnowledgeBase


def statement_doc(cur: Curated, st: Statement) -> dict[str, Any]:
    """One statement with its evidence, as ``kb show`` lists it."""
    refs = cur.references
    return {
        "id": st.id,
        "subject": cur.entities[st.subject].name,
        "predicate": st.predicate,
        "object": cur.entities[st.object].name,
        "sign": st.sign,
        "evidence": [
            {
                "ref": ev.refs,
                "doi": [refs[n].doi for n in ev.refs if n in refs],
                "papers": list(getattr(ev, "papers", [])),
                "species": ev.species,
                "model": ev.model,
                "grade": ev.grade,
                "context": ev.context,
                "route": ev.route,
                "quantities": [q.model_dump(exclude_none=True) for q in ev.quantities],
                "text": ev.text,
            }
            for ev in st.evidence
        ],
    }


def show_entity(kb: KnowledgeBase, name: str) -> dict[str, Any]:
    """The ``kb show`` document for one entity.

    Besides the entity's own statements it lists its place in the hierarchy and, under
    ``inherited_statements``, the statements of its kinds (``is_a`` descendants), each
    labelled with the entity it was observed for: evidence flows up, never down.
    """
    from exosci.kb.hierarchy import children, evidence_sources, parents

    cur = kb.curated
    ent = kb.resolve(name)
    names = cur.entities
    out_statements = [statement_doc(cur, st) for st in kb.statements_of(ent.id)]
    inherited = []
    for kind in evidence_sources(cur, ent.id)[1:]:
        for st in kb.statements_of(kind):
            if st.predicate in ("derived_from", "part_of") or ent.id in (st.subject, st.object):
                continue  # structural links of the kind itself, or already listed above
            inherited.append(
                {
                    **statement_doc(cur, st),
                    "observed_for": names[kind].name,
                    "observed_for_id": kind,
                }
            )
    cargo = [
        cur.entities[s.object].name
        for s in cur.statements
        if s.subject == ent.id and s.predicate == "carries"
    ]

    def links(rows: list[Any], end: str) -> list[dict[str, str]]:
        return [
            {"id": getattr(h, end), "name": names[getattr(h, end)].name, "relation": h.relation}
            for h in rows
        ]

    return {
        "id": ent.id,
        "name": ent.name,
        "type": ent.type,
        "curie": ent.curie,
        "synonyms": ent.synonyms,
        "description": ent.description,
        "attributes": ent.attributes,
        "refs": ent.refs,
        "cargo": cargo,
        "statements": out_statements,
        "hierarchy": {
            "parents": links(parents(cur, ent.id), "parent"),
            "children": links(children(cur, ent.id), "child"),
        },
        "inherited_statements": inherited,
        "papers": papers_cited(cur, [*out_statements, *inherited]),
    }


def papers_cited(cur: Curated, docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Metadata of the papers beyond the review that the listed statements cite."""
    known = getattr(cur, "papers", {})
    ids = sorted({p for d in docs for ev in d["evidence"] for p in ev["papers"]})
    return {
        pid: known[pid].model_dump(exclude_none=True) if pid in known else {"id": pid}
        for pid in ids
    }
