"""miRTarBase MTI tables (xlsx/csv/tsv): release 7-9 header and the 2025 (release 10) header.

One row per MTI and reference in the file; here one row per MTI id (or, without ids, per
miRNA-gene-species): experiments are the union of the ``//``-separated lists, PMIDs are joined
with ``;``, support is the strongest of the kept rows (functional > weak > non-functional), and
``score`` is the number of distinct references. ``support`` filters rows *before* merging, so
a weak-only MTI vanishes when only functional support is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from exosci.errors import FileFormatError
from exosci.kb.loaders.base import Loaded, Loader
from exosci.kb.loaders.tables import (
    TARGET_COLUMNS,
    as_entrez,
    read_table,
    require_columns,
    species_of,
)

Support = Literal["functional", "weak", "non-functional"]
SUPPORT_LEVELS: dict[str, Support] = {
    "functional mti": "functional",
    "functional mti (weak)": "weak",
    "non-functional mti": "non-functional",
    "non-functional mti (weak)": "non-functional",
}
_RANK = {"functional": 0, "weak": 1, "non-functional": 2}
COLUMNS = {
    "id": ["miRTarBase ID"],
    "mirna": ["miRNA"],
    "mirna_species": ["Species (miRNA)"],
    "gene": ["Target Gene"],
    "entrez": ["Target Gene (Entrez Gene ID)", "Target Gene (Entrez ID)"],
    "gene_species": ["Species (Target Gene)"],
    "experiments": ["Experiments"],
    "support": ["Support Type"],
    "pmid": ["References (PMID)"],
}


def read_mirtarbase(
    path: Path | str,
    *,
    support: Iterable[Support] = ("functional", "weak"),
    species: str | None = None,
) -> pd.DataFrame:
    """miRNA-target rows (the store's ``targets`` columns) from a miRTarBase download."""
    path = Path(path)
    raw = read_table(path)
    col = require_columns(path, raw, COLUMNS, what="miRTarBase MTI")
    wanted = set(support)
    unknown_support = wanted - set(_RANK)
    if unknown_support:
        raise FileFormatError(
            f"support type(s) {sorted(unknown_support)} unknown; accepted: {sorted(_RANK)}"
        )
    level = raw[col["support"]].astype(str).str.strip().str.lower().map(SUPPORT_LEVELS)
    if level.isna().any():
        row = int(level.isna().to_numpy().nonzero()[0][0])
        raise FileFormatError(
            f"{path}, line {row + 2}: Support Type {raw[col['support']].iloc[row]!r} unknown; "
            "expected 'Functional MTI', 'Functional MTI (Weak)' or 'Non-Functional MTI'"
        )
    frame = pd.DataFrame(
        {
            "mti": raw[col["id"]].astype(str).str.strip(),
            "mirna": raw[col["mirna"]].astype(str).str.strip(),
            "species": raw[col["mirna_species"]].map(species_of),
            "gene": raw[col["gene"]].astype(str).str.strip(),
            "gene_entrez": as_entrez(path, raw[col["entrez"]], column=col["entrez"]),
            "experiments": raw[col["experiments"]].astype(str),
            "support": level,
            "pmids": raw[col["pmid"]].astype(str).str.strip().str.removesuffix(".0"),
        }
    )
    frame = frame[(frame["mirna"] != "") & (frame["gene"] != "") & frame["support"].isin(wanted)]
    if species is not None:
        frame = frame[frame["species"] == species]
    return merge_mtis(frame).assign(source=f"mirtarbase:{path.name}")[TARGET_COLUMNS]


def merge_mtis(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per MTI: union of experiments, joined PMIDs, strongest support, #references."""
    if frame.empty:
        return pd.DataFrame(columns=TARGET_COLUMNS)
    key = frame["mti"].where(frame["mti"].str.len() > 0, frame["mirna"] + "|" + frame["gene"])
    frame = frame.assign(_key=key, _rank=frame["support"].map(_RANK))
    dup = frame["_key"].duplicated(keep=False)
    single = frame[~dup]
    out_single = single.assign(
        experiments=single["experiments"].map(_experiments), score=np.float64(1.0)
    )
    multi = frame[dup]
    if multi.empty:
        return out_single.drop(columns=["_key", "_rank", "mti"])
    grouped = multi.groupby("_key", sort=False)
    merged = grouped.agg(
        mirna=("mirna", "first"),
        species=("species", "first"),
        gene=("gene", "first"),
        gene_entrez=("gene_entrez", "first"),
        _rank=("_rank", "min"),
        experiments=("experiments", lambda s: _experiments("//".join(s))),
        pmids=("pmids", lambda s: ";".join(dict.fromkeys(p for p in s if p))),
        score=("pmids", lambda s: float(len({p for p in s if p}) or 1)),
    ).reset_index(drop=True)
    merged["support"] = merged["_rank"].map({v: k for k, v in _RANK.items()})
    return pd.concat(
        [out_single.drop(columns=["_key", "_rank", "mti"]), merged.drop(columns=["_rank"])],
        ignore_index=True,
    )


def _experiments(text: str) -> str:
    parts = (p.strip() for chunk in text.split("//") for p in chunk.split(";"))
    return "//".join(sorted({p for p in parts if p}))


def _load(path: Path) -> Loaded:
    frame = read_mirtarbase(path, support=("functional", "weak", "non-functional"))
    return Loaded(
        kind="mirtarbase",
        source=f"mirtarbase:{Path(path).name}",
        targets=frame,
        notes=(f"{len(frame)} unique MTIs (all support types kept; filter when enriching)",),
    )


LOADER = Loader(
    kind="mirtarbase",
    description="miRTarBase MTI table (xlsx/csv; release 7-9 and 2025 headers)",
    patterns=("*mirtarbase*", "mirtarbase_*.xlsx", "*_mti.*"),
    function=_load,
    writes="targets",
)
