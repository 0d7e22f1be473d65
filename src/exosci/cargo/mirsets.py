"""miRNA-level enrichment (miEAA-style ORA): which miRNA sets a vesicle's miRNAs over-represent.

The test is the one-sided hypergeometric over-representation test of miEAA (Kern et al.,
Nucleic Acids Res 2020;48:W521, doi:10.1093/nar/gkaa309): for a set S of miRNAs, a universe U
and a query Q (both resolved against miRBase), p = P(X >= |Q ∩ S|) for
X ~ Hypergeometric(|U|, |S ∩ U|, |Q ∩ U|) (``scipy.stats.hypergeom.sf``), BH q-values over
the sets tested.

Sets come from:

- ``families``: miRBase stem families derived from the shipped miRBase 22.1 table by one rule:
  two mature miRNAs of the species belong to the same family when their names share the stem
  ``miR-<number>`` (or ``let-7``) after the species prefix; paralog letters, copy numbers and
  arms are dropped (``hsa-miR-181a-2-3p`` and ``hsa-miR-181d-5p`` are family ``miR-181``,
  ``hsa-let-7a-5p`` is ``let-7``). This is a naming rule, not miRBase's curated seed/sequence
  families (``miFam.dat``, not shipped): families that miRBase groups under different stems
  (miR-15/16, miR-17/20/93/106) stay apart here.
- any GMT file (or ``{"set": [miRNA names]}`` mapping) the user brings; its members are resolved
  against miRBase like the input (legacy names map to their current ones; unknown members are
  counted and said).

The universe, as miEAA recommends for expression data, is the miRNAs measured: for a count
table every miRNA row of the table, the query those with CPM >= ``min_cpm`` in the pooled
profile; for a list, a ``universe`` given by the user, else every mature miRNA of the species
in the shipped miRBase table (stated in the result).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import hypergeom

from exosci.cargo.inputs import MirnaInput, mirna_input, read_mirnas
from exosci.cargo.mirna_names import PREFIX, MirnaNames, infer_species, normalize_mirnas
from exosci.cargo.stats import bh_qvalues
from exosci.errors import UserInputError

_STEM = re.compile(r"^[a-z]{3}-(mir|let)-(\d+)", re.IGNORECASE)
FAMILY_RULE = (
    "miRBase stem families: mature miRNAs sharing miR-<number> (or let-7) after the species "
    "prefix, paralog letters, copy numbers and arms dropped (a naming rule, not miFam.dat)"
)


def family_of(name: str) -> str | None:
    """The stem family of a mature miRNA name (``hsa-miR-181a-2-3p`` -> ``miR-181``)."""
    m = _STEM.match(name)
    if m is None:
        return None
    return f"let-{m.group(2)}" if m.group(1).lower() == "let" else f"miR-{m.group(2)}"


@lru_cache(maxsize=4)
def mirbase_families(species: str = "human") -> dict[str, tuple[str, ...]]:
    """Stem families of the species' current mature miRNAs in the shipped miRBase table."""
    from exosci.cargo.mirbase_table import load_mirbase_table

    prefix = PREFIX.get(species, species) + "-"
    frame = load_mirbase_table().frame
    names = frame.loc[(frame["status"] == "current") & frame["name"].str.startswith(prefix), "name"]
    fams: dict[str, list[str]] = {}
    for name in names:
        fam = family_of(name)
        if fam is not None:
            fams.setdefault(fam, []).append(name)
    return {k: tuple(sorted(v)) for k, v in sorted(fams.items())}


def species_mirnas(species: str) -> list[str]:
    """Every current mature miRNA of the species in the shipped miRBase table."""
    from exosci.cargo.mirbase_table import load_mirbase_table

    frame = load_mirbase_table().frame
    prefix = PREFIX.get(species, species) + "-"
    return list(
        frame.loc[(frame["status"] == "current") & frame["name"].str.startswith(prefix), "name"]
    )


