"""The embedded store: curated knowledge (plus user imports) in DuckDB, with name resolution."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exosci.errors import CurationError, UnknownNameError, UserInputError
from exosci.kb.curated import Curated, load_curated
from exosci.kb.names import closest, normalize
from exosci.kb.schema import SCHEMA_VERSION, Entity, Evidence, Paper, Quantity, Statement
from exosci.limits import MAX_NAME_CHARS, short

if TYPE_CHECKING:
    # pandas costs ~0.5 s to import; only building a store needs it. DuckDB is imported when
    # a query first reads a table: ``show``, ``search``, ``reference`` and reasoning read
    # the curated records only.
    import duckdb
    import pandas as pd

_DDL = """
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE refs (number INTEGER PRIMARY KEY, first_author VARCHAR, year INTEGER,
                   title VARCHAR, journal VARCHAR, doi VARCHAR);
CREATE TABLE entities (id VARCHAR PRIMARY KEY, name VARCHAR, type VARCHAR, curie VARCHAR,
                       xrefs VARCHAR[], synonyms VARCHAR[], description VARCHAR,
                       attributes JSON, refs INTEGER[], origin VARCHAR);
CREATE TABLE names (key VARCHAR, entity_id VARCHAR, label VARCHAR);
CREATE TABLE statements (id VARCHAR PRIMARY KEY, subject VARCHAR, predicate VARCHAR,
                         object VARCHAR, sign INTEGER, section VARCHAR, origin VARCHAR);
CREATE TABLE evidence (statement_id VARCHAR, idx INTEGER, refs INTEGER[], species VARCHAR,
                       model VARCHAR, injury_model VARCHAR, cell_type VARCHAR, route VARCHAR,
                       preconditioning VARCHAR, engineering VARCHAR, quantities JSON,
                       text VARCHAR, grade VARCHAR, context VARCHAR, papers VARCHAR[]);
CREATE TABLE papers (id VARCHAR PRIMARY KEY, pmid VARCHAR, doi VARCHAR, title VARCHAR,
                     first_author VARCHAR, year INTEGER, journal VARCHAR, origin VARCHAR);
CREATE TABLE facts (id VARCHAR, topic VARCHAR, key VARCHAR, value JSON, unit VARCHAR,
                    refs INTEGER[], text VARCHAR);
CREATE TABLE hierarchy (child VARCHAR, relation VARCHAR, parent VARCHAR, refs INTEGER[],
                        note VARCHAR);
CREATE TABLE targets (mirna VARCHAR, gene VARCHAR, gene_entrez BIGINT, species VARCHAR,
                      support VARCHAR, experiments VARCHAR, pmids VARCHAR, score DOUBLE,
                      source VARCHAR);
