"""Which gene sets do a vesicle's miRNAs target? Over-representation and abundance weighting.

``method="ora"`` — genes targeted by the profile's miRNAs (within the universe) are the draw;
the p-value of a set with ``x`` of its ``m`` genes hit, out of ``k`` hits in a universe of ``N``
genes, is the hypergeometric tail P(X >= x) (= ``scipy.stats.hypergeom.sf(x-1, N, m, k)``);
q-values are Benjamini-Hochberg over the sets tested. For count tables, a miRNA is present in a
sample when its CPM (counts per million of the sample's total) is at least ``min_cpm``.

``method="weighted"`` — each miRNA carries its share of the sample's counts (CPM / 1e6); a
gene's weight is the summed share of the miRNAs targeting it; a set's score is the sum of its
genes' weights. The null is a random set of the same size drawn from the universe (gene-label
sampling); the p-value is an empirical gene-permutation p-value
``(1 + #{S_perm >= S}) / (1 + n_perm)`` (1,000 by default), or on request (``n_perm=0``) the
one-sided normal approximation with the exact finite-population mean and variance
(``z = (S - m*mean) / sqrt(m*var*(N-m)/(N-1))``), which is anti-conservative because targets
come in blocks, and says so. Both ignore gene-gene correlation (competitive test).

Whole-profile ORA queries (targets covering half the universe or more) also get an empirical
miRNA-level null: random miRNA sets of the same size from the target table (Bleazard et al.,
Bioinformatics 2015), ``pvalue_empirical``/``qvalue_empirical``, with a warning.

Batch mode computes every sample at once: presence or weights (samples x miRNAs) times the
target matrix, then times the set matrix — sparse products, no per-sample loop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.stats import norm

from exosci.cargo.design import Design, UniverseKind, build_design
from exosci.cargo.genesets import GeneSets
from exosci.cargo.mirna_names import MirnaNames, normalize_mirnas
from exosci.cargo.orthologs import LIMITS
from exosci.cargo.stats import bh_qvalues_rows, hypergeom_sf
from exosci.cargo.targets import TargetTable
from exosci.errors import UserInputError
from exosci.registry import Registry

Method = Literal["ora", "weighted"]
Correct = Literal["all", "overlapping"]

STATISTICS = {
    "ora": "one-sided hypergeometric test P(X >= overlap) per set; Benjamini-Hochberg q-values",
    "weighted": "abundance-weighted set score (sum of CPM-share of targeting miRNAs over the "
    "set's genes); p-value from gene-label permutations (default 1,000, seeded); with 0 "
    "permutations the normal approximation (anti-conservative, on request only); BH q-values",
    "weighted-permutation": "abundance-weighted set score; empirical p-value from gene-label "
    "permutations (seeded); BH q-values",
    "pathways-union": "one hypergeometric ORA per miRNA (its own targets), the per-miRNA "
    "p-values of each set merged by Fisher's method (miRPath-style pathways union; assumes "
    "independent miRNAs, which shared targets violate: read as a ranking); BH q-values",
    "pathways-intersection": "one hypergeometric ORA per miRNA; a set's p-value is the largest "
    "per-miRNA p-value (intersection-union test: small only when every miRNA hits the set); "
    "BH q-values",
}


SMALL_UNIVERSE = 100  # genes; below this a hypergeometric p-value says little
# A query whose targets cover this share of the universe is a whole-profile query: every
# large, target-rich set "overlaps", and the hypergeometric null (genes drawn at random) is
# wrong because miRNAs target genes in correlated blocks. Bleazard, Lamb & Griffiths-Jones,
# Bioinformatics 2015;31:1592-1598 (doi:10.1093/bioinformatics/btv023) show the bias and the
# remedy: an empirical null from random miRNA sets of the same size (as DIANA-miRPath offers).
SATURATED = 0.5
DEFAULT_PERMUTATIONS = 1000  # random miRNA sets (ORA at saturation) / gene permutations


@dataclass(frozen=True)
class EnrichmentResult:
    """One profile's enrichment table with everything needed to read it honestly."""

    table: pd.DataFrame
    mirnas: MirnaNames
    method: str
    universe: dict[str, Any]
    query_genes: int
    notes: tuple[str, ...] = ()
    resources: tuple[dict[str, Any], ...] = ()  # fetched resources used, with releases
    gene_sets: dict[str, Any] | None = None  # given / tested / skipped by size
    per_mirna: pd.DataFrame | None = None  # sets x miRNAs p-values (miRPath modes, heatmap)

    def to_dict(self, *, top: int | None = None, all_sets: bool = False) -> dict[str, Any]:
        tab = self.table if all_sets else self.table[self.table["overlap"] > 0]
        if top is not None:
            tab = tab.head(top)
        results = []
        for row in tab.to_dict("records"):
            row["genes"] = list(row["genes"])
            results.append({k: _plain(v) for k, v in row.items()})
        return {
            "mirnas": self.mirnas.to_dict(),
            "results": results,
            "method": self.method,
            "statistic": STATISTICS[self.method],
            "universe": self.universe,
            "query_genes": self.query_genes,
            "sets_tested": len(self.table),
            "gene_sets": self.gene_sets,
            "resources": [dict(r) for r in self.resources],
            "notes": list(self.notes) + self._warnings(),
        }

    def caveats(self) -> list[str]:
        """What a reader must know before trusting the p-values (also issued as
        ``exosci.errors.ExosciWarning`` by ``ex.cargo.enrich``)."""
        return self._warnings()

    # -- notebook display ------------------------------------------------------------------
    def _display_caveats(self) -> list[str]:
        keys = ("saturat", "no target row", "empirical", "not recognised", "unrecognised")
        return self.caveats() + [n for n in self.notes if any(k in n.lower() for k in keys)]

    def _display_lines(self) -> list[str]:
        rec, unrec = len(self.mirnas.recognized), len(self.mirnas.unrecognized)
        hits = self.table[self.table["overlap"] > 0]
        lines = [
            f"{rec} miRNA(s) recognised ({self.mirnas.species}), {unrec} not; "
            f"{self.query_genes} target gene(s) in a universe of {self.universe.get('size')}",
            f"method {self.method}; {len(self.table)} set(s) tested, {len(hits)} with overlap",
        ]
        if len(hits):
            top = hits.iloc[0]
            lines.append(
                f"top: {top['set']} (overlap {int(top['overlap'])}, q {float(top['qvalue']):.3g})"
            )
        return lines

    def __repr__(self) -> str:
        from exosci._display import text

        return text("EnrichmentResult", self._display_lines(), self._display_caveats())

    def _repr_html_(self) -> str:
        from exosci._display import card

        return card(
            "EnrichmentResult (miRNA target enrichment)",
            self._display_lines(),
            self._display_caveats(),
            self.to_frame(),
            hint=".to_frame() the whole table · .plot() the top sets · .mirnas the names",
        )

    def to_frame(self) -> pd.DataFrame:
        """The enrichment table (a copy): one row per gene set tested, best first."""
        from exosci._frames import tidy_missing

        return tidy_missing(self.table)

    def plot(self, ax: Any = None, *, top: int = 15) -> Any:
        """A dot plot of the ``top`` sets with overlap (-log10 q; size overlap; colour fold
        enrichment) on ``ax`` (a new figure when ``None``); returns the Axes."""
        from exosci._display import axes
        from exosci.cargo.plot import draw_enrichment

        target = axes(ax, figsize=(8.0, 0.4 * min(top, max(len(self.table), 3)) + 1.5))
        draw_enrichment(target, self.table, top=top, caveats=self._display_caveats())
        return target

    def _warnings(self) -> list[str]:
        """Plain warnings a reader needs before trusting the p-values."""
        out = []
        size = int(self.universe.get("size", 0))
        if size < SMALL_UNIVERSE:
            out.append(
                f"WARNING: the universe has only {size} genes, too few for meaningful p-values; "
                "fetch real targets and gene sets once (`exosci data fetch mirtarbase`, "
                "`exosci data fetch reactome`) and use them by name (--targets mirtarbase "
                "--genesets reactome), or give files"
            )
        unverified = self.mirnas.unverified()
        if unverified:
            out.append(
                f"{len(unverified)} name(s) accepted by naming rule only (opt-in), not listed "
                f"in the miRBase reference: {', '.join(unverified)}"
            )
        return out


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return v


