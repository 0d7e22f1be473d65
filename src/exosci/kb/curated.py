"""Load and cross-validate the curated knowledge files shipped in ``exosci/kb/data``."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from exosci._yaml import package_loader
from exosci.errors import CurationError
from exosci.kb.schema import (
    CuratedFile,
    Entity,
    Fact,
    HierarchyLink,
    Paper,
    Reference,
    Statement,
)

DATA_DIR = Path(str(resources.files("exosci.kb") / "data"))


@dataclass(frozen=True)
class Curated:
    """Everything curated, validated as a whole; ``origin`` maps record ids to their file."""

    references: dict[int, Reference]
    entities: dict[str, Entity]
    statements: list[Statement]
    facts: list[Fact]
    origin: dict[str, str] = field(default_factory=dict)
    content_hash: str = ""
    hierarchy: list[HierarchyLink] = field(default_factory=list)  # is_a / part_of, child first
    papers: dict[str, Paper] = field(default_factory=dict)  # papers beyond the review, by id


def _read_references(path: Path) -> dict[int, Reference]:
    refs: dict[int, Reference] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for line_no, row in enumerate(csv.DictReader(fh, delimiter="\t"), start=2):
            try:
                ref = Reference(
                    number=int(row["number"]),
                    first_author=row["first_author"],
                    year=int(row["year"]),
                    title=row["title"],
                    journal=row["journal"],
                    doi=row["doi"],
                )
            except ValidationError as exc:
                err = exc.errors()[0]
                where = ".".join(str(p) for p in err["loc"]) or "row"
                raise CurationError(f"{path.name}, line {line_no}: {where}: {err['msg']}") from None
            except (KeyError, ValueError, TypeError) as exc:
                raise CurationError(f"{path.name}, line {line_no}: {exc}") from None
            if ref.number in refs:
                raise CurationError(
                    f"{path.name}, line {line_no}: duplicate reference {ref.number}"
                )
            refs[ref.number] = ref
    return refs


def _read_yaml(path: Path) -> CuratedFile:
    import yaml

    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=package_loader()) or {}
    except yaml.YAMLError as exc:
        raise CurationError(f"{path.name}: not valid YAML: {exc}") from None
    try:
        return CuratedFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        record = _record_label(raw, first["loc"])
        raise CurationError(
            f"{path.name}: record {record}: field {loc}: {first['msg']}"
            f" ({exc.error_count()} problem(s) in this file)"
        ) from None


def _record_label(raw: object, loc: tuple[int | str, ...]) -> str:
    """Name the record a validation error points at (its id when it has one)."""
    if len(loc) >= 2 and isinstance(raw, dict):
        items = raw.get(loc[0])
        if isinstance(items, list) and isinstance(loc[1], int) and loc[1] < len(items):
            item = items[loc[1]]
            if isinstance(item, dict) and "id" in item:
                return repr(item["id"])
            return f"#{loc[1] + 1} of {loc[0]}"
    return "?"


def load_curated(data_dir: Path | None = None) -> Curated:
    """Read every curated file, validate each record and the cross-references between them."""
    data_dir = data_dir or DATA_DIR
    ref_path = data_dir / "references.tsv"
    if not ref_path.exists():
        raise CurationError(f"{ref_path}: reference list missing")
    references = _read_references(ref_path)
    entities: dict[str, Entity] = {}
    statements: list[Statement] = []
    facts: list[Fact] = []
    hierarchy: list[HierarchyLink] = []
    papers: dict[str, Paper] = {}
    origin: dict[str, str] = {}
    digest = hashlib.sha256(ref_path.read_bytes())
    for path in sorted(data_dir.rglob("*.yaml")):
        rel = str(path.relative_to(data_dir))
        digest.update(rel.encode() + path.read_bytes())
        curated = _read_yaml(path)
        for ent in curated.entities:
            if ent.id in entities:
                raise CurationError(
                    f"{rel}: entity {ent.id!r} is already defined in {origin['entity:' + ent.id]}"
                )
            entities[ent.id] = ent
            origin["entity:" + ent.id] = rel
        for st in curated.statements:
            if "statement:" + st.id in origin:
                raise CurationError(
                    f"{rel}: statement id {st.id!r} already used in {origin['statement:' + st.id]}"
                )
            statements.append(st)
            origin["statement:" + st.id] = rel
        for fact in curated.facts:
            facts.append(fact)
            origin["fact:" + fact.id] = rel
        for link in curated.hierarchy:
            key = f"hierarchy:{link.child}>{link.parent}"
            if key in origin:
                raise CurationError(
                    f"{rel}: hierarchy link {link.child} -> {link.parent} already in {origin[key]}"
                )
            hierarchy.append(link)
            origin[key] = rel
        for paper in curated.papers:
            if paper.id in papers:
                raise CurationError(
                    f"{rel}: paper {paper.id} already in {origin['paper:' + paper.id]}"
                )
            papers[paper.id] = paper
            origin["paper:" + paper.id] = rel
    _cross_check(references, entities, statements, facts, origin)
    for st in statements:
        for ev in st.evidence:
            missing = [p for p in ev.papers if p not in papers]
            if missing:
                raise CurationError(
                    f"{origin['statement:' + st.id]}: statement {st.id!r} cites paper(s) "
                    f"{missing} that no 'papers:' section defines"
                )
    _check_hierarchy(references, entities, hierarchy, origin)
    return Curated(
        references,
        entities,
        statements,
        facts,
        origin,
        digest.hexdigest()[:16],
        hierarchy,
        papers,
    )


# Which entity types may be a kind of / a part of which (child type -> parent types).
_HIERARCHY_TYPES: dict[str, tuple[str, ...]] = {
    "exosome": ("exosome",),
    "cell_source": ("cell_source", "cell_type"),
    "cell_type": ("cell_type", "cell_source"),
    "gene": ("gene", "pathway", "process"),
    "pathway": ("pathway",),
    "process": ("process", "mechanism"),
    "mirna": ("mirna",),
    "delivery_system": ("delivery_system",),
    "material": ("material",),
    "small_molecule": ("small_molecule", "pathway"),
    "intervention": ("intervention",),
}


def _check_hierarchy(
    references: dict[int, Reference],
    entities: dict[str, Entity],
    links: list[HierarchyLink],
    origin: dict[str, str],
) -> None:
    """Links name defined entities of compatible types, cite known references, form no cycle."""
    parents: dict[str, list[str]] = {}
    for link in links:
        where = f"{origin[f'hierarchy:{link.child}>{link.parent}']}: hierarchy link"
        for role, eid in (("child", link.child), ("parent", link.parent)):
            if eid not in entities:
                from exosci.kb.names import closest

                hint = ", ".join(closest(eid, list(entities), limit=3))
                raise CurationError(
                    f"{where} {link.child} -> {link.parent}: {role} {eid!r} is not a defined "
                    f"entity (closest: {hint})"
                )
        ctype, ptype = entities[link.child].type, entities[link.parent].type
        if ptype not in _HIERARCHY_TYPES.get(ctype, ()):
            raise CurationError(
                f"{where} {link.child} -> {link.parent}: a {ctype} cannot be {link.relation} a "
                f"{ptype} (accepted parents: {', '.join(_HIERARCHY_TYPES.get(ctype, ()))})"
            )
        for n in link.refs:
            if n not in references:
                raise CurationError(f"{where} {link.child} -> {link.parent}: unknown ref {n}")
        parents.setdefault(link.child, []).append(link.parent)
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done

    def visit(node: str, trail: list[str]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            cycle = " -> ".join([*trail[trail.index(node) :], node])
            raise CurationError(f"hierarchy has a cycle: {cycle}")
        state[node] = 1
        for p in parents.get(node, ()):
            visit(p, [*trail, node])
        state[node] = 2

    for child in parents:
        visit(child, [])


def _cross_check(
    references: dict[int, Reference],
    entities: dict[str, Entity],
    statements: list[Statement],
    facts: list[Fact],
    origin: dict[str, str],
) -> None:
    def check_refs(refs: list[int], where: str) -> None:
        for n in refs:
            if n not in references:
                raise CurationError(
                    f"{where}: cites reference {n}, which is not in the review's list (1-"
                    f"{max(references)})"
                )

    for ent in entities.values():
        check_refs(ent.refs, f"{origin['entity:' + ent.id]}: entity {ent.id!r}")
    for st in statements:
        where = f"{origin['statement:' + st.id]}: statement {st.id!r}"
        for role, eid in (("subject", st.subject), ("object", st.object)):
            if eid not in entities:
                from exosci.kb.names import closest

                hint = ", ".join(closest(eid, list(entities), limit=3))
                raise CurationError(
                    f"{where}: {role} {eid!r} is not a defined entity (closest: {hint})"
                )
        for ev in st.evidence:
            check_refs(ev.refs, where)
            _check_context(ev.context, entities, where)
    for fact in facts:
        check_refs(fact.refs, f"{origin['fact:' + fact.id]}: fact {fact.id!r}")


def _check_context(context: str | None, entities: dict[str, Entity], where: str) -> None:
    """An evidence context is a CL/UBERON CURIE listed in ``kb.contexts`` or an entity id."""
    from exosci.kb.contexts import CONTEXTS

    if context is None or context in CONTEXTS or context in entities:
        return
    from exosci.kb.names import closest

    hint = ", ".join(closest(context, [*CONTEXTS, *entities], limit=3))
    raise CurationError(
        f"{where}: evidence context {context!r} is neither a CL/UBERON id listed in"
        f" exosci.kb.contexts nor an entity id (closest: {hint})"
    )
