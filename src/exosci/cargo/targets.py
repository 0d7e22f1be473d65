"""miRNA -> target tables combined from public files, a prepared store and the curated graph.

Every row gets a species-free miRNA match key (see :mod:`exosci.cargo.mirna_names`) and a gene
key (upper-case symbol, see :mod:`exosci.cargo.orthologs`). With ``match="orthologs"`` (the
default) a rat profile uses interactions recorded in human, mouse and rat, joined through the
conserved mature name and the gene symbol; ``match="strict"`` keeps only the profile's species.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb
import numpy as np
import pandas as pd

from exosci.cargo.mirna_names import (
    PREFIX,
    MirnaReference,
    kb_reference,
    reference_from_mature_fa,
    target_keys,
)
from exosci.datasets.target_files import read_target_file
from exosci.errors import UserInputError
from exosci.kb.loaders.pairs import pairs_frame
from exosci.kb.loaders.tables import TARGET_COLUMNS

Match = Literal["orthologs", "strict"]
SupportLevel = Literal["functional", "weak", "non-functional", "predicted", "curated"]
DEFAULT_SUPPORT: tuple[SupportLevel, ...] = ("functional", "weak", "predicted", "curated")
_SPECIES = ("human", "mouse", "rat", "unspecified")


@dataclass(frozen=True)
class TargetTable:
    """Target rows plus the miRNA reference they were keyed with, and what went in."""

    frame: pd.DataFrame  # TARGET_COLUMNS + prefix, key, gene_key
    reference: MirnaReference
    sources: tuple[str, ...]
    match: Match
    notes: tuple[str, ...] = ()
    resources: tuple[dict[str, object], ...] = ()  # fetched resources used (name, release..)

    def __len__(self) -> int:
        return len(self.frame)


def is_resource_name(source: Path | str) -> bool:
    """True when ``source`` names a data resource (``mirtarbase``) rather than a file."""
    from exosci.datasets import registry

    text = str(source)
    return text in registry() and not Path(text).exists()


def resource_targets(
    name: str, *, experiments: bool = False
) -> tuple[pd.DataFrame, dict[str, object]]:
    """A fetched resource's target rows from its prepared store, and its provenance.

    Never downloads: a resource that is not fetched is an error naming the fetch command.
    ``experiments`` also reads the experiment column (for ``--experiment`` filters).
    """
    cat = (*_CAT, "experiments") if experiments else _CAT
    from exosci.datasets.manager import DataError, prepared_tables

    try:
        tables, info = prepared_tables(
            name,
            {
                "targets": f"SELECT {', '.join(cat)}, score FROM targets",
                "keys": "SELECT mirna, prefix, key, reference FROM mirna_keys",
            },
        )
    except DataError as exc:
        if experiments and "experiments" in str(exc):
            raise UserInputError(
                f"--experiment: the prepared {name} resource was made by an older exosci and "
                f"keeps no experiment types; add its file again (`exosci data add {name} FILE`) "
                "or give the file itself with --targets FILE"
            ) from None
        raise
    table = tables["targets"]
    keys = tables["keys"].to_pandas()
    info = {**info, "mirna_keys": keys}
    out: dict[str, object] = {c: _categorical(table.column(c)) for c in cat}
    out["score"] = table.column("score").to_numpy(zero_copy_only=False).astype(np.float64)
    n = len(out["score"])  # type: ignore[arg-type]
    frame = pd.DataFrame(out)
    frame["gene_entrez"] = pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, bool))
    if not experiments:
        frame["experiments"] = _constant("", n)
    frame["pmids"] = _constant("", n)
    frame["source"] = _constant(f"{name} {info['release']}", n)
    return frame[TARGET_COLUMNS], info


def _constant(value: str, n: int) -> pd.Categorical:
    """A column of one repeated string as a categorical (cheap to filter and concatenate)."""
    cats = pd.Index([value], dtype=object)
    return pd.Categorical.from_codes(np.zeros(n, np.int8), categories=cats)  # type: ignore[return-value]


def store_targets(store: Path | str, *, experiments: bool = False) -> pd.DataFrame:
    """The ``targets`` table of a store built with ``exosci kb build``/``kb import``.

    String columns come back as categoricals (factorised once), which keeps the later
    per-row string work (keys, upper-casing) to the distinct values.
    """
    path = Path(store)
    if not path.is_file():
        raise UserInputError(f"{path}: no such store (build one with `exosci kb build {path}`)")
    con = duckdb.connect(str(path), read_only=True)
    try:
        out: dict[str, object] = {}
        cat = (*_CAT, "experiments") if experiments else _CAT
        table = con.sql(f"SELECT {', '.join(cat)}, score FROM targets").to_arrow_table()
        for c in cat:
            out[c] = _categorical(table.column(c))
        out["score"] = table.column("score").to_numpy(zero_copy_only=False).astype(np.float64)
    except duckdb.Error as exc:
        raise UserInputError(f"{path}: not an exosci store with a targets table ({exc})") from None
    finally:
        con.close()
    n = len(out["score"])  # type: ignore[arg-type]
    frame = pd.DataFrame(out)
    frame["gene_entrez"] = pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, bool))
    if not experiments:
        frame["experiments"] = ""
    frame["pmids"] = ""
    frame["source"] = f"store:{path.name}"
    return frame[TARGET_COLUMNS]


_VALIDATED = ("functional", "weak", "non-functional")


def _evidence_filters(
    frame: pd.DataFrame, experiments: Sequence[str], max_context_score: float | None
) -> tuple[pd.DataFrame, list[str]]:
    """The ``--experiment`` and ``--max-context-score`` filters, with what each removed."""
    notes: list[str] = []
    if experiments:
        validated = frame["support"].isin(_VALIDATED).to_numpy()
        text = frame["experiments"].astype(str).str.lower()
        hit = np.zeros(len(frame), bool)
        for e in experiments:
            hit |= text.str.contains(e.strip().lower(), regex=False).to_numpy()
        drop = validated & ~hit
        notes.append(
            f"--experiment {', '.join(experiments)}: {int(drop.sum())} of "
            f"{int(validated.sum())} validated rows left out (no such experiment listed)"
        )
        frame = frame[~drop]
    if max_context_score is not None:
        predicted = (frame["support"] == "predicted").to_numpy()
        score = frame["score"].to_numpy(dtype=float)
        drop = predicted & ~(score <= max_context_score)
        notes.append(
            f"--max-context-score {max_context_score:g}: {int(drop.sum())} of "
            f"{int(predicted.sum())} TargetScan rows left out"
        )
        frame = frame[~drop]
    return frame, notes


def store_resources(store: Path | str) -> list[dict[str, object]]:
    """What a store holds, from its import log: one entry per imported file (for ``resources``).

    A store without an import log (``exosci kb build`` only) gives one entry naming the store.
    """
    path = Path(store)
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "SELECT kind, source, file, content_sha256, CAST(imported_at AS VARCHAR) "
            "FROM exosci_imports ORDER BY imported_at"
        ).fetchall()
    except duckdb.Error:
        rows = []
    finally:
        con.close()
    if not rows:
        return [
            {
                "name": f"store:{path.name}",
                "release": "unknown (store without an import log)",
                "sha256": None,
                "fetched_at": None,
            }
        ]
    return [
        {
            "name": f"store:{path.name}/{source}",
            "kind": kind,
            "file": file,
            "release": "unknown (user file)",
            "sha256": sha,
            "fetched_at": when,
        }
        for kind, source, file, sha, when in rows
    ]


_CAT = ("mirna", "gene", "species", "support")


def _categorical(column: object) -> pd.Categorical:
    """An Arrow string column as a pandas Categorical (hashing done by Arrow, in C++)."""
    import pyarrow.compute as pc

    enc = pc.dictionary_encode(column).combine_chunks()  # type: ignore[arg-type]
    codes = enc.indices.to_numpy(zero_copy_only=False)
    cats = pd.Index(enc.dictionary.to_pylist(), dtype=object)
    codes = np.where(np.isnan(codes), -1, codes) if codes.dtype.kind == "f" else codes
    return pd.Categorical.from_codes(codes.astype(np.int64), categories=cats)


def _as_categorical(values: pd.Series) -> pd.Categorical:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return pd.Categorical(values)
    codes, cats = pd.factorize(values.astype(object).to_numpy(), use_na_sentinel=True)
    return pd.Categorical.from_codes(codes, categories=pd.Index(cats, dtype=object))


def _map_categories(cat: pd.Categorical, func: object) -> pd.Categorical:
    """Apply ``func`` to the distinct values only; equal results share one category."""
    mapped = [func(c) for c in cat.categories]  # type: ignore[operator]
    codes, uniq = pd.factorize(pd.Index(mapped, dtype=object))
    new_codes = np.where(cat.codes >= 0, codes[np.maximum(cat.codes, 0)], -1)
    return pd.Categorical.from_codes(new_codes, categories=pd.Index(uniq, dtype=object))


def _upper(values: pd.Series) -> np.ndarray:
    """Upper-cased, stripped strings; categoricals are mapped through their categories only."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = np.asarray([str(c).strip().upper() for c in values.cat.categories], dtype=object)
        return cats[values.cat.codes.to_numpy()]
    return values.astype(str).str.strip().str.upper().to_numpy(dtype=object)