@dataclass(frozen=True)
class MirsetResult:
    """Per-set ORA table plus what was tested against what."""

    table: pd.DataFrame  # set, size, overlap, expected, pvalue, qvalue, mirnas
    mirnas: MirnaNames
    universe_size: int
    universe_description: str
    query_size: int
    sets_given: int
    notes: tuple[str, ...]

    def to_dict(self, *, top: int | None = None) -> dict[str, object]:
        """JSON form (the CLI's ``--json``)."""
        rows = self.table if top is None else self.table.head(top)
        return {
            "level": "mirna",
            "statistic": "one-sided hypergeometric (scipy.stats.hypergeom.sf), BH q-values",
            "mirnas": self.mirnas.to_dict(),
            "universe": {"size": self.universe_size, "description": self.universe_description},
            "query_mirnas": self.query_size,
            "sets_given": self.sets_given,
            "sets_tested": len(self.table),
            "results": [{**r, "mirnas": list(r["mirnas"])} for r in rows.to_dict("records")],
            "notes": list(self.notes),
        }


def _resolve(names: Sequence[str], species: str, source: str) -> list[str]:
    return normalize_mirnas(list(names), species=species, source=source).names()


def _load_sets(
    sets: Sequence[Path | str | Mapping[str, Sequence[str]]], species: str
) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    from exosci.cargo.genesets import genesets_from_mapping, read_gmt

    out: dict[str, tuple[str, ...]] = {}
    notes: list[str] = []
    for i, src in enumerate(sets):
        if isinstance(src, str) and src == "families":
            fams = mirbase_families(species)
            out.update({f"family {k}": v for k, v in fams.items()})
            notes.append(f"{len(fams)} {FAMILY_RULE}")
            continue
        if isinstance(src, Mapping):
            gs = genesets_from_mapping(src, source=f"sets[{i}] (dict)")
        elif isinstance(src, str | Path):
            gs = read_gmt(src)
        else:
            raise UserInputError(
                f"sets[{i}]: a {type(src).__name__}; expected 'families', a GMT file of miRNA "
                "names or a dict {'set name': [miRNA names]}"
            )
        notes.extend(gs.notes)
        for name, members in gs.sets.items():
            res = normalize_mirnas(list(members), species=species, source=f"set {name!r}")
            if res.unrecognized:
                notes.append(
                    f"set {name!r}: {len(res.unrecognized)} of {len(members)} members are not "
                    f"known {species} miRNAs (e.g. {res.unrecognized[0].input!r}); left out"
                )
            if name in out:
                notes.append(f"set {name!r} given twice; kept the first")
                continue
            out[name] = tuple(res.names())
    return out, notes


