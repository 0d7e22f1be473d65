"""TargetScan 8 context++ score files (predicted targets, mixed species).

Rows are filtered by ``Gene Tax ID`` and by a context++ score threshold (more negative is a
stronger site); sites of one miRNA-gene pair are summed into the pair's total context++ score
(TargetScan's own convention) and stored in ``score``. ``NULL`` KD values are read as missing.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from exosci.errors import FileFormatError
from exosci.kb.loaders.base import Loaded, Loader
from exosci.kb.loaders.tables import TARGET_COLUMNS, TAX_IDS, read_table, require_columns

COLUMNS = {
    "gene_id": ["Gene ID"],
    "gene": ["Gene Symbol"],
    "tax": ["Gene Tax ID"],
    "mirna": ["miRNA"],
    "score": ["context++ score"],
}
_TAX_TO_SPECIES = {v: k for k, v in TAX_IDS.items()}


def read_targetscan(
    path: Path | str, *, species: str | None = None, max_score: float | None = None
) -> pd.DataFrame:
    """Predicted miRNA-gene pairs (``targets`` columns; ``score`` = total context++ score)."""
    path = Path(path)
    raw = read_table(path)
    col = require_columns(path, raw, COLUMNS, what="TargetScan context++ score")
    tax = pd.to_numeric(raw[col["tax"]], errors="coerce")
    if tax.isna().any():
        row = int(tax.isna().to_numpy().nonzero()[0][0])
        raise FileFormatError(
            f"{path}, line {row + 2}: Gene Tax ID {raw[col['tax']].iloc[row]!r} is not a number"
        )
    score = pd.to_numeric(raw[col["score"]].replace({"NULL": None, "": None}), errors="coerce")
    frame = pd.DataFrame(
        {
            "mirna": raw[col["mirna"]].astype(str).str.strip(),
            "gene": raw[col["gene"]].astype(str).str.strip(),
            "tax": tax.astype(int),
            "score": score,
        }
    )
    if "Predicted relative KD" in raw.columns:
        frame["kd"] = pd.to_numeric(
            raw["Predicted relative KD"].replace({"NULL": None}), errors="coerce"
        )
    if species is not None:
        if species not in TAX_IDS:
            raise FileFormatError(f"species {species!r}: expected one of {sorted(TAX_IDS)}")
        frame = frame[frame["tax"] == TAX_IDS[species]]
    if max_score is not None:
        frame = frame[frame["score"] <= max_score]
    pairs = frame.groupby(["mirna", "gene", "tax"], sort=False, as_index=False)["score"].sum(
        min_count=1
    )
    return pd.DataFrame(
        {
            "mirna": pairs["mirna"],
            "gene": pairs["gene"],
            "gene_entrez": pd.array([pd.NA] * len(pairs), dtype="Int64"),
            "species": pairs["tax"].map(lambda t: _TAX_TO_SPECIES.get(int(t), str(t))),
            "support": "predicted",
            "experiments": "TargetScan context++",
            "pmids": "",
            "score": pairs["score"],
            "source": f"targetscan:{path.name}",
        }
    )[TARGET_COLUMNS]


def _load(path: Path) -> Loaded:
    frame = read_targetscan(path)
    return Loaded(
        kind="targetscan",
        source=f"targetscan:{Path(path).name}",
        targets=frame,
        notes=(f"{len(frame)} predicted miRNA-gene pairs (all species in the file)",),
    )


LOADER = Loader(
    kind="targetscan",
    description="TargetScan context++ scores (Gene Tax ID filter; NULL KD read as missing)",
    patterns=("*context*score*", "*targetscan*"),
    function=_load,
    writes="targets",
)