@dataclass(frozen=True)
class BatchResult:
    """Every sample at once: sets x samples matrices and the per-sample query sizes."""

    pvalues: pd.DataFrame
    qvalues: pd.DataFrame
    overlap: pd.DataFrame
    scores: pd.DataFrame | None
    query_genes: pd.Series
    mirnas: MirnaNames
    method: str
    universe: dict[str, Any]
    notes: tuple[str, ...] = field(default_factory=tuple)
    resources: tuple[dict[str, Any], ...] = ()
    gene_sets: dict[str, Any] | None = None

    def long(self, *, top: int = 10) -> pd.DataFrame:
        """The ``top`` sets of each sample, long format (sample, set, overlap, pvalue, qvalue)."""
        out = []
        for sample in self.pvalues.columns:
            p = self.pvalues[sample]
            best = p[self.overlap[sample] > 0].nsmallest(top).index
            out.append(
                pd.DataFrame(
                    {
                        "sample": sample,
                        "set": best,
                        "overlap": self.overlap.loc[best, sample].to_numpy(),
                        "pvalue": p.loc[best].to_numpy(),
                        "qvalue": self.qvalues.loc[best, sample].to_numpy(),
                    }
                )
            )
        return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def _resolve(
    mirnas: MirnaNames | Sequence[str] | Mapping[str, float] | pd.Series,
    targets: TargetTable,
    species: str | None,
) -> tuple[MirnaNames, dict[str, float]]:
    """Normalised names and each match key's weight (1 per miRNA for plain lists)."""
    if isinstance(mirnas, MirnaNames):
        names = mirnas
        weights = {r.input: 1.0 for r in names.recognized}
    else:
        if isinstance(mirnas, pd.Series | Mapping):
            weights = {str(k): float(v) for k, v in mirnas.items()}
        else:
            weights = {str(k): 1.0 for k in mirnas}
        names = normalize_mirnas(list(weights), species=species, reference=targets.reference)
    by_key: dict[str, float] = {}
    for r in names.recognized:
        by_key[r.key] = by_key.get(r.key, 0.0) + weights.get(r.input, 1.0)
    return names, by_key


