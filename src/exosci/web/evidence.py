"""Evidence in words for the web pages: statements with titled references, predicates and
result codes as phrases, and every field error of a design at once.

The explorer's edge and node cards show, per supporting statement, its text, species, model
and grade with each reference's first author, year, title and DOI (as STRING's evidence
viewer does), never an internal statement id or an enum name.
"""

from __future__ import annotations

from typing import Any

from exosci.errors import UnknownNameError, UserInputError
from exosci.kb.entity_doc import statement_doc
from exosci.kb.store import KnowledgeBase

#: Predicates as a reader says them (subject PHRASE object).
PREDICATE_WORDS: dict[str, str] = {
    "activates": "activates",
    "increases_amount": "increases the amount of",
    "promotes": "promotes",
    "carries": "carries",
    "secretes": "secretes",
    "inhibits": "inhibits",
    "decreases_amount": "decreases the amount of",
    "suppresses": "suppresses",
    "derived_from": "is derived from",
    "part_of": "is part of",
    "delivered_by": "is delivered by",
    "combined_with": "is combined with",
    "has_marker": "has the marker",
    "preconditioned_by": "is preconditioned by",
    "engineered_with": "is engineered with",
    "administered_by": "is administered by",
    "acts_via": "acts via",
}
#: Evidence models and grades in words.
MODEL_WORDS = {
    "in_vivo": "in vivo",
    "in_vitro": "in vitro",
    "clinical": "clinical",
    "in_silico": "in silico",
    "review": "review",
    "not_reported": "kind of study not reported",
}
GRADE_WORDS = {
    "experimental": "direct experimental evidence",
    "review_claim": "review-level claim",
    "curator_inferred": "curator-inferred link",
    "not_graded": "not graded",
}
#: ``exosci explain`` result codes in words.
RESULT_WORDS = {
    "PATHS_FOUND": "Paths found",
    "NO_PATHS_FOUND": "No path found",
    "SUBJECT_NOT_FOUND": "Subject not found",
    "OBJECT_NOT_FOUND": "Object not found",
    "MAX_PATH_LENGTH_EXCEEDED": "Path length limit exceeded",
}
MAX_IDS = 100


def words(value: str, table: dict[str, str]) -> str:
    """``value`` as a reader says it (the table's phrase, else underscores as spaces)."""
    return table.get(value, value.replace("_", " "))


def citations(kb: KnowledgeBase, refs: list[int], papers: list[str]) -> list[dict[str, Any]]:
    """Review references (by number) and papers beyond the review (by id), with their titles."""
    cur = kb.curated
    out: list[dict[str, Any]] = []
    for n in dict.fromkeys(refs):
        ref = cur.references.get(n)
        if ref is not None:
            out.append({"ref": n, **ref.model_dump(exclude={"number"})})
    known = getattr(cur, "papers", {})
    for pid in dict.fromkeys(papers):
        paper = known.get(pid)
        out.append({"paper": pid, **(paper.model_dump(exclude={"id"}) if paper else {})})
    return out


def statement_cards(kb: KnowledgeBase, ids: list[str]) -> list[dict[str, Any]]:
    """The statements ``ids`` in words, each line of evidence with its titled references."""
    if len(ids) > MAX_IDS:
        raise UserInputError(f"at most {MAX_IDS} statement ids per request (got {len(ids)}).")
    cur = kb.curated
    by_id = {st.id: st for st in cur.statements}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise UserInputError(f"no statement with id {unknown[0][:80]!r} in the knowledge graph.")
    return [card(kb, statement_doc(cur, by_id[i])) for i in dict.fromkeys(ids)]


def card(kb: KnowledgeBase, doc: dict[str, Any]) -> dict[str, Any]:
    """A ``kb show`` statement document with its evidence worded and its references titled."""
    return {
        "id": doc["id"],
        "subject": doc["subject"],
        "object": doc["object"],
        "sign": doc["sign"],
        "predicate": words(doc["predicate"], PREDICATE_WORDS),
        "evidence": [
            {
                "text": ev["text"],
                "species": words(ev["species"], {}),
                "model": words(ev["model"], MODEL_WORDS),
                "grade": words(ev["grade"], GRADE_WORDS),
                "route": ev.get("route"),
                "references": citations(kb, ev["ref"], ev.get("papers", [])),
            }
            for ev in doc["evidence"]
        ],
    }


def field_errors(spec: Any, kb: KnowledgeBase) -> list[dict[str, Any]]:
    """Every unknown name of a therapy spec, one entry per field value (not just the first)."""
    from exosci.therapy.resolve import _resolve

    values: list[tuple[str, str]] = [("species", spec.species), ("route", spec.route)]
    if spec.carrier_name and spec.carrier_name.strip().lower() != "none":
        values.append(("carrier", spec.carrier_name))
    ex = spec.exosome
    if ex is not None:
        values.append(("exosome.source", ex.source))
        for key in ("preconditioning", "engineering", "cargo", "co_therapies"):
            values += [(f"exosome.{key}", v) for v in getattr(ex, key)]
    species = "mouse" if str(spec.species).strip().lower() == "mouse" else "rat"
    errors: list[dict[str, Any]] = []
    for field, value in values:
        try:
            _resolve(kb, field, value, species)
        except UnknownNameError as exc:
            text = str(exc).replace("; try `exosci kb search`", "")
            errors.append(
                {"field": field, "value": value, "error": text, "suggestions": exc.suggestions}
            )
    return errors
