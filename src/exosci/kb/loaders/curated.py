"""The knowledge graph's own curated miRNA -> target statements (always available, offline).

A row per statement whose subject is an entity of type ``mirna``, whose object is of type
``gene`` and whose predicate is ``decreases_amount`` or ``inhibits``. The gene is the HGNC
symbol of the entity's CURIE (``hgnc.symbol:PTEN``) or else its name; the miRNA is its name;
species is the evidence's species when all evidence agrees, else ``unspecified``; ``pmids``
holds the review's reference numbers as ``ref:N``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from exosci.kb.loaders.base import Loaded, Loader
from exosci.kb.loaders.tables import TARGET_COLUMNS

PREDICATES = ("decreases_amount", "inhibits")


def curated_targets(kb: object | None = None) -> pd.DataFrame:
    """Curated miRNA -> gene rows of ``kb`` (default: the packaged knowledge graph)."""
    if kb is None:
        from exosci.kb.store import default_kb

        kb = default_kb()
    ents = kb.curated.entities  # type: ignore[attr-defined]
    rows = []
    for st in kb.curated.statements:  # type: ignore[attr-defined]
        subj, obj = ents.get(st.subject), ents.get(st.object)
        if subj is None or obj is None or st.predicate not in PREDICATES:
            continue
        if subj.type != "mirna" or obj.type != "gene":
            continue
        gene = (
            obj.curie.split(":", 1)[1] if obj.curie and obj.curie.startswith("hgnc") else obj.name
        )
        species = {ev.species for ev in st.evidence}
        refs = sorted({n for ev in st.evidence for n in ev.refs})
        rows.append(
            {
                "mirna": subj.name,
                "gene": gene,
                "gene_entrez": pd.NA,
                "species": species.pop() if len(species) == 1 else "unspecified",
                "support": "curated",
                "experiments": "; ".join(sorted({ev.model for ev in st.evidence})),
                "pmids": ";".join(f"ref:{n}" for n in refs),
                "score": float(len(st.evidence)),
                "source": "kb:curated",
            }
        )
    frame = pd.DataFrame(rows, columns=TARGET_COLUMNS)
    frame["gene_entrez"] = frame["gene_entrez"].astype("Int64")
    return frame


def curated_mirna_names(kb: object | None = None) -> dict[str, list[str]]:
    """Each curated miRNA's name -> its synonyms and MIMAT accession (for name resolution)."""
    if kb is None:
        from exosci.kb.store import default_kb

        kb = default_kb()
    out: dict[str, list[str]] = {}
    for ent in kb.curated.entities.values():  # type: ignore[attr-defined]
        if ent.type != "mirna":
            continue
        extra = list(ent.synonyms) + list(ent.xrefs)
        if ent.curie:
            extra.append(ent.curie.split(":", 1)[-1])
        out[ent.name] = extra
    return out


def _load(path: Path) -> Loaded:
    frame = curated_targets()
    return Loaded(
        kind="kb-curated",
        source="kb:curated",
        targets=frame,
        notes=(f"{len(frame)} curated miRNA-target statements",),
    )


LOADER = Loader(
    kind="kb-curated",
    description="the knowledge graph's curated miRNA->target statements (no file needed)",
    patterns=(),
    function=_load,
    writes="targets",
)


def store_curated(store: Path | str) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Curated targets and miRNA names read straight from a store file (no YAML parsing).

    Same rules as :func:`curated_targets` / :func:`curated_mirna_names`, by SQL, so a prepared
    store answers in milliseconds instead of rebuilding the knowledge graph.
    """
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    try:
        rows = con.execute(
            """
            SELECT es.name, CASE WHEN eo.curie ILIKE 'hgnc%' THEN split_part(eo.curie, ':', 2)
                                 ELSE eo.name END,
                   list_distinct(list(ev.species)), list_distinct(flatten(list(ev.refs))),
                   list_distinct(list(ev.model)), count(ev.idx)
            FROM statements s
            JOIN entities es ON es.id = s.subject AND es.type = 'mirna'
            JOIN entities eo ON eo.id = s.object AND eo.type = 'gene'
            LEFT JOIN evidence ev ON ev.statement_id = s.id
            WHERE s.predicate IN ('decreases_amount', 'inhibits')
            GROUP BY s.id, es.name, eo.curie, eo.name
            """
        ).fetchall()
        names = con.execute(
            "SELECT name, synonyms, xrefs, curie FROM entities WHERE type = 'mirna'"
        ).fetchall()
    finally:
        con.close()
    frame = pd.DataFrame(
        [
            {
                "mirna": m,
                "gene": g,
                "gene_entrez": pd.NA,
                "species": sp[0] if len(sp) == 1 else "unspecified",
                "support": "curated",
                "experiments": "; ".join(sorted(x for x in models if x)),
                "pmids": ";".join(f"ref:{n}" for n in sorted(refs)),
                "score": float(n_ev),
                "source": "kb:curated",
            }
            for m, g, sp, refs, models, n_ev in rows
        ],
        columns=TARGET_COLUMNS,
    )
    frame["gene_entrez"] = frame["gene_entrez"].astype("Int64")
    out: dict[str, list[str]] = {}
    for name, syns, xrefs, curie in names:
        out[name] = [*(syns or []), *(xrefs or [])] + ([curie.split(":", 1)[-1]] if curie else [])
    return frame, out