"""


class KnowledgeBase:
    """Read access to a built store. Build one with :func:`build` or :func:`default_kb`."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection | None,
        curated: Curated,
        *,
        connect: Callable[[], duckdb.DuckDBPyConnection] | None = None,
    ) -> None:
        if con is None and connect is None:
            raise TypeError("KnowledgeBase needs a connection or a way to open one")

        def given() -> duckdb.DuckDBPyConnection:
            if con is None:  # pragma: no cover - refused above
                raise TypeError("KnowledgeBase needs a connection")
            return con

        self._con = con
        self._connect = connect or given  # opens the store on first use of :attr:`con`
        self._con_lock = threading.Lock()
        self.curated = curated
        self._studies: pd.DataFrame | None = None  # parsed once: every resolve_spec reads it
        self._study_rows: tuple[dict[str, Any], ...] | None = None

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection (opened on first use when the store came from the cache)."""
        con = self._con
        if con is None:
            with self._con_lock:
                con = self._con = self._con or self._connect()
        return con

    # -- metadata -----------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        return dict(self._rows("SELECT key, value FROM meta"))

    def stats(self) -> dict[str, Any]:
        by_type = dict(
            self._rows("SELECT type, count(*) FROM entities GROUP BY type ORDER BY type")
        )
        n_st = self._scalar("SELECT count(*) FROM statements")
        n_ref = self._scalar("SELECT count(*) FROM refs")
        n_ev = self._scalar("SELECT count(*) FROM evidence")
        n_q = self._scalar("SELECT coalesce(sum(json_array_length(quantities)), 0) FROM evidence")
        n_targets = self._scalar("SELECT count(*) FROM targets")
        meta = self.meta()
        return {
            "entities": by_type,
            "statements": n_st,
            "references": n_ref,
            "evidence": n_ev,
            "quantitative_findings": n_q,
            "facts": self._scalar("SELECT count(*) FROM facts"),
            "imported_targets": n_targets,
            "schema_version": int(meta["schema_version"]),
            "content_hash": meta["content_hash"],
        }

    def _rows(self, sql: str, params: list[Any] | None = None) -> list[Any]:
        # One cursor per query: a DuckDB connection must not run queries from two threads at
        # once (the web app serves requests from a thread pool).
        cur = self.con.cursor()
        try:
            return cur.execute(sql, params or []).fetchall()
        finally:
            cur.close()

    def _scalar(self, sql: str, params: list[Any] | None = None) -> int:
        rows = self._rows(sql, params)
        return int(rows[0][0]) if rows else 0

    # -- names --------------------------------------------------------------------------
    def _names(self) -> dict[str, list[str]]:
        """Normalised label -> entity ids: the ``names`` table, as the resolver holds it
        (same labels, same order; no query needed)."""
        from exosci.kb.resolve import resolver

        return resolver(self.curated).exact

    def resolve(self, name: str, *, types: tuple[str, ...] | None = None) -> Entity:
        """The entity a user means by ``name`` (id, name, synonym or CURIE, forgivingly).

        Beyond synonyms, the review's ways of writing names are understood (see
        :mod:`exosci.kb.resolve`): ``X-derived Exos``, ``Exos derived from X``, knockout
        markers, long and short forms, ``long form (SHORT)``, slash-joined complexes.
        """
        from exosci.kb.resolve import resolver

        _check_name(name, "name")
        return resolver(self.curated).resolve(name, types=types)

    def search(self, query: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """Entities whose name, synonym or CURIE contains the query (normalised), best first."""
        _check_name(query, "query")
        q = normalize(query)
        if not q:
            return []
        hits: dict[str, int] = {}
        for key, ids in self._names().items():
            if q in key:
                score = 0 if key == q else (1 if key.startswith(q) else 2)
                for eid in ids:
                    hits[eid] = min(hits.get(eid, 9), score)
        ranked = sorted(hits, key=lambda e: (hits[e], len(self.curated.entities[e].name)))
        if not ranked:
            pool = {e.id: e.name for e in self.curated.entities.values()}
            ranked = [i for i in pool if pool[i] in closest(query, list(pool.values()), limit=5)]
        return [self._brief(self.curated.entities[e]) for e in ranked[:limit]]

    @staticmethod
    def _brief(ent: Entity) -> dict[str, Any]:
        return {"id": ent.id, "name": ent.name, "type": ent.type, "curie": ent.curie}

    # -- records ------------------------------------------------------------------------
    def entity(self, ent_id: str) -> Entity:
        return self.curated.entities[ent_id]

    # -- hierarchy ----------------------------------------------------------------------
    def _entity_id(self, name_or_id: str) -> str:
        return name_or_id if name_or_id in self.curated.entities else self.resolve(name_or_id).id

    def ancestors(
        self, name_or_id: str, *, relations: tuple[str, ...] = ("is_a", "part_of")
    ) -> list[str]:
        """Ids of what this entity is a kind or a part of (``is_a``/``part_of``), nearest first."""
        from exosci.kb.hierarchy import ancestors

        return ancestors(self.curated, self._entity_id(name_or_id), relations=relations)  # type: ignore[arg-type]

    def descendants(
        self, name_or_id: str, *, relations: tuple[str, ...] = ("is_a", "part_of")
    ) -> list[str]:
        """Ids of this entity's kinds and parts, nearest first.

        For evidence that keeps its sign use ``relations=("is_a",)`` (see
        :func:`exosci.kb.hierarchy.evidence_sources`): a part may oppose its complex.
        """
        from exosci.kb.hierarchy import descendants

        return descendants(self.curated, self._entity_id(name_or_id), relations=relations)  # type: ignore[arg-type]

    def studies(
        self, product: str | None = None, *, ref: int | None = None, axis: str | None = None
    ) -> pd.DataFrame:
        """The in vivo outcome table (``exosci.kb.studies``), one row per arm and outcome.

        ``product`` (a name or id) keeps that product's rows and those of its descendants
        (more specific products); the ``product`` column says which one each row is for.
        """
        from exosci.kb.studies import load_studies, select_studies

        if self._studies is None:
            self._studies = load_studies(self.curated)
        df = self._studies.copy()
        products = None
        if product is not None:
            pid = self.resolve(product, types=("exosome",)).id
            products = [pid, *self.descendants(pid)]
        return select_studies(df, products=products, ref=ref, axis=axis)

    def study_rows(self) -> list[dict[str, Any]]:
        """The in vivo outcome table as plain records, one per arm and outcome (no pandas).

        The rows of :meth:`studies` (unfiltered; missing numbers ``None``), parsed once; each
        call returns fresh copies.
        """
        from exosci.kb.studies import checked_package_arms, study_rows

        if self._study_rows is None:
            arms = checked_package_arms(self.curated)
            self._study_rows = tuple(study_rows(arms, self.curated))
        return [dict(r) for r in self._study_rows]

    def statements_of(self, ent_id: str) -> list[Statement]:
        return [s for s in self.curated.statements if ent_id in (s.subject, s.object)]

    def show(self, name: str) -> dict[str, Any]:
        """The ``kb show`` document for one entity (see :mod:`exosci.kb.entity_doc`)."""
        from exosci.kb.entity_doc import show_entity

        return show_entity(self, name)

    def reference(self, number: int) -> dict[str, Any]:
        """One review reference and everything in the graph that cites it."""
        refs = self.curated.references
        if number not in refs:
            raise UnknownNameError(
                str(number), f"reference number (the review cites 1-{max(refs)})", []
            )
        names = self.curated.entities
        statements = [
            {
                "id": st.id,
                "subject": names[st.subject].name,
                "predicate": st.predicate,
                "object": names[st.object].name,
                "sign": st.sign,
                "species": ev.species,
                "model": ev.model,
                "grade": ev.grade,
                "context": ev.context,
                "text": ev.text,
                "quantities": [q.model_dump(exclude_none=True) for q in ev.quantities],
            }
            for st in self.curated.statements
            for ev in st.evidence
            if number in ev.refs
        ]
        return {
            **refs[number].model_dump(),
            "entities": [e.name for e in names.values() if number in e.refs],
            "statements": statements,
            "facts": [
                {"id": f.id, "topic": f.topic, "text": f.text}
                for f in self.curated.facts
                if number in f.refs
            ],
        }


def _check_name(text: str, what: str) -> None:
    """Names are short; a longer one is refused before any fuzzy matching (cost ~ length)."""
    if len(text) > MAX_NAME_CHARS:
        raise UserInputError(
            f"{what} of {len(text)} characters ({short(text, 30)}) is longer than the "
            f"{MAX_NAME_CHARS}-character limit on a name."
        )


def _name_rows(ent: Entity) -> list[tuple[str, str, str]]:
    labels = [ent.id, ent.name, *ent.synonyms, *ent.xrefs]
    if ent.curie:
        labels += [ent.curie, ent.curie.split(":", 1)[-1]]
    return [(normalize(lbl), ent.id, lbl) for lbl in dict.fromkeys(labels) if normalize(lbl)]


def _insert(con: duckdb.DuckDBPyConnection, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """Bulk insert ``rows`` (``sql`` is ``INSERT INTO table VALUES (?, ...)``).

    Rows go through one DataFrame scan: executemany is row-by-row and ~100x slower.
    """
    if not rows:
        return
    import pandas as pd

    table = sql.split()[2]
    cols = [r[1] for r in con.execute(f"PRAGMA table_info('{table}')").fetchall()]
    frame = pd.DataFrame.from_records(rows, columns=cols)
    con.register("_rows", frame)
    try:
        con.execute(f"INSERT INTO {table} SELECT * FROM _rows")
    finally:
        con.unregister("_rows")


def _insert_graph(
    con: duckdb.DuckDBPyConnection,
    entities: list[Entity],
    statements: list[Statement],
    *,
    origin: Callable[[str], str],
) -> None:
    """Entities (with their name keys), statements and evidence rows; ``origin`` labels each
    record from its key (``entity:<id>`` / ``statement:<id>``)."""
    _insert(
        con,
        "INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                e.id,
                e.name,
                e.type,
                e.curie,
                e.xrefs,
                e.synonyms,
                e.description,
                json.dumps(e.attributes),
                e.refs,
                origin("entity:" + e.id),
            )
            for e in entities
        ],
    )
    _insert(con, "INSERT INTO names VALUES (?, ?, ?)", [r for e in entities for r in _name_rows(e)])
    _insert(
        con,
        "INSERT INTO statements VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (s.id, s.subject, s.predicate, s.object, s.sign, s.section, origin("statement:" + s.id))
            for s in statements
        ],
    )
    _insert(
        con,
        "INSERT INTO evidence VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                s.id,
                i,
                ev.refs,
                ev.species,
                ev.model,
                ev.injury_model,
                ev.cell_type,
                ev.route,
                ev.preconditioning,
                ev.engineering,
                json.dumps([q.model_dump(exclude_none=True) for q in ev.quantities]),
                ev.text,
                ev.grade,
                ev.context,
                ev.papers,
            )
            for s in statements
            for i, ev in enumerate(s.evidence)
        ],
    )


def _insert_papers(con: duckdb.DuckDBPyConnection, papers: list[Paper], *, origin: str) -> None:
    _insert(
        con,
        "INSERT INTO papers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(p.id, p.pmid, p.doi, p.title, p.first_author, p.year, p.journal, origin) for p in papers],
    )


def _fill(con: duckdb.DuckDBPyConnection, cur: Curated) -> None:
    con.execute(_DDL)
    _insert(
        con,
        "INSERT INTO meta VALUES (?, ?)",
        [("schema_version", str(SCHEMA_VERSION)), ("content_hash", cur.content_hash)],
    )
    _insert(
        con,
        "INSERT INTO refs VALUES (?, ?, ?, ?, ?, ?)",
        [
            (r.number, r.first_author, r.year, r.title, r.journal, r.doi)
            for r in cur.references.values()
        ],
    )
    _insert_graph(
        con,
        list(cur.entities.values()),
        cur.statements,
        origin=lambda key: cur.origin.get(key, "import"),
    )
    _insert(
        con,
        "INSERT INTO hierarchy VALUES (?, ?, ?, ?, ?)",
        [(h.child, h.relation, h.parent, h.refs, h.note) for h in cur.hierarchy],
    )
    _insert_papers(con, list(getattr(cur, "papers", {}).values()), origin="curated")
    _insert(
        con,
        "INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(f.id, f.topic, f.key, json.dumps(f.value), f.unit, f.refs, f.text) for f in cur.facts],
    )


def build(
    path: Path | str | None = None,
    *,
    data_dir: Path | None = None,
    extend: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> KnowledgeBase:
    """Validate the curated files and load them into DuckDB (in memory, or atomically to a file).

    A failed build leaves an existing store file untouched: the new store is written to a
    temporary file beside it and moved into place only when complete.
    """
    import duckdb

    from exosci.kb.storefile import store_lock, write_store

    cur = load_curated(data_dir)
    if path is None:
        con = duckdb.connect(":memory:")
        _fill(con, cur)
        if extend:
            extend(con)
        return KnowledgeBase(con, cur)
    target = Path(path)

    def fill(con: duckdb.DuckDBPyConnection) -> None:
        _fill(con, cur)
        if extend:
            extend(con)

    with store_lock(target):
        write_store(target, fill, start_from_existing=False)
    return open_store(target)


def _connect_checked(path: Path, *, schema: bool = True) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a store file (of this schema version), or a clear error."""
    import duckdb

    if not path.exists():
        raise CurationError(f"{path}: no such store (build one with `exosci kb build {path}`)")
    if not path.is_file() or path.stat().st_size == 0:
        what = "a directory" if path.is_dir() else "empty" if path.is_file() else "not a file"
        raise CurationError(f"{path}: {what}, not an exosci store (`exosci kb build {path}`)")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        raise CurationError(
            f"{path}: not a DuckDB file, so not an exosci store (`exosci kb build FILE` makes one)"
        ) from None
    if not schema:
        return con
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except duckdb.Error:
        row = None
    if row is None or int(row[0]) != SCHEMA_VERSION:
        raise CurationError(
            f"{path}: store schema version {row[0] if row else 'unknown'} but this exosci reads "
            f"version {SCHEMA_VERSION}; rebuild it with `exosci kb build {path}`"
        )
    return con


