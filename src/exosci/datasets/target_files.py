"""Target tables on disk: whichever known layout a file has (miRTarBase, TargetScan, pairs).

Read here, below cargo, so that preparing a downloaded target resource (:mod:`exosci.datasets.
manager`) and loading targets for enrichment (:mod:`exosci.cargo.targets`) share one reader.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from exosci.errors import FileFormatError
from exosci.kb.loaders.mirtarbase import read_mirtarbase
from exosci.kb.loaders.pairs import pairs_frame
from exosci.kb.loaders.tables import read_table
from exosci.kb.loaders.targetscan import read_targetscan


def _sniff_kind(path: Path) -> str:
    """mirtarbase, targetscan or pairs, from the header (the file name is not trusted)."""
    head = read_table(path).columns if path.suffix.lower() in (".xlsx", ".xls") else None
    if head is None:
        with path.open("rb") as fh:
            first = fh.readline(65536).decode("utf-8", errors="replace").lower()
    else:
        first = "\t".join(map(str, head)).lower()
    if "mirtarbase id" in first:
        return "mirtarbase"
    if "context++ score" in first:
        return "targetscan"
    fields = {f.strip().strip('"') for f in first.replace(",", "\t").split("\t")}
    if {"mirna", "gene"} <= fields:
        return "pairs"
    raise FileFormatError(
        f"{path}, line 1: not a target table I know: expected a miRTarBase header ('miRTarBase "
        "ID', 'miRNA', ...), a TargetScan context++ header ('Gene Tax ID', 'context++ score', "
        "...) or two columns 'mirna' and 'gene'"
    )


def _read_pairs(path: Path) -> pd.DataFrame:
    return pairs_frame(read_table(path), f"pairs:{path.name}")


def read_target_file(path: Path | str) -> pd.DataFrame:
    """One target file, whichever of the known layouts it has (all support types kept)."""
    path = Path(path)
    if not path.is_file():
        from exosci.datasets import registry
        from exosci.kb.names import closest

        hint = closest(str(path), sorted(registry()), limit=3)
        raise FileFormatError(
            f"{path}: no such file, and no data resource of that name"
            + (f" (closest resources: {', '.join(hint)}; see `exosci data list`)" if hint else "")
        )
    kind = _sniff_kind(path)
    if kind == "mirtarbase":
        return read_mirtarbase(path, support=("functional", "weak", "non-functional"))
    if kind == "targetscan":
        return read_targetscan(path)
    return _read_pairs(path)
