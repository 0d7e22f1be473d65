"""The whole ``cargo enrich`` job as one library call (the CLI only parses and renders)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Literal

import pandas as pd

from exosci.cargo.design import TargetMatrices, build_design
from exosci.cargo.enrich import DEFAULT_PERMUTATIONS, EnrichmentResult, enrich_batch
from exosci.cargo.enrich import enrich as enrich_profile
from exosci.cargo.genesets import (
    GeneSets,
    genesets_from_mapping,
    mechanism_genesets,
    read_gmt,
    resource_genesets,
)
from exosci.cargo.inputs import MirnaInput, read_mirnas
from exosci.cargo.mirna_names import MirnaNames, infer_species, normalize_mirnas
from exosci.cargo.targets import (
    DEFAULT_SUPPORT,
    Match,
    SupportLevel,
    TargetTable,
    load_targets,
)
from exosci.errors import UserInputError

TargetSources = Sequence[Path | str | pd.DataFrame] | Path | str | pd.DataFrame
GeneSetSources = (
    Sequence[Path | str | Mapping[str, Sequence[str]]] | Path | str | Mapping[str, Sequence[str]]
)


def read_universe(path: Path | str) -> list[str]:
    """Genes one a line (or the first column of a table); ``#`` comments skipped."""
    from exosci.cargo.inputs import read_mirnas as _read

    return list(_read(path).names)


def store_genesets(store: Path | str) -> GeneSets | None:
    """Gene sets imported into a store with ``exosci kb import --kind gmt`` (or None)."""
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    try:
        rows = con.execute("SELECT set_name, gene FROM genesets").fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    sets: dict[str, list[str]] = {}
    for name, gene in rows:
        sets.setdefault(name, []).append(gene)
    return GeneSets({k: tuple(v) for k, v in sets.items()}, {}, (f"store:{store}",))


def no_mirna_recognised(inp: MirnaInput, names: MirnaNames) -> str:
    """The message when not one input name is a miRNA: what was read and the likeliest reason."""
    sample = [u.input for u in names.unrecognized[:3]]
    where = f"{inp.path}: none of {len(names.unrecognized)} names is a known miRNA ({sample}"
    where += " ...)" if len(names.unrecognized) > 3 else ")"
    joined = " ".join(sample)
    if any(d in joined for d in (";", ",", "\t")):
        why = "the names hold delimiters: the file looks like a table read as a list"
    elif sample and all(" " in n for n in sample):
        why = "the names hold spaces: are these descriptions rather than miRBase ids?"
    elif names.species and not any(n.lower().startswith(("hsa", "mmu", "rno")) for n in sample):
        why = (
            f"species {names.species}: names without a prefix were read as {names.species} "
            "miRNAs; give --species or prefixed names (hsa-/mmu-/rno-)"
        )
    else:
        why = "expected miRBase names (hsa-miR-21-5p), MIMAT accessions or exceRpt ids"
    closest = next((u.suggestions for u in names.unrecognized if u.suggestions), [])
    hint = f"; closest known to the first: {', '.join(closest[:3])}" if closest else ""
    return f"{where}; {why}{hint}"