def check_store(path: Path | str, *, schema: bool = True) -> None:
    """Raise a clear error unless ``path`` is a DuckDB store (of this schema version)."""
    _connect_checked(Path(path), schema=schema).close()


def open_store(path: Path | str) -> KnowledgeBase:
    """Open a store file built earlier; refuses a file from another schema version.

    The curated records come from the package; records a user imported into the file
    (origin ``import:...``) are merged in, so reasoning sees them too.
    """
    con = _connect_checked(Path(path))
    return KnowledgeBase(con, _with_imports(_package_curated(), con))


def _package_curated() -> Curated:
    """The packaged curated records: those of :func:`default_kb` (read from the on-disk
    cache, not re-parsed) unless the cache is off."""
    from exosci.kb.cache import cache_dir

    return default_kb().curated if cache_dir() is not None else load_curated()


def _with_imports(cur: Curated, con: duckdb.DuckDBPyConnection) -> Curated:
    """The curated records plus the entities and statements imported into a store file."""
    ents = dict(cur.entities)
    origin = dict(cur.origin)
    for eid, name, etype, curie, xrefs, syns, desc, attrs, refs, orig in con.execute(
        "SELECT * FROM entities WHERE origin LIKE 'import:%'"
    ).fetchall():
        ents[eid] = Entity(
            id=eid,
            name=name,
            type=etype,
            curie=curie,
            xrefs=xrefs or [],
            synonyms=syns or [],
            description=desc,
            attributes=json.loads(attrs) if attrs else {},
            refs=refs or [],
        )
        origin["entity:" + eid] = orig
    evidence: dict[str, list[Evidence]] = {}
    for row in con.execute(
        "SELECT e.* FROM evidence e JOIN statements s ON s.id = e.statement_id "
        "WHERE s.origin LIKE 'import:%' ORDER BY e.statement_id, e.idx"
    ).fetchall():
        sid, _, refs, species, model, inj, cell, route, pre, eng, qty, text, grade, ctx, pap = row
        evidence.setdefault(sid, []).append(
            Evidence(
                refs=refs or [],
                papers=pap or [],
                species=species,
                model=model,
                injury_model=inj,
                cell_type=cell,
                route=route,
                preconditioning=pre,
                engineering=eng,
                quantities=[Quantity(**q) for q in json.loads(qty or "[]")],
                text=text,
                grade=grade,
                context=ctx,
            )
        )
    statements = list(cur.statements)
    for sid, subj, pred, obj, _sign, section, orig in con.execute(
        "SELECT * FROM statements WHERE origin LIKE 'import:%' ORDER BY id"
    ).fetchall():
        statements.append(
            Statement(
                id=sid,
                subject=subj,
                predicate=pred,
                object=obj,
                evidence=evidence.get(sid, []),
                section=section,
            )
        )
        origin["statement:" + sid] = orig
    papers = dict(getattr(cur, "papers", {}))
    for pid, pmid, doi, title, author, year, journal, orig in con.execute(
        "SELECT * FROM papers WHERE origin LIKE 'import:%' ORDER BY id"
    ).fetchall():
        papers[pid] = Paper(
            id=pid, pmid=pmid, doi=doi, title=title, first_author=author, year=year, journal=journal
        )
        origin["paper:" + pid] = orig
    if len(statements) == len(cur.statements) and len(ents) == len(cur.entities):
        return cur
    return Curated(
        cur.references,
        ents,
        statements,
        cur.facts,
        origin,
        cur.content_hash,
        list(getattr(cur, "hierarchy", [])),
        papers,
    )