def load_targets(
    sources: Sequence[Path | str | pd.DataFrame] | Path | str | pd.DataFrame = (),
    *,
    store: Path | str | None = None,
    curated: bool = True,
    species: str = "human",
    support: Iterable[SupportLevel] = DEFAULT_SUPPORT,
    match: Match = "orthologs",
    mature_fa: Path | str | None = None,
    aliases: Path | str | None = None,
    accept_by_rule: bool = False,
    experiments: Sequence[str] = (),
    max_context_score: float | None = None,
) -> TargetTable:
    """Combine target files, a store's targets and the curated graph into one keyed table.

    Parameters
    ----------
    sources
        miRTarBase (xlsx/csv/tsv), TargetScan context++ files, ``mirna,gene`` tables (files or
        DataFrames), or the name of a fetched data resource (``mirtarbase``, ``targetscan``;
        see ``exosci data list``), read from its prepared store.
    store
        A store file whose ``targets`` table (filled by ``exosci kb import``) is added.
    curated
        Add the knowledge graph's curated miRNA -> target statements (always available).
    support
        Evidence kinds kept: miRTarBase ``functional``/``weak``/``non-functional``,
        TargetScan ``predicted``, ``curated``; user ``mirna,gene`` tables are always kept.
    match
        ``orthologs``: use human, mouse and rat rows; ``strict``: only ``species`` rows.
    mature_fa, aliases
        miRBase files for name resolution; without them, the shipped miRBase 22.1 name table.
    accept_by_rule
        Opt-in: also accept well-formed miRNA names that the reference does not list.
    experiments
        Keep validated (miRTarBase) rows only when their experiment list names one of these
        (case-insensitive substring: ``luciferase``, ``western blot``); predicted, curated and
        user rows are not touched.
    max_context_score
        Keep TargetScan rows only with a total context++ score <= this (more negative is
        stronger, e.g. -0.2); other rows are not touched.
    """
    if isinstance(sources, str | Path | pd.DataFrame):
        sources = [sources]
    if species not in PREFIX:
        raise UserInputError(f"species {species!r}: expected one of {sorted(PREFIX)}")
    frames: list[pd.DataFrame] = []
    names: list[str] = []
    used: list[dict[str, object]] = []
    precomputed: list[pd.DataFrame] = []  # miRNA keys computed when a resource was prepared
    for i, src in enumerate(sources):
        if isinstance(src, pd.DataFrame):  # a notebook's own mirna,gene table
            frames.append(pairs_frame(src, f"targets[{i}] (DataFrame)"))
            names.append(f"targets[{i}] (DataFrame, {len(src)} rows)")
            continue
        if not isinstance(src, str | Path):
            raise UserInputError(
                f"targets[{i}]: a {type(src).__name__}; expected a file path, the name of a "
                "fetched resource ('mirtarbase', 'targetscan') or a DataFrame with columns "
                "'mirna' and 'gene'"
            )
        if is_resource_name(src):
            frame_, info = resource_targets(str(src), experiments=bool(experiments))
            frames.append(frame_)
            names.append(f"{src} (release {info['release']}, sha256 {str(info['sha256'])[:12]})")
            precomputed.append(info.pop("mirna_keys"))  # type: ignore[arg-type]
            used.append(info)
            continue
        frames.append(read_target_file(src))
        names.append(str(src))
    kb_names: dict[str, list[str]] | None = None
    if store is not None:
        from exosci.kb.loaders.curated import store_curated

        frames.append(store_targets(store, experiments=bool(experiments)))
        names.append(f"store:{store}")
        used.extend(store_resources(store))
        store_cur, kb_names = store_curated(store)  # the store's copy of the graph: no rebuild
        if curated:
            frames.append(store_cur)
            names.append("kb:curated (from the store)")
    elif curated:
        from exosci.kb.loaders.curated import curated_targets

        frames.append(curated_targets())
        names.append("kb:curated")
    frames = [f for f in frames if not f.empty]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=TARGET_COLUMNS)
    keep = set(support) | {"user"}
    frame = frame[frame["support"].isin(keep) & frame["species"].isin(_SPECIES)]
    frame, strict_note = _evidence_filters(frame, experiments, max_context_score)
    if match == "strict":  # species-less rows count only when the miRNA name carries the prefix
        unspec = frame["species"] == "unspecified"
        own = frame["mirna"].astype(str).str.lower().str.startswith(PREFIX[species] + "-")
        dropped = int((unspec & ~own).sum())
        frame = frame[(frame["species"] == species) | (unspec & own)]
        if dropped:
            strict_note.append(
                f"--match strict: {dropped} rows without a species (no species column and no "
                f"{PREFIX[species]}- prefix on the miRNA) left out"
            )
    if mature_fa is not None and is_resource_name(mature_fa):
        from exosci.datasets import path as data_path

        mature_fa = data_path(str(mature_fa))  # a fetched miRBase mature.fa, by name
    if mature_fa is not None:
        reference = reference_from_mature_fa(mature_fa, aliases=aliases)
        reference.accept_by_rule = accept_by_rule
    else:
        reference = kb_reference(curated=kb_names, accept_by_rule=accept_by_rule)
    frame = frame.reset_index(drop=True)
    mirna_cat = _as_categorical(frame["mirna"])
    names_ = [str(n) for n in mirna_cat.categories]
    known = pd.DataFrame(columns=["mirna", "prefix", "key"])
    if precomputed and mature_fa is None and not accept_by_rule:
        pre = pd.concat(precomputed, ignore_index=True)
        pre = pre[pre["reference"] == reference.label].drop_duplicates("mirna")
        known = pre[pre["mirna"].isin(names_)][["mirna", "prefix", "key"]]
    rest = sorted(set(names_) - set(known["mirna"]))
    keys = pd.concat([known, target_keys(rest, reference)], ignore_index=True)
    keys = keys.drop_duplicates("mirna").set_index("mirna")
    frame = frame.assign(
        mirna=mirna_cat,
        prefix=_map_categories(mirna_cat, keys["prefix"].to_dict().get),
        key=_map_categories(mirna_cat, keys["key"].to_dict().get),
        gene_key=_map_categories(_as_categorical(frame["gene"]), lambda g: str(g).strip().upper()),
    )
    notes = [f"{len(frame)} miRNA-target rows after filters (support: {', '.join(sorted(keep))})"]
    notes += strict_note
    return TargetTable(frame, reference, tuple(names), match, tuple(notes), tuple(used))