def _profile_matrix(design: Design, columns: list[dict[str, float]]) -> sparse.csr_matrix:
    rows, cols, vals = [], [], []
    for j, weights in enumerate(columns):
        for key, w in weights.items():
            i = design.mirna_index.get(key)
            if i is not None and w > 0:
                rows.append(j)
                cols.append(i)
                vals.append(w)
    return sparse.csr_matrix(
        (vals, (rows, cols)), shape=(len(columns), len(design.mirna_index)), dtype=np.float64
    )


def _ora(design: Design, presence: sparse.csr_matrix, correct: Correct) -> dict[str, np.ndarray]:
    """Samples x sets overlap, p, q from a samples x miRNA presence matrix (two products)."""
    hits = (presence @ design.targets).tocsr()
    hits.data[:] = 1.0  # a gene is hit or not
    k = np.asarray(hits.sum(axis=1)).ravel()
    overlap = np.asarray((hits @ design.sets.T).todense(), dtype=np.float64)
    n = float(design.universe.size)
    m = design.set_sizes[None, :].astype(np.float64)
    p = np.ones_like(overlap)
    nz = overlap > 0
    if nz.any():
        kk = np.broadcast_to(k[:, None], overlap.shape)
        mm = np.broadcast_to(m, overlap.shape)
        p[nz] = hypergeom_sf(overlap[nz], n, mm[nz], kk[nz])
    mask = nz if correct == "overlapping" else np.ones_like(nz)
    q = bh_qvalues_rows(p, mask)
    return {"overlap": overlap, "p": p, "q": q, "k": k, "hits": hits}  # type: ignore[dict-item]