def run_enrich(
    path: Path | str | MirnaInput,
    *,
    species: str | None = None,
    targets: TargetSources = (),
    genesets: GeneSetSources = (),
    universe: Path | str | None = None,
    universe_kind: Literal["targets", "annotated"] = "targets",
    store: Path | str | None = None,
    mature_fa: Path | str | None = None,
    aliases: Path | str | None = None,
    method: Literal["ora", "weighted"] = "ora",
    match: Match = "orthologs",
    mechanisms: bool = False,
    min_size: int | None = None,
    max_size: int = 2000,
    min_cpm: float = 10.0,
    n_perm: int = DEFAULT_PERMUTATIONS,
    seed: int = 0,
    accept_by_rule: bool = False,
    support: Sequence[SupportLevel] = DEFAULT_SUPPORT,
    experiments: Sequence[str] = (),
    max_context_score: float | None = None,
    mode: str = "genes-union",
    per_mirna: bool = False,
) -> tuple[EnrichmentResult, pd.DataFrame | None]:
    """Read the input, targets and gene sets, and enrich (pooled profile + per-sample table).

    ``targets`` and ``genesets`` take files or names of fetched data resources
    (``mirtarbase``, ``reactome``; see ``exosci data list``); resources are read from their
    prepared stores and never downloaded here. ``accept_by_rule`` (opt-in) keeps well-formed
    miRNA names that miRBase does not list.

    ``min_size`` defaults to 5 for GMT sets and 1 when only the built-in mechanism sets are used.

    For a count table, the pooled profile sums the samples (CPM of the pool); the second value
    is the long per-sample table from ``enrich_batch`` (None for a plain list).
    """
    inp = path if isinstance(path, MirnaInput) else read_mirnas(path)
    source = inp.path
    sp = species or infer_species(inp.names, source=source, lines=inp.lines) or "human"
    table = load_targets(
        targets,
        store=store,
        species=sp,
        match=match,
        mature_fa=mature_fa,
        aliases=aliases,
        accept_by_rule=accept_by_rule,
        support=support,
        experiments=experiments,
        max_context_score=max_context_score,
    )
    from exosci.cargo.targets import is_resource_name

    sets: GeneSets | None = None
    if isinstance(genesets, Mapping):  # {"set": [genes]}: a notebook's own sets
        genesets = [genesets]
    if isinstance(genesets, str | Path):
        genesets = [genesets]
    for i, gpath in enumerate(genesets):
        if isinstance(gpath, Mapping):
            gs = genesets_from_mapping(gpath, source=f"genesets[{i}] (dict)")
        elif not isinstance(gpath, str | Path):
            raise UserInputError(
                f"genesets[{i}]: a {type(gpath).__name__}; expected a GMT file, the name of a "
                "fetched resource ('reactome', 'msigdb') or a dict {'set name': [genes]}"
            )
        elif is_resource_name(gpath):
            gs = resource_genesets(str(gpath))
        else:
            gs = read_gmt(gpath)
        sets = gs if sets is None else sets.merge(gs)
    if sets is None and store is not None:
        sets = store_genesets(store)
    if sets is None or mechanisms:
        mech = mechanism_genesets()
        sets = mech if sets is None else sets.merge(mech)
    if not sets.sets:
        raise UserInputError("no gene sets: give --genesets FILE.gmt")
    if min_size is None:  # the small built-in mechanism sets are tested from one gene up
        min_size = 1 if not genesets and (store is None or mechanisms) else 5
    uni: str | list[str] = read_universe(universe) if universe is not None else universe_kind
    design = build_design(table, sets, universe=uni, min_size=min_size, max_size=max_size)  # type: ignore[arg-type]
    names = normalize_mirnas(
        inp.names,
        species=species or sp,
        reference=table.reference,
        lines=inp.lines,
        source=source,
    )
    names = replace(names, probes=inp.probes)
    if not names.recognized:
        raise UserInputError(no_mirna_recognised(inp, names))
    if mode != "genes-union" and method != "ora":
        raise UserInputError(f"--mode {mode} merges per-miRNA ORAs; it needs --method ora")
    if inp.counts is None:
        result = enrich_profile(
            names, table, sets, method=method, design=design, n_perm=n_perm, seed=seed
        )
        result = _modes(result, names, table, sets, design, sp, mode, per_mirna)
        return replace(result, notes=(*inp.notes, *result.notes)), None
    pooled = inp.counts.sum(axis=1)
    pooled = pooled.groupby(level=0).sum()
    if method == "ora":
        cpm = pooled / max(float(pooled.sum()), 1.0) * 1e6
        chosen = [n for n in dict.fromkeys(inp.names) if cpm.get(n, 0.0) >= min_cpm]
        sub = normalize_mirnas(chosen, species=sp, reference=table.reference)
        result = enrich_profile(sub, table, sets, design=design)
        result = _modes(result, sub, table, sets, design, sp, mode, per_mirna)
        note = f"pooled profile: {len(chosen)} of {len(pooled)} miRNAs with CPM >= {min_cpm:g}"
    else:
        result = enrich_profile(
            pooled,
            table,
            sets,
            species=sp,
            method="weighted",
            design=design,
            n_perm=n_perm,
            seed=seed,
        )
        note = "pooled profile: CPM of the summed samples as weights"
    result = EnrichmentResult(
        result.table,
        names,
        result.method,
        result.universe,
        result.query_genes,
        (*inp.notes, *result.notes, note),
        result.resources,
        result.gene_sets,
        result.per_mirna,
    )
    counts = inp.counts.groupby(level=0).sum()
    batch = enrich_batch(
        counts,
        table,
        sets,
        species=sp,
        method=method,
        min_cpm=min_cpm,
        design=design,
        n_perm=n_perm,
        seed=seed,
    )
    return result, batch.long(top=10)


