"""miRBase ``mature.fa`` (all species) and, optionally, ``aliases.txt`` (MIMAT -> old names).

Header lines look like ``>hsa-miR-21-5p MIMAT0000076 Homo sapiens miR-21-5p``; sequences may
wrap over several lines. ``aliases.txt`` lines are ``MIMAT<TAB>name1;name2;...``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from exosci.errors import FileFormatError
from exosci.kb.loaders.base import Loaded, Loader
from exosci.kb.loaders.tables import check_not_binary

_ALPHABET = set("ACGUTNRYKMSWBDHVacgutnrykmswbdhv")  # IUPAC codes occur


def read_mature_fa(path: Path | str) -> pd.DataFrame:
    """Columns ``name, accession, organism, sequence`` (RNA alphabet, upper case)."""
    path = Path(path)
    head = check_not_binary(path)
    if b"\x00" in head:
        raise FileFormatError(f"{path}, line 1: binary content; expected FASTA text")
    rows: list[list[str]] = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line_no, raw in enumerate(fh, start=1):
            line = raw.strip()
            if not line:
                continue
            if line.startswith(">"):
                parts = line[1:].split()
                if len(parts) < 2 or not parts[1].startswith("MIMAT"):
                    raise FileFormatError(
                        f"{path}, line {line_no}: header {line[:60]!r}; expected "
                        "'>name MIMATnnnnnnn Organism name'"
                    )
                organism = " ".join(parts[2:4]) if len(parts) >= 4 else ""
                rows.append([parts[0], parts[1], organism, ""])
            else:
                if not rows:
                    raise FileFormatError(
                        f"{path}, line {line_no}: sequence before any '>' header; expected FASTA"
                    )
                if not set(line) <= _ALPHABET:
                    raise FileFormatError(
                        f"{path}, line {line_no}: {line[:30]!r} is not an RNA/DNA sequence"
                    )
                rows[-1][3] += line.upper().replace("T", "U")
    if not rows:
        raise FileFormatError(f"{path}, line 1: no FASTA record; expected miRBase mature.fa")
    return pd.DataFrame(rows, columns=["name", "accession", "organism", "sequence"])


def read_aliases(path: Path | str) -> dict[str, tuple[str, ...]]:
    """MIMAT accession -> every name it has had (miRBase ``aliases.txt``)."""
    path = Path(path)
    check_not_binary(path)
    out: dict[str, tuple[str, ...]] = {}
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line_no, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            parts = raw.rstrip("\n").split("\t")
            if len(parts) < 2 or not parts[0].startswith("MI"):
                raise FileFormatError(
                    f"{path}, line {line_no}: expected 'MIMATnnnnnnn<TAB>name;name;...'"
                )
            out[parts[0]] = tuple(n for n in parts[1].strip().split(";") if n)
    return out


def _load(path: Path) -> Loaded:
    frame = read_mature_fa(path)
    return Loaded(
        kind="mirbase",
        source=f"mirbase:{Path(path).name}",
        mirbase=frame,
        notes=(f"{len(frame)} mature miRNAs from {frame['organism'].nunique()} organisms",),
    )


LOADER = Loader(
    kind="mirbase",
    description="miRBase mature.fa (mature miRNA names, MIMAT accessions, sequences)",
    patterns=("mature.fa", "mature*.fa", "*.fa", "*.fasta"),
    function=_load,
    writes="mirbase",
)
