"""Two-column ``mirna,gene`` target tables (optional ``species`` and ``score`` columns).

The same layout ``exosci cargo enrich --targets`` accepts; rows are support ``user``. A row's
species is its ``species`` column when there is one, else ``unspecified`` (``--match strict``
then keeps it only when the miRNA name carries the profile's prefix).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from exosci.errors import UserInputError
from exosci.kb.loaders.base import Loaded, Loader
from exosci.kb.loaders.tables import TARGET_COLUMNS, read_table, species_of


def pairs_frame(raw: pd.DataFrame, source: str) -> pd.DataFrame:
    """A ``mirna``, ``gene`` (optional ``species``, ``score``) table as target rows (``user``)."""
    cols = {str(c).strip().lower(): c for c in raw.columns}
    if not {"mirna", "gene"} <= set(cols):
        raise UserInputError(
            f"{source}: a target table needs the columns 'mirna' and 'gene' (optional 'species',"
            f" 'score'); it has {', '.join(map(str, raw.columns)) or 'no columns'}"
        )
    n = len(raw)
    return pd.DataFrame(
        {
            "mirna": raw[cols["mirna"]].astype(str).str.strip(),
            "gene": raw[cols["gene"]].astype(str).str.strip(),
            "gene_entrez": pd.array([pd.NA] * n, dtype="Int64"),
            "species": raw[cols["species"]].map(species_of) if "species" in cols else "unspecified",
            "support": "user",
            "experiments": "",
            "pmids": "",
            "score": pd.to_numeric(raw[cols["score"]], errors="coerce") if "score" in cols else 1.0,
            "source": source,
        }
    )[TARGET_COLUMNS]


def _load(path: Path) -> Loaded:
    frame = pairs_frame(read_table(path), f"pairs:{path.name}")
    return Loaded(
        kind="pairs",
        source=f"pairs:{path.name}",
        targets=frame,
        notes=(f"{len(frame)} mirna,gene rows (support 'user')",),
    )


LOADER = Loader(
    kind="pairs",
    description="mirna,gene target table (optional species, score columns)",
    patterns=(),
    function=_load,
    writes="targets",
)
