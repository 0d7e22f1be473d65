"""Build ``src/exosci/cargo/data/mirbase_mature.tsv.gz`` from public miRBase release files.

The table lists every mature miRNA of human (hsa), mouse (mmu) and rat (rno) in one miRBase
release: MIMAT accession, current name, the names the accession had in earlier releases, the
precursor(s) it comes from, and the mature sequence. ``exosci`` resolves miRNA names offline
against it (see :mod:`exosci.cargo.mirbase_table`).

Inputs (both published by miRBase, https://www.mirbase.org/download/; licence: miRBase data
are public domain / CC0, see the README):

``--dat``      ``miRNA.dat`` (EMBL-style precursor entries whose ``FT miRNA`` features carry
               the mature accession, name and position) — gzip or plain.
``--aliases``  previous names per accession: miRBase ``aliases.txt`` (``MIMAT<TAB>n1;n2;``)
               or the node table of the same release exported by PyOBO
               (``identifier<TAB>name<TAB>definition<TAB>synonyms...``, synonyms ``;``/``|``
               separated) — gzip or plain. Repeatable; names are merged.
``--history``  the per-release miRBase tables (releases 6 to 22: precursor, mature
               accessions, names, sequences) compiled in the R package miRBaseConverter
               (``R/sysdata.rda``); gives every name an accession had in any release, and
               the accessions removed before the release (kept with status ``removed`` and
               the last release that had them). Reading it needs ``pip install rdata``
               (build time only).

Where the shipped table came from (public copies of the miRBase files, fetched from GitHub):

- ``miRNA.dat.gz`` of miRBase 22 (38,589 precursors; 22.1 changed no sequence or name, see the
  22.1 README) from github.com/svsuresh/parse_mirbase_db (commit e1174e1);
- ``export/mirbase.mature/22.1/mirbase.mature.tsv`` (aliases of 22.1 as exported by PyOBO)
  from github.com/biopragmatics/obo-db-ingest (commit 5613ff7);
- ``R/sysdata.rda`` from github.com/taoshengxu/miRBaseConverter (commit 78153c9).

Run::

    python scripts/build_mirbase_table.py --release 22.1 \
        --dat miRNA.dat.gz --aliases mirbase.mature.tsv --history sysdata.rda \
        --out src/exosci/cargo/data/mirbase_mature.tsv.gz
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import re
import sys
from collections import defaultdict
from pathlib import Path

SPECIES = {"hsa": "human", "mmu": "mouse", "rno": "rat"}
_MIMAT = re.compile(r"^MIMAT\d{7}$")


def _open(path: Path) -> io.TextIOBase:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return io.StringIO(raw.decode("utf-8", errors="replace"))


def parse_dat(path: Path) -> dict[str, dict[str, object]]:
    """accession -> {name, precursors, sequence} for the mature products in ``miRNA.dat``."""
    out: dict[str, dict[str, object]] = {}
    entry_id = ""
    seq_lines: list[str] = []
    feats: list[dict[str, str]] = []
    in_seq = False
    for line in _open(path):
        tag = line[:2]
        if tag == "ID":
            entry_id = line.split()[1]
            feats, seq_lines, in_seq = [], [], False
        elif tag == "FT":
            body = line[5:].strip()
            if body.startswith("miRNA"):
                feats.append({"loc": body.split()[1]})
            elif body.startswith("/") and feats:
                key, _, value = body[1:].partition("=")
                feats[-1][key] = value.strip('"')
        elif tag == "SQ":
            in_seq = True
        elif line.startswith("//"):
            seq = "".join(seq_lines).upper().replace("T", "U")
            for f in feats:
                acc, name = f.get("accession", ""), f.get("product", "")
                if not _MIMAT.match(acc) or name[:3] not in SPECIES:
                    continue
                start, _, end = f["loc"].partition("..")
                mature = seq[int(start) - 1 : int(end)]
                rec = out.setdefault(acc, {"name": name, "precursors": [], "sequence": mature})
                rec["precursors"].append(entry_id)  # type: ignore[union-attr]
            in_seq = False
        elif in_seq and line.startswith("     "):
            seq_lines.append("".join(ch for ch in line if ch.isalpha()))
    return out


def parse_aliases(path: Path) -> dict[str, set[str]]:
    """accession -> names, from ``aliases.txt`` or a PyOBO node table of the same release."""
    out: dict[str, set[str]] = defaultdict(set)
    for i, line in enumerate(_open(path)):
        parts = line.rstrip("\n").split("\t")
        if i == 0 and parts[0] == "identifier":  # PyOBO node table
            continue
        if len(parts) < 2 or not _MIMAT.match(parts[0]):
            continue
        fields = [parts[1]] if len(parts) == 2 else [parts[1], parts[3] if len(parts) > 3 else ""]
        for field in fields:
            for name in re.split(r"[;|]", field):
                if name.strip():
                    out[parts[0]].add(name.strip())
    return out


def parse_history(path: Path) -> tuple[list[str], dict[str, list[tuple[str, str, str]]]]:
    """Releases, and accession -> [(release, name, sequence)] from miRBaseConverter's tables."""
    import warnings

    import rdata  # build-time only

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = rdata.read_rda(str(path))
    acc, sym, seq = data["ACC"], data["SYM"], data["SEQ"]
    releases = [str(v) for v in data["VER"]]
    out: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for release in releases:
        table = data["miRNA_data"][release]
        label = release.lstrip("v").replace("_", ".")
        for k in ("1", "2"):
            cols = table[[f"Mature{k}_Acc", f"Mature{k}", f"Mature{k}_Seq"]].dropna()
            for a, n, q in cols.itertuples(index=False):
                name = str(sym[int(n) - 1])
                if name[:3] in SPECIES:
                    out[str(acc[int(a) - 1])].append((label, name, str(seq[int(q) - 1])))
    return [r.lstrip("v").replace("_", ".") for r in releases], out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--release", required=True, help="miRBase release of --dat, e.g. 22.1")
    ap.add_argument("--dat", type=Path, required=True)
    ap.add_argument("--aliases", type=Path, action="append", default=[])
    ap.add_argument("--history", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    mature = parse_dat(args.dat)
    aliases: dict[str, set[str]] = defaultdict(set)
    for path in args.aliases:
        for acc, names in parse_aliases(path).items():
            aliases[acc] |= names
    removed: dict[str, tuple[str, str, str]] = {}
    last_used: dict[tuple[str, str], str] = {}  # (accession, name) -> last release with it
    first_release = ""
    if args.history is not None:
        releases, history = parse_history(args.history)
        first_release = releases[0]
        for acc, seen in history.items():
            for release, name, _ in seen:
                aliases[acc].add(name)
                last_used[(acc, name)] = release
            if acc not in mature:
                removed[acc] = seen[-1]  # (last release, its name there, sequence)

    def previous(acc: str, name: str) -> str:
        """``old@release`` (the last release where the accession had that name) or ``old``."""
        out = []
        for n in sorted(aliases.get(acc, ())):
            if n != name and n[:3] == name[:3]:
                release = last_used.get((acc, n))
                out.append(f"{n}@{release}" if release else n)
        return ";".join(out)

    sources = [args.dat, *args.aliases, *([args.history] if args.history else [])]
    lines = [
        f"# miRBase release {args.release}: mature miRNAs of human, mouse and rat"
        + (f"; previous names since release {first_release}" if first_release else ""),
        "# built by scripts/build_mirbase_table.py from: "
        + "; ".join(
            f"{p.name} sha256:{hashlib.sha256(p.read_bytes()).hexdigest()}" for p in sources
        ),
        "# miRBase data are public domain (CC0); cite Kozomara et al. NAR 2019 "
        "doi:10.1093/nar/gky1141",
        "# previous: earlier names of the accession, name@R = last used in release R",
        "accession\tname\tstatus\tprevious\tprecursors\tsequence",
    ]
    rows = []
    for acc, rec in mature.items():
        name = str(rec["name"])
        precursors = ";".join(rec["precursors"])  # type: ignore[arg-type]
        rows.append([acc, name, "current", previous(acc, name), precursors, str(rec["sequence"])])
    for acc, (last, name, seq) in removed.items():
        rows.append([acc, name, f"removed after {last}", previous(acc, name), "", seq])
    rows.sort(key=lambda r: (r[1][:3], r[0]))
    lines += ["\t".join(r) for r in rows]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    data = ("\n".join(lines) + "\n").encode()
    with (
        args.out.open("wb") as fh,
        gzip.GzipFile(filename="", fileobj=fh, mode="wb", mtime=0) as gz,
    ):
        gz.write(data)
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[f"{r[1][:3]} {r[2].split()[0]}"] += 1
    print(f"{args.out}: {len(rows)} rows {dict(counts)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
