"""ExoCarta / Vesiclepedia downloads: the protein/mRNA table and the miRNA table.

Protein/mRNA: ``CONTENT ID, CONTENT TYPE, ENTREZ GENE ID, GENE SYMBOL, SPECIES, EXPERIMENT ID,
METHODS``; miRNA: the same with ``MIRNA ID`` (legacy names such as ``miR-21``) instead of the
gene columns. Header case varies between releases and is ignored; ``METHODS`` is optional.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from exosci.kb.loaders.base import Loaded, Loader
from exosci.kb.loaders.tables import as_entrez, read_table, require_columns, species_of

VESICLE_COLUMNS = [
    "content_id",
    "content_type",
    "gene",
    "gene_entrez",
    "mirna",
    "species",
    "experiment_id",
    "methods",
]
_COMMON = {
    "content_id": ["CONTENT ID"],
    "content_type": ["CONTENT TYPE"],
    "species": ["SPECIES"],
    "experiment_id": ["EXPERIMENT ID"],
}


def read_exocarta(path: Path | str) -> pd.DataFrame:
    """Vesicle contents (columns ``VESICLE_COLUMNS``); ``mirna`` set for the miRNA table."""
    path = Path(path)
    raw = read_table(path)
    lower = {str(c).strip().lower() for c in raw.columns}
    is_mirna = "mirna id" in lower
    wanted = dict(_COMMON)
    if is_mirna:
        wanted["mirna"] = ["MIRNA ID"]
    else:
        wanted |= {"gene_entrez": ["ENTREZ GENE ID"], "gene": ["GENE SYMBOL"]}
    col = require_columns(path, raw, wanted, what="ExoCarta/Vesiclepedia")
    methods = next((c for c in raw.columns if str(c).strip().lower() == "methods"), None)
    n = len(raw)
    out = pd.DataFrame(
        {
            "content_id": raw[col["content_id"]].astype(str).str.strip(),
            "content_type": raw[col["content_type"]].astype(str).str.strip(),
            "gene": raw[col["gene"]].astype(str).str.strip() if not is_mirna else [None] * n,
            "gene_entrez": as_entrez(path, raw[col["gene_entrez"]], column=col["gene_entrez"])
            if not is_mirna
            else pd.array([pd.NA] * n, dtype="Int64"),
            "mirna": raw[col["mirna"]].astype(str).str.strip() if is_mirna else [None] * n,
            "species": raw[col["species"]].map(species_of),
            "experiment_id": raw[col["experiment_id"]].astype(str).str.strip(),
            "methods": raw[methods].astype(str) if methods is not None else [""] * n,
        }
    )
    return out[VESICLE_COLUMNS]


def _load(path: Path) -> Loaded:
    frame = read_exocarta(path)
    kind = "miRNA" if frame["mirna"].notna().any() else "protein/mRNA"
    return Loaded(
        kind="exocarta",
        source=f"exocarta:{Path(path).name}",
        vesicle=frame,
        notes=(f"{len(frame)} {kind} content rows",),
    )


LOADER = Loader(
    kind="exocarta",
    description="ExoCarta/Vesiclepedia protein/mRNA or miRNA download table",
    patterns=("*exocarta*", "*vesiclepedia*"),
    function=_load,
    writes="vesicle_content",
)
