"""GMT gene-set files (Reactome, MSigDB, KEGG, or home-made): ``NAME<TAB>DESCRIPTION<TAB>GENE...``.

Set names are kept exactly (spaces, slashes, non-ASCII). Odd lines are skipped and reported,
never silently: blank lines and ``#`` comments are ignored; a line with fewer than three
tab-separated fields or no genes is skipped; duplicate genes within a set are dropped; a
repeated set name gets the suffix `` [line N]``. A file with no usable set is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from exosci.errors import FileFormatError
from exosci.kb.loaders.base import Loaded, Loader
from exosci.kb.loaders.tables import check_not_binary


@dataclass(frozen=True)
class GMT:
    """Gene sets as read, with their descriptions and what was skipped or fixed."""

    sets: dict[str, tuple[str, ...]]
    descriptions: dict[str, str]
    notes: tuple[str, ...]
    source: str


def parse_gmt(path: Path | str) -> GMT:
    """Read a GMT file; see the module docstring for how odd lines are treated."""
    path = Path(path)
    head = check_not_binary(path)
    if b"\x00" in head:
        raise FileFormatError(f"{path}, line 1: binary content; expected a tab-separated GMT file")
    data = path.read_bytes()
    notes: list[str] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        notes.append("not valid UTF-8; read as Latin-1")
    sets: dict[str, tuple[str, ...]] = {}
    desc: dict[str, str] = {}
    skipped: list[int] = []
    dup_genes = 0
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.rstrip("\r\n").split("\t")
        name = fields[0].strip()
        genes = [g.strip() for g in fields[2:] if g.strip()]
        if not name or not genes:
            skipped.append(line_no)
            continue
        unique = tuple(dict.fromkeys(genes))
        dup_genes += len(genes) - len(unique)
        if name in sets:
            notes.append(
                f"line {line_no}: set name {name!r} repeated; kept as '{name} [line {line_no}]'"
            )
            name = f"{name} [line {line_no}]"
        sets[name] = unique
        desc[name] = fields[1].strip() if len(fields) > 1 else ""
    if skipped:
        shown = ", ".join(map(str, skipped[:10])) + (" ..." if len(skipped) > 10 else "")
        notes.append(
            f"{len(skipped)} line(s) skipped (need NAME<TAB>DESCRIPTION<TAB>GENE...): line(s) {shown}"
        )
    if dup_genes:
        notes.append(f"{dup_genes} duplicate gene entr(y/ies) within sets dropped")
    if not sets:
        raise FileFormatError(
            f"{path}, line 1: no gene set found; expected tab-separated lines "
            "NAME<TAB>DESCRIPTION<TAB>GENE1<TAB>GENE2..."
        )
    return GMT(sets, desc, tuple(notes), f"gmt:{path.name}")


def _load(path: Path) -> Loaded:
    gmt = parse_gmt(path)
    return Loaded(
        kind="gmt",
        source=gmt.source,
        genesets=gmt.sets,
        descriptions=gmt.descriptions,
        notes=(f"{len(gmt.sets)} gene sets", *gmt.notes),
    )


LOADER = Loader(
    kind="gmt",
    description="GMT gene sets (Reactome, MSigDB, KEGG exports)",
    patterns=("*.gmt",),
    function=_load,
    writes="genesets",
)
