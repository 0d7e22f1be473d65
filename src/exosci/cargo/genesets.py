"""Gene sets: GMT files as users have them, and built-in sets for the five repair mechanisms.

Mechanism sets (Table 2 of the review) are built from the knowledge graph with one rule:
a gene belongs to mechanism M when (a) a statement links it to M directly (any predicate,
either direction), or (b) it reaches M upstream through at most ``max_depth`` causal (signed)
or ``part_of`` statements whose intermediate nodes are processes, pathways, cell types or
genes — not other mechanisms, miRNAs, exosomes or cell sources, so a miRNA's own targets are
not pulled in through the miRNA — or (c) it is named in the mechanism's attributes whose key
mentions molecules/genes/factors/targets (Table 2's key molecules), resolved to gene entities.
Symbols are the genes' HGNC symbols (CURIE) or names.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exosci.errors import UnknownNameError
from exosci.kb.loaders.gmt import parse_gmt

if TYPE_CHECKING:
    from exosci.reason.graph import HasCurated

_WALK_TYPES = {"gene", "process", "pathway", "cell_type"}
_ATTR_HINTS = ("molec", "gene", "factor", "target", "protein")


@dataclass(frozen=True)
class GeneSets:
    """Named gene sets, their descriptions, where they came from, and parsing notes."""

    sets: dict[str, tuple[str, ...]]
    descriptions: dict[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    resources: tuple[dict[str, object], ...] = ()  # fetched resources used (name, release..)

    def __len__(self) -> int:
        return len(self.sets)

    def merge(self, other: GeneSets) -> GeneSets:
        sets = dict(self.sets)
        notes = list(self.notes) + list(other.notes)
        for name, genes in other.sets.items():
            if name in sets:
                notes.append(f"set {name!r} in several files; kept the first")
                continue
            sets[name] = genes
        return GeneSets(
            sets,
            {**other.descriptions, **self.descriptions},
            self.sources + other.sources,
            tuple(notes),
            self.resources + other.resources,
        )


def resource_genesets(name: str) -> GeneSets:
    """The gene sets of a fetched data resource (``reactome``), from its prepared store.

    Never downloads: a resource that is not fetched is an error naming the fetch command.
    """
    from exosci.datasets import prepared_table

    # one row per set, genes aggregated by DuckDB in file order
    table, info = prepared_table(
        name,
        "(SELECT set_name, first(description) AS description, list(gene ORDER BY rid) AS "
        "genes, min(rid) AS rid FROM (SELECT *, rowid AS rid FROM genesets) GROUP BY set_name "
        "ORDER BY rid)",
        "set_name, description, genes",
    )
    names = table.column("set_name").to_pylist()
    desc = dict(zip(names, table.column("description").to_pylist(), strict=True))
    sets = dict(zip(names, map(tuple, table.column("genes").to_pylist()), strict=True))
    label = f"{name} (release {info['release']}, sha256 {str(info['sha256'])[:12]})"
    return GeneSets(sets, desc, (label,), (), (info,))


def read_gmt(path: Path | str) -> GeneSets:
    """Gene sets from a GMT file (names kept exactly; odd lines skipped and reported)."""
    gmt = parse_gmt(path)
    return GeneSets(gmt.sets, gmt.descriptions, (gmt.source,), gmt.notes)


def genesets_from_mapping(sets: Any, *, source: str = "genesets (dict)") -> GeneSets:
    """Gene sets a notebook holds: ``{"set name": ["GENE", ...]}`` (names kept exactly)."""
    from exosci.errors import UserInputError

    out: dict[str, tuple[str, ...]] = {}
    for name, genes in sets.items():
        if isinstance(genes, str) or not hasattr(genes, "__iter__"):
            raise UserInputError(
                f"{source}: set {name!r} is a {type(genes).__name__}; expected a list of gene "
                "symbols, e.g. {'my set': ['PTEN', 'PDCD4']}"
            )
        members = tuple(dict.fromkeys(str(g).strip() for g in genes if str(g).strip()))
        if not members:
            raise UserInputError(f"{source}: set {name!r} has no genes")
        out[str(name)] = members
    if not out:
        raise UserInputError(f"{source}: no gene sets (the mapping is empty)")
    return GeneSets(out, {}, (source,), ())


def _symbol(ent: Any) -> str:
    if ent.curie and ent.curie.lower().startswith("hgnc"):
        return str(ent.curie.split(":", 1)[1])
    return str(ent.name)


def mechanism_genesets(kb: HasCurated | None = None, *, max_depth: int = 3) -> GeneSets:
    """The five repair-mechanism gene sets of Table 2, built from the knowledge graph."""
    if kb is None:
        from exosci.kb.store import default_kb

        kb = default_kb()
    ents = kb.curated.entities
    incoming: dict[str, set[str]] = defaultdict(set)
    direct: dict[str, set[str]] = defaultdict(set)
    for st in kb.curated.statements:
        if st.subject not in ents or st.object not in ents:
            continue
        direct[st.subject].add(st.object)
        direct[st.object].add(st.subject)
        if st.sign != 0 or st.predicate == "part_of":
            incoming[st.object].add(st.subject)
    sets: dict[str, tuple[str, ...]] = {}
    desc: dict[str, str] = {}
    for mech in sorted((e for e in ents.values() if e.type == "mechanism"), key=lambda e: e.id):
        genes = {n for n in direct[mech.id] if ents[n].type == "gene"}
        seen, frontier = {mech.id}, {mech.id}
        for _ in range(max_depth):
            nxt: set[str] = set()
            for node in frontier:
                for subj in incoming[node] - seen:
                    seen.add(subj)
                    if ents[subj].type == "gene":
                        genes.add(subj)
                    if ents[subj].type in _WALK_TYPES:
                        nxt.add(subj)
            frontier = nxt
        for key, value in mech.attributes.items():
            if not any(h in key.lower() for h in _ATTR_HINTS):
                continue
            for item in value if isinstance(value, list) else [value]:
                try:
                    genes.add(kb.resolve(str(item), types=("gene",)).id)
                except UnknownNameError:
                    continue
        name = f"mechanism: {mech.name}"
        sets[name] = tuple(sorted({_symbol(ents[g]) for g in genes}))
        desc[name] = mech.id
    return GeneSets(
        sets,
        desc,
        ("kb:mechanisms",),
        (f"mechanism sets from the knowledge graph (upstream depth <= {max_depth})",),
    )