def _weighted(
    design: Design,
    weights: sparse.csr_matrix,
    correct: Correct,
    *,
    n_perm: int = 0,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    gene_w = np.asarray((weights @ design.targets).todense())  # samples x genes
    score = np.asarray(design.sets @ gene_w.T).T  # samples x sets
    n = float(design.universe.size)
    m = design.set_sizes[None, :].astype(np.float64)
    mean = gene_w.mean(axis=1, keepdims=True)
    var = gene_w.var(axis=1, keepdims=True)
    expected = m * mean
    sd = np.sqrt(m * var * (n - m) / max(n - 1.0, 1.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, (score - expected) / sd, 0.0)
    if n_perm > 0:
        rng = np.random.default_rng(seed)
        p = np.empty_like(score)
        for s in range(gene_w.shape[0]):  # permutation nulls are per sample by nature
            perms = np.stack([rng.permutation(gene_w[s]) for _ in range(n_perm)], axis=1)
            null = np.asarray(design.sets @ perms)
            p[s] = (1.0 + (null >= score[s][:, None] - 1e-12).sum(axis=1)) / (1.0 + n_perm)
    else:
        p = np.where(sd > 0, norm.sf(z), 1.0)
    overlap = np.asarray(design.sets @ (gene_w > 0).T.astype(np.float64)).T
    mask = overlap > 0 if correct == "overlapping" else np.ones_like(overlap, dtype=bool)
    q = bh_qvalues_rows(p, mask)
    return {
        "overlap": overlap,
        "p": p,
        "q": q,
        "score": score,
        "z": z,
        "expected": expected,
        "gene_w": gene_w,
    }


def enrich(
    mirnas: MirnaNames | Sequence[str] | Mapping[str, float] | pd.Series,
    targets: TargetTable,
    genesets: GeneSets,
    *,
    species: str | None = None,
    universe: UniverseKind | Sequence[str] = "targets",
    method: Method = "ora",
    min_size: int = 5,
    max_size: int = 2000,
    correct: Correct = "all",
    n_perm: int = DEFAULT_PERMUTATIONS,
    seed: int = 0,
    design: Design | None = None,
) -> EnrichmentResult:
    """Enrichment of one miRNA profile (a list, or name -> abundance for ``weighted``).

    Returns every tested set, best first, with size (within the universe), overlap, expected
    overlap, fold enrichment, p, q and the overlapping genes. ``correct="overlapping"`` runs BH
    over sets with at least one hit only (as gseapy and clusterProfiler do).
    """
    how = METHODS.get(method)
    names, by_key = _resolve(mirnas, targets, species)
    design = design or build_design(
        targets, genesets, universe=universe, min_size=min_size, max_size=max_size
    )
    display = np.asarray(design.display, dtype=object)
    res, hit, k, expected, extra, order_genes = how.one(
        design, by_key, correct, n_perm=n_perm, seed=seed
    )
    genes_per_set = []
    sets_csr = design.sets
    for i in range(sets_csr.shape[0]):
        idx = sets_csr.indices[sets_csr.indptr[i] : sets_csr.indptr[i + 1]]
        idx = idx[hit[idx]]
        if order_genes is not None:
            idx = idx[np.argsort(-order_genes[idx], kind="stable")]
        genes_per_set.append(sorted(display[idx]) if order_genes is None else list(display[idx]))
    overlap = res["overlap"][0].astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        fold = np.where(expected > 0, overlap / expected, np.nan)
    table = pd.DataFrame(
        {
            "set": design.set_names,
            "size": design.set_sizes,
            "overlap": overlap,
            "expected": expected,
            "fold_enrichment": fold,
            **extra,
            "pvalue": res["p"][0],
            "qvalue": res["q"][0],
            "genes": genes_per_set,
        }
    )
    label = "weighted-permutation" if method == "weighted" and n_perm > 0 else method
    notes = _notes(targets, genesets, design, names)
    if method == "weighted" and n_perm == 0:
        notes += (
            "WARNING: weighted p-values by the normal approximation (asked for with 0 "
            "permutations): it ignores that genes are targeted in blocks and is anti-"
            "conservative (p far below what permutations give); use permutations",
        )
    share = k / max(design.universe.size, 1)
    if method == "ora" and share >= SATURATED:
        n_mirnas = sum(1 for key in by_key if key in design.mirna_index)
        emp = _mirna_set_null(
            design, n_mirnas, res["p"][0], correct, n_perm or DEFAULT_PERMUTATIONS, seed
        )
        table["pvalue_empirical"] = emp["p"]
        table["qvalue_empirical"] = emp["q"]
        notes += (
            f"WARNING: whole-profile query: its targets cover {share:.0%} of the universe "
            f"({k} of {design.universe.size} genes), so hypergeometric p-values favour large, "
            "target-rich sets; pvalue_empirical compares each set with "
            f"{emp['n']} random sets of {n_mirnas} miRNAs from the target table (empirical "
            "miRNA-level null, Bleazard et al. 2015) - read those",
        )
    order = (
        ["pvalue_empirical", "pvalue", "set"] if "pvalue_empirical" in table else ["pvalue", "set"]
    )
    table = table.sort_values(order, kind="stable").reset_index(drop=True)
    return EnrichmentResult(
        table,
        names,
        label,
        _universe_doc(design),
        k,
        notes,
        _resources(targets, genesets),
        design.set_counts,
    )


def _mirna_set_null(
    design: Design, n_mirnas: int, observed: np.ndarray, correct: Correct, n_perm: int, seed: int
) -> dict[str, Any]:
    """Empirical p per set: the share of random same-size miRNA sets (drawn from the miRNAs of
    the target table) whose hypergeometric p is at most the query's, with the +1 of an exact
    permutation test; BH q-values over the same sets as the hypergeometric ones."""
    rng = np.random.default_rng(seed)
    pool = len(design.mirna_index)
    size = min(max(n_mirnas, 1), pool)
    below = np.zeros(observed.shape, dtype=np.int64)
    done = 0
    while done < n_perm:  # batches keep the samples x genes hit matrix small
        batch = min(200, n_perm - done)
        cols = np.concatenate([rng.choice(pool, size=size, replace=False) for _ in range(batch)])
        rows = np.repeat(np.arange(batch), size)
        presence = sparse.csr_matrix(
            (np.ones(rows.size), (rows, cols)), shape=(batch, pool), dtype=np.float64
        )
        null = _ora(design, presence, correct)["p"]
        below += (null <= observed[None, :] * (1 + 1e-12)).sum(axis=0)
        done += batch
    p = ((1.0 + below) / (1.0 + n_perm)).astype(np.float64)
    mask = np.ones((1, p.size), dtype=bool)
    return {"p": p, "q": bh_qvalues_rows(p[None, :], mask)[0], "n": n_perm}


def _resources(targets: TargetTable, genesets: GeneSets) -> tuple[dict[str, Any], ...]:
    return tuple(dict(r) for r in (*targets.resources, *genesets.resources))


def _universe_doc(design: Design) -> dict[str, Any]:
    u = design.universe
    return {"kind": u.kind, "size": u.size, "description": u.description}


def _notes(
    targets: TargetTable, genesets: GeneSets, design: Design, names: MirnaNames
) -> tuple[str, ...]:
    notes = [*targets.notes, *genesets.notes, *design.notes]
    notes.append(f"miRNA names resolved against: {names.reference}")
    notes.append(
        f"targets: {', '.join(targets.sources) or 'none'} (match: {targets.match}); {LIMITS}"
    )
    no_targets = [r.name for r in names.recognized if r.key not in design.mirna_index]
    if no_targets:
        notes.append(
            f"{len(no_targets)} recognised miRNA(s) have no target row: "
            + ", ".join(no_targets[:10])
        )
    return tuple(notes)


def enrich_batch(
    profiles: pd.DataFrame,
    targets: TargetTable,
    genesets: GeneSets,
    *,
    species: str | None = None,
    universe: UniverseKind | Sequence[str] = "targets",
    method: Method = "ora",
    min_cpm: float = 10.0,
    min_size: int = 5,
    max_size: int = 2000,
    correct: Correct = "all",
    design: Design | None = None,
    n_perm: int = DEFAULT_PERMUTATIONS,
    seed: int = 0,
) -> BatchResult:
    """Enrichment of many samples at once (``profiles``: miRNAs x samples, counts or 0/1).

    ``ora``: a miRNA is present where its CPM >= ``min_cpm`` (0/1 columns: where 1);
    ``weighted``: CPM shares as weights, gene-permutation p-values (``n_perm``; 0 gives the
    normal approximation, see module docstring).
    """
    how = METHODS.get(method)
    if profiles.empty:
        raise UserInputError("no profiles: the table has no rows or no sample columns")
    values = profiles.to_numpy(dtype=np.float64)
    if np.isnan(values).any() or (values < 0).any():
        raise UserInputError("profiles must be non-negative numbers without NaN")
    names = normalize_mirnas(
        [str(i) for i in profiles.index], species=species, reference=targets.reference
    )
    design = design or build_design(
        targets, genesets, universe=universe, min_size=min_size, max_size=max_size
    )
    # rows of the input -> miRNA keys (several inputs may share a key: their counts add up)
    row_of = {name: i for i, name in enumerate(map(str, profiles.index))}
    r_idx, k_idx = [], []
    for r in names.recognized:
        col = design.mirna_index.get(r.key)
        if col is not None:
            r_idx.append(row_of[r.input])
            k_idx.append(col)
    to_keys = sparse.csr_matrix(
        (np.ones(len(r_idx)), (r_idx, k_idx)), shape=(len(profiles), len(design.mirna_index))
    )
    libsize = values.sum(axis=0)
    libsize[libsize == 0] = 1.0
    cpm = values / libsize * 1e6
    binary = bool(np.isin(values, (0.0, 1.0)).all())
    weights = (values > 0) if binary else (cpm >= min_cpm)  # presence, for ora
    res, score_matrix, qgenes = how.many(
        design, to_keys, weights, cpm, correct, n_perm=n_perm, seed=seed
    )
    scores = (
        None
        if score_matrix is None
        else pd.DataFrame(score_matrix.T, index=design.set_names, columns=profiles.columns)
    )
    cols = profiles.columns
    idx = design.set_names
    notes = list(_notes(targets, genesets, design, names))
    if method == "ora":
        notes.append("presence: 0/1 as given" if binary else f"presence: CPM >= {min_cpm:g}")
    return BatchResult(
        pd.DataFrame(res["p"].T, index=idx, columns=cols),
        pd.DataFrame(res["q"].T, index=idx, columns=cols),
        pd.DataFrame(res["overlap"].T.astype(np.int64), index=idx, columns=cols),
        scores,
        pd.Series(np.asarray(qgenes, dtype=np.int64), index=cols),
        names,
        method,
        _universe_doc(design),
        tuple(notes),
        _resources(targets, genesets),
        design.set_counts,
    )


# --- the methods, one registry entry each --------------------------------------------------

_Single = tuple[
    dict[str, Any], Any, int, Any, dict[str, Any], Any
]  # res, hit, k, expected, extra, order


def _ora_one(
    design: Design, by_key: Mapping[str, float], correct: Correct, *, n_perm: int, seed: int
) -> _Single:
    prof = _profile_matrix(design, [dict.fromkeys(by_key, 1.0)])
    res = _ora(design, prof, correct)
    hit = res["hits"].toarray()[0] > 0  # type: ignore[attr-defined]
    k = int(res["k"][0])
    expected = design.set_sizes * k / design.universe.size
    return res, hit, k, expected, {}, None


def _weighted_one(
    design: Design, by_key: Mapping[str, float], correct: Correct, *, n_perm: int, seed: int
) -> _Single:
    prof = _profile_matrix(design, [dict(by_key)])
    total = sum(by_key.values())
    prof = prof / total if total > 0 else prof
    res = _weighted(design, sparse.csr_matrix(prof), correct, n_perm=n_perm, seed=seed)
    gw = res["gene_w"][0]
    hit = gw > 0
    extra = {"score": res["score"][0], "z": res["z"][0]}
    return res, hit, int(hit.sum()), res["expected"][0], extra, gw


def _ora_many(
    design: Design, to_keys: Any, present: Any, cpm: Any, correct: Correct, **_: int
) -> tuple[dict[str, Any], Any, Any]:
    mat = (to_keys.T @ sparse.csr_matrix(present.astype(np.float64))).T.tocsr()
    res = _ora(design, mat, correct)
    return res, None, res["k"]


def _weighted_many(
    design: Design,
    to_keys: Any,
    present: Any,
    cpm: Any,
    correct: Correct,
    *,
    n_perm: int = DEFAULT_PERMUTATIONS,
    seed: int = 0,
) -> tuple[dict[str, Any], Any, Any]:
    mat = (to_keys.T @ sparse.csr_matrix(cpm / 1e6)).T.tocsr()
    res = _weighted(design, mat, correct, n_perm=n_perm, seed=seed)
    return res, res["score"], (res["gene_w"] > 0).sum(axis=1)


@dataclass(frozen=True)
class EnrichmentMethod:
    """One enrichment statistic: for one profile (``one``) and for a batch of samples (``many``)."""

    name: str
    one: Callable[..., _Single]
    many: Callable[..., tuple[dict[str, Any], Any, Any]]


#: Enrichment statistics of `exosci cargo enrich` (--method).
METHODS: Registry[EnrichmentMethod] = Registry(
    "enrichment method", description="Gene-set statistics `exosci cargo enrich` runs (--method)."
)
METHODS.register("ora", EnrichmentMethod("ora", _ora_one, _ora_many), description=STATISTICS["ora"])
METHODS.register(
    "weighted",
    EnrichmentMethod("weighted", _weighted_one, _weighted_many),
    description=STATISTICS["weighted"],
)
