"""INDRA statement JSON (``kb import --kind indra-json``): statements from a user's literature.

Evidence may cite the review or any paper by PMID / DOI; agents are matched to the graph's
entities where their identifier or name is known (PTEN lands on the graph's PTEN). What could
not be read is returned as data (``skipped``), never as a warning line; a file that yields no
statement at all is an input error.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from exosci.errors import FileFormatError
from exosci.kb.loaders.base import Loaded, Loader

# Entity types an INDRA agent may be matched to by name (not vesicles, routes or species).
_MATCH_TYPES = ("gene", "mirna", "rna", "small_molecule", "pathway", "process", "cell_type")


def available() -> bool:
    """The INDRA reader ships with exosci; nothing optional is needed."""
    return True


def _matcher():  # type: ignore[no-untyped-def]
    """A function mapping an agent (name, db_refs) to a curated entity id, or None."""
    from exosci.kb.resolve import resolver
    from exosci.kb.store import default_kb

    cur = default_kb().curated
    res = resolver(cur)
    by_curie: dict[str, str] = {}
    for ent in cur.entities.values():
        for c in (ent.curie, *ent.xrefs):
            if c:
                by_curie.setdefault(c.lower(), ent.id)

    def match(name: str, db: dict[str, str]) -> str | None:
        keys = [f"hgnc.symbol:{db['HGNC_SYMBOL']}"] if "HGNC_SYMBOL" in db else []
        keys += [f"mirbase:{db[k]}" for k in ("MIRBASEM", "MIRBASE") if k in db]
        keys += [db[k] for k in ("GO", "CHEBI", "CL", "UBERON") if k in db]
        keys += [f"fplx:{db['FPLX']}"] if "FPLX" in db else []
        if "HGNC" in db:  # INDRA's agents carry the numeric HGNC id and the symbol as name
            keys.append(f"hgnc.symbol:{name}")
        for key in keys:
            hit = by_curie.get(key.lower())
            if hit:
                return hit
        return res.lookup(name, _MATCH_TYPES)

    return match


def _load(path: Path) -> Loaded:
    from exosci.kb.indra import load_indra_json

    read = load_indra_json(Path(path), match=_matcher())
    skipped = [asdict(s) for s in read.skipped]
    if not read.statements:
        reasons = "; ".join(f"#{s.index} ({s.type}): {s.reason}" for s in read.skipped[:5])
        more = f" (and {len(read.skipped) - 5} more)" if len(read.skipped) > 5 else ""
        raise FileFormatError(
            f"{path}: no statement could be imported ({len(read.skipped)} skipped: "
            f"{reasons or 'the file lists no statements'}{more}). Accepted: Activation, "
            "Inhibition, IncreaseAmount, DecreaseAmount with subj/obj agents and evidence citing "
            "a paper (annotations.review_refs, a PMID or a DOI)."
        )
    notes = [
        f"{len(read.entities)} entities, {len(read.statements)} statements, "
        f"{len(read.papers)} papers beyond the review"
    ]
    notes += [f"skipped #{s.index} ({s.type}): {s.reason}" for s in read.skipped]
    return Loaded(
        kind="indra-json",
        source=f"indra:{Path(path).name}",
        entities=list(read.entities),
        statements=list(read.statements),
        papers=list(read.papers),
        skipped=skipped,
        notes=tuple(notes),
    )


LOADER = Loader(
    kind="indra-json",
    description="INDRA statements JSON (Activation, Inhibition, IncreaseAmount, DecreaseAmount)",
    patterns=("*indra*.json",),
    function=_load,
    writes="entities, statements, evidence, papers",
    available=available,
)
