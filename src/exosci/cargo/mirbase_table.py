"""The shipped miRBase name table: every human, mouse and rat mature miRNA, offline.

``data/mirbase_mature.tsv.gz`` is built by ``scripts/build_mirbase_table.py`` from public
miRBase release files (release stated in the file header, currently 22.1; provenance and
checksums are in the header too). Per MIMAT accession it holds the current name, the status
(``current`` or ``removed after R`` for accessions miRBase dropped), the previous names with
the last release that used each (``hsa-miR-210@20``), the precursors and the mature sequence.

Resolution against it (see :func:`mirbase_reference`):

- an accession resolves to its current name (a removed one to its last name, and says so);
- a current name resolves to itself; a previous name resolves to the accession that held it
  in the latest release (names that moved between accessions, like ``rno-miR-151`` which was
  the 5p arm until release 9.2 and the 3p arm in 18, say which one was taken and why);
- a well-formed name that miRBase never had (``hsa-miR-99999x``) is unknown, with close names.

miRBase data are public domain (CC0); cite Kozomara, Birgaoanu & Griffiths-Jones,
Nucleic Acids Res 2019;47:D155, doi:10.1093/nar/gky1141.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pandas as pd

TABLE = "mirbase_mature.tsv.gz"


@dataclass(frozen=True)
class MirbaseTable:
    """The parsed table plus the header lines (release, provenance)."""

    frame: pd.DataFrame  # accession, name, status, previous, precursors, sequence
    header: tuple[str, ...]

    @property
    def release(self) -> str:
        first = self.header[0] if self.header else ""
        return first.split("release", 1)[1].split(":", 1)[0].strip() if "release" in first else "?"

    @property
    def label(self) -> str:
        return f"miRBase {self.release} (shipped name table: human, mouse, rat)"


def _release_key(release: str) -> tuple[int, ...]:
    return tuple(int(p) for p in release.split(".") if p.isdigit())


@lru_cache(maxsize=1)
def load_mirbase_table() -> MirbaseTable:
    """The shipped table (read once per process)."""
    raw = resources.files("exosci.cargo").joinpath("data", TABLE).read_bytes()
    text = gzip.decompress(raw).decode("utf-8")
    header = tuple(line[2:] for line in text.splitlines() if line.startswith("# "))
    from io import StringIO

    frame = pd.read_csv(StringIO(text), sep="\t", comment="#", dtype=str, keep_default_na=False)
    return MirbaseTable(frame, header)


def legacy_names(table: MirbaseTable) -> dict[str, tuple[str, str, list[str]]]:
    """Previous name (lower case) -> (accession chosen, how, other accessions that had it).

    A current name is never overridden by a previous one. Among accessions that had a name,
    the one that had it in the latest release wins.
    """
    current = {n.lower() for n in table.frame["name"]}
    holders: dict[str, list[tuple[tuple[int, ...], str, str, str]]] = {}
    for acc, name, prev in table.frame[["accession", "name", "previous"]].itertuples(index=False):
        for item in filter(None, prev.split(";")):
            old, _, release = item.partition("@")
            holders.setdefault(old.lower(), []).append((_release_key(release), release, acc, name))
    out: dict[str, tuple[str, str, list[str]]] = {}
    for old, cands in holders.items():
        if old in current:
            continue
        cands.sort(reverse=True)
        _, release, acc, name = cands[0]
        how = f"previous miRBase name of {name} ({acc}"
        how += f", until release {release})" if release else ")"
        others = [c[2] for c in cands[1:] if c[2] != acc]
        if others:
            how += f"; also used earlier for {', '.join(others)}"
        out[old] = (acc, how, others)
    return out