def insert_records(
    con: duckdb.DuckDBPyConnection,
    entities: list[Entity],
    statements: list[Statement],
    *,
    origin: str,
    papers: list[Paper] | None = None,
) -> dict[str, int]:
    """Add imported entities and statements to a store (inside :func:`update_store`).

    Entities whose id already exists are kept as they are (curated records win); every
    statement subject/object must exist in the store or in ``entities``; evidence must cite
    references the store knows. A statement whose id is already in the store with the same
    subject, predicate and object is skipped (re-importing a file is idempotent); the same id
    with different content is an error. Evidence may cite papers beyond the review (by id);
    each must be in ``papers`` or already in the store. ``origin`` is recorded as
    ``import:<origin>``.
    Returns the counts of entities and statements added and statements skipped.
    """
    known = {r[0] for r in con.execute("SELECT id FROM entities").fetchall()}
    ref_numbers = {r[0] for r in con.execute("SELECT number FROM refs").fetchall()}
    stored_papers = {r[0] for r in con.execute("SELECT id FROM papers").fetchall()}
    new_papers = list({p.id: p for p in papers or [] if p.id not in stored_papers}.values())
    paper_ids = stored_papers | {p.id for p in new_papers}
    tag = origin if origin.startswith("import:") else f"import:{origin}"
    new_ents = [e for e in entities if e.id not in known]
    all_ids = known | {e.id for e in new_ents}
    taken = {
        r[0]: tuple(r[1:])
        for r in con.execute("SELECT id, subject, predicate, object FROM statements").fetchall()
    }
    fresh: list[Statement] = []
    for st in statements:
        if st.id in taken and taken[st.id] == (st.subject, st.predicate, st.object):
            continue
        fresh.append(st)
    skipped = len(statements) - len(fresh)
    statements = fresh
    for st in statements:
        for role, eid in (("subject", st.subject), ("object", st.object)):
            if eid not in all_ids:
                raise CurationError(f"{origin}: statement {st.id!r}: {role} {eid!r} is unknown")
        if st.id in taken:
            raise CurationError(
                f"{origin}: statement id {st.id!r} is already in the store with different "
                f"content ({' '.join(taken[st.id])}); give the imported statement a new id"
            )
        for ev in st.evidence:
            missing = [n for n in ev.refs if n not in ref_numbers]
            if missing:
                raise CurationError(
                    f"{origin}: statement {st.id!r} cites unknown reference(s) {missing}"
                )
            unknown = [p for p in ev.papers if p not in paper_ids]
            if unknown:
                raise CurationError(
                    f"{origin}: statement {st.id!r} cites paper(s) {unknown} with no metadata "
                    "record; pass them in 'papers'"
                )
    _insert_graph(con, new_ents, statements, origin=lambda _key: tag)
    _insert_papers(con, new_papers, origin=tag)
    return {
        "entities": len(new_ents),
        "statements": len(statements),
        "skipped": skipped,
        "papers": len(new_papers),
    }