def enrich_mirnas(
    mirnas: Sequence[str] | Path | str | MirnaInput | None = None,
    *,
    counts: pd.DataFrame | None = None,
    sets: Sequence[Path | str | Mapping[str, Sequence[str]]] | str = ("families",),
    universe: Sequence[str] | Path | str | None = None,
    species: str | None = None,
    min_cpm: float = 10.0,
    min_size: int = 2,
    max_size: int = 500,
) -> MirsetResult:
    """miEAA-style over-representation of miRNA sets (families, user GMT) in a miRNA list.

    Parameters
    ----------
    mirnas
        miRNA names (a list), or a miRNA list / count-table file path.
    counts
        Instead of ``mirnas``: miRNAs (index) x samples counts; every row is the universe, the
        rows with pooled CPM >= ``min_cpm`` the query.
    sets
        ``"families"`` (miRBase stem families, see the module doc), GMT files of miRNA names,
        or dicts ``{"set": [names]}``; several may be given.
    universe
        Background miRNAs (list or a file one a line); default the table's miRNAs for counts,
        else all mature miRNAs of the species in miRBase 22.1.
    species
        ``human``, ``mouse`` or ``rat``; inferred from prefixes when omitted.
    min_cpm
        Presence threshold for count tables.
    min_size, max_size
        Sets tested have this many universe members.

    Returns
    -------
    MirsetResult
        ``.table`` is a DataFrame (set, size, overlap, expected, pvalue, qvalue, mirnas), best first.

    Examples
    --------
    >>> import exosci as ex
    >>> res = ex.cargo.enrich_mirnas(["hsa-let-7a-5p", "hsa-let-7b-5p", "hsa-let-7c-5p"])
    >>> res.table.iloc[0]["set"]
    'family let-7'
    """
    if isinstance(mirnas, MirnaInput):
        inp = mirnas
    elif isinstance(mirnas, str | Path):
        inp = read_mirnas(mirnas)
    else:
        inp = mirna_input(mirnas, counts=counts)
    sp = species or infer_species(inp.names, source=inp.path, lines=inp.lines) or "human"
    names = normalize_mirnas(inp.names, species=sp, lines=inp.lines, source=inp.path)
    if not names.recognized:
        from exosci.cargo.pipeline import no_mirna_recognised

        raise UserInputError(no_mirna_recognised(inp, names))
    notes = list(inp.notes)
    if inp.counts is not None:
        pooled = inp.counts.sum(axis=1).groupby(level=0).sum()
        cpm = pooled / max(float(pooled.sum()), 1.0) * 1e6
        chosen = [n for n in dict.fromkeys(inp.names) if cpm.get(n, 0.0) >= min_cpm]
        query = _resolve(chosen, sp, inp.path) if chosen else []
        notes.append(f"query: {len(chosen)} of {len(pooled)} table miRNAs with CPM >= {min_cpm:g}")
    else:
        query = names.names()
    if universe is not None:
        uni_names = (
            list(read_mirnas(universe).names)
            if isinstance(universe, str | Path)
            else list(universe)
        )
        uni = _resolve(uni_names, sp, "universe")
        desc = f"user universe ({len(uni_names)} names given)"
    elif inp.counts is not None:
        uni = names.names()
        desc = "the miRNAs of the count table"
    else:
        uni = species_mirnas(sp)
        desc = f"all {sp} mature miRNAs in miRBase 22.1 (give a universe of detected miRNAs if you have one)"
    uni_set = set(uni)
    outside = [q for q in query if q not in uni_set]
    if outside:
        notes.append(
            f"{len(outside)} query miRNAs not in the universe were left out (e.g. {outside[0]})"
        )
    q_set = set(query) & uni_set
    set_list = [sets] if isinstance(sets, str | Path) else list(sets)
    members, set_notes = _load_sets(set_list, sp)
    notes.extend(set_notes)
    rows = []
    for name, mem in members.items():
        in_uni = [m for m in mem if m in uni_set]
        if not min_size <= len(in_uni) <= max_size:
            continue
        hit = [m for m in in_uni if m in q_set]
        rows.append((name, len(in_uni), len(hit), tuple(hit)))
    frame = pd.DataFrame(rows, columns=["set", "size", "overlap", "mirnas"])
    n_uni, n_q = len(uni_set), len(q_set)
    size = frame["size"].to_numpy(dtype=np.int64)
    overlap = frame["overlap"].to_numpy(dtype=np.int64)
    frame["expected"] = size * n_q / max(n_uni, 1)
    frame["pvalue"] = hypergeom.sf(overlap - 1, n_uni, size, n_q) if len(frame) else []
    frame["qvalue"] = bh_qvalues(frame["pvalue"].to_numpy()) if len(frame) else []
    frame = frame.sort_values(["pvalue", "set"], kind="stable").reset_index(drop=True)
    frame = frame[["set", "size", "overlap", "expected", "pvalue", "qvalue", "mirnas"]]
    if not len(frame):
        notes.append(f"WARNING: no set has {min_size} to {max_size} universe miRNAs")
    return MirsetResult(frame, names, n_uni, desc, n_q, len(members), tuple(notes))