def _modes(
    result: EnrichmentResult,
    names: MirnaNames,
    table: TargetTable,
    sets: GeneSets,
    design: TargetMatrices,
    species: str,
    mode: str,
    per_mirna: bool,
) -> EnrichmentResult:
    """Per-miRNA p-values when a miRPath mode or the heatmap asks for them."""
    from exosci.cargo.modes import MODES, merge_modes, per_mirna_pvalues

    if mode not in MODES:
        raise UserInputError(f"--mode {mode!r}: expected one of {', '.join(MODES)}")
    if mode == "genes-union" and not per_mirna:
        return result
    per = per_mirna_pvalues(names.names(), table, sets, design, species)
    if mode == "genes-union":
        return replace(result, per_mirna=per)
    return merge_modes(result, per, mode)  # type: ignore[arg-type]


def enrich(
    mirnas: Sequence[str] | None = None,
    *,
    counts: pd.DataFrame | None = None,
    species: str | None = None,
    targets: TargetSources = (),
    genesets: GeneSetSources = (),
    method: Literal["ora", "weighted"] = "ora",
    mechanisms: bool = False,
    min_size: int | None = None,
    max_size: int = 2000,
    min_cpm: float = 10.0,
    n_perm: int = DEFAULT_PERMUTATIONS,
    seed: int = 0,
    store: Path | str | None = None,
    accept_by_rule: bool = False,
    mode: str = "genes-union",
) -> EnrichmentResult:
    """A vesicle's miRNAs -> validated targets -> gene-set and SCI-mechanism enrichment.

    The notebook form of ``exosci cargo enrich``: the same reading, checks and statistics,
    from a Python list or a count DataFrame instead of a file.

    Parameters
    ----------
    mirnas
        miRNA names or miRBase accessions (any current or legacy miRBase name).
    counts
        Small-RNA-seq counts, miRNAs (index) x samples (columns); pooled as CPM.
    species
        ``human``, ``mouse`` or ``rat``; inferred from the names when omitted.
    targets
        Files, or names of fetched resources (``mirtarbase``, ``reactome``; see
        ``exosci data list``); ``targets`` also takes DataFrames with columns ``mirna`` and
        ``gene``, ``genesets`` a dict ``{"set name": ["GENE", ...]}``. Without them: the review's own miRNA-target edges and the
        five SCI repair-mechanism gene sets (an offline toy universe; the result says so).
    genesets
        Files, or names of fetched resources (``mirtarbase``, ``reactome``; see
        ``exosci data list``); ``targets`` also takes DataFrames with columns ``mirna`` and
        ``gene``, ``genesets`` a dict ``{"set name": ["GENE", ...]}``. Without them: the review's own miRNA-target edges and the
        five SCI repair-mechanism gene sets (an offline toy universe; the result says so).
    method
        ``ora`` (hypergeometric) or ``weighted`` (abundance-weighted, for ``counts``).
    mode
        ``genes-union`` (one ORA on all targets), ``pathways-union`` (per-miRNA ORAs merged
        by Fisher's method) or ``pathways-intersection`` (largest per-miRNA p); see
        ``exosci.cargo.modes``.

    Returns
    -------
    EnrichmentResult
        ``.table`` is a DataFrame (set, size, overlap, pvalue, qvalue, genes ...);
        ``.mirnas`` lists recognised and unrecognised names; ``.to_dict()`` is the CLI's JSON.

    Examples
    --------
    >>> import exosci as ex
    >>> res = ex.cargo.enrich(["miR-21-5p", "miR-146a-5p", "miR-124-3p"], species="rat")
    >>> "qvalue" in res.table.columns
    True
    """
    from exosci.cargo.inputs import mirna_input

    result, _ = run_enrich(
        mirna_input(mirnas, counts=counts),
        species=species,
        targets=targets,
        genesets=genesets,
        store=store,
        method=method,
        mechanisms=mechanisms,
        min_size=min_size,
        max_size=max_size,
        min_cpm=min_cpm,
        n_perm=n_perm,
        seed=seed,
        accept_by_rule=accept_by_rule,
        mode=mode,
    )
    from exosci.errors import warn_caveats

    warn_caveats(result.caveats())
    return result