def insert_targets(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, origin: str) -> int:
    """Append miRNA-target rows (columns of the ``targets`` table) to a store; returns count."""
    cols = ["mirna", "gene", "gene_entrez", "species", "support", "experiments", "pmids", "score"]
    missing = [c for c in ("mirna", "gene") if c not in frame.columns]
    if missing:
        raise CurationError(f"{origin}: target table lacks column(s) {missing}")
    out = frame.reindex(columns=cols).assign(source=origin)
    con.register("_new_targets", out)
    try:
        con.execute("INSERT INTO targets SELECT * FROM _new_targets")
    finally:
        con.unregister("_new_targets")
    return len(out)


def update_store(path: Path | str, change: Callable[[duckdb.DuckDBPyConnection], None]) -> None:
    """Apply ``change`` to a copy of the store and swap it in only if it succeeds.

    Writers are serialised by the store's file lock (see :mod:`exosci.kb.storefile`), so two
    concurrent imports both land; a store that does not exist yet is built first.
    """
    from exosci.kb.storefile import store_lock, write_store

    path = Path(path)
    with store_lock(path):
        if not path.exists():
            cur = load_curated()
            write_store(path, lambda con: _fill(con, cur), start_from_existing=False)
        else:
            _connect_checked(path).close()
        write_store(path, change, start_from_existing=True)


@cache
def default_kb() -> KnowledgeBase:
    """The curated knowledge base, once per process.

    Built stores are cached on disk, keyed by a digest of the curated files, the schema version
    and the store's source code, so later processes read the records (and the name index) from
    JSON instead of re-parsing the YAML, and open the ready DuckDB file only when a query reads
    a table. ``EXOSCI_CACHE_DIR`` moves the cache (default ``~/.cache/exosci``);
    ``EXOSCI_NO_CACHE=1`` turns it off. A cache that cannot be read or written is ignored (the
    store is then built in memory as usual).
    """
    from exosci.kb.cache import read_cache, write_cache

    cached = read_cache()
    if cached is not None:
        db, cur = cached
        return KnowledgeBase(None, cur, connect=lambda: _open_cached(db, cur))
    kb = build()
    write_cache(kb.con, kb.curated)
    return kb


def _open_cached(db: Path, cur: Curated) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the cached store; an unreadable file (another DuckDB
    version, a damaged disk) is rebuilt from the cached records instead, never fatal."""
    import duckdb

    from exosci.kb.cache import write_cache

    try:
        return duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        con = duckdb.connect(":memory:")
        _fill(con, cur)
        write_cache(con, cur)
        return con
