"""Which release a resource file is, read from the file (its name or header), never assumed.

The registry says which release its download address serves; a file added by hand, or served
by a mirror, can be any release, so its label comes from evidence about that file: a version
in the file name (``miRTarBase_MTI_7.0.xlsx``, ``h.all.v2023.2.Hs.symbols.gmt``), the version
folder of the address it was downloaded from (``.../download/9.0/miRTarBase_MTI.xlsx``), a
header that only some releases write, or what the user states (``data add --release``). With
no such evidence the label says so: ``unknown (user file)``.
"""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

UNKNOWN_USER = "unknown (user file)"
UNKNOWN_DOWNLOAD = "unknown (the download address and the file name state no release)"

# miRTarBase releases by the year of their NAR paper / download folder (miRTarBase_2022 = 9.0).
_MIRTARBASE_YEARS = {"2016": "6.1", "2018": "7.0", "2020": "8.0", "2022": "9.0", "2025": "10.0"}
_MTB_VERSION = re.compile(r"(?i)(?:mirtarbase|mti)[^0-9/]{0,12}?v?(\d{1,2}\.\d)(?!\d)")
_MTB_YEAR = re.compile(r"(?i)mirtarbase[_ -]?(20\d\d)(?!\d)")
_MSIGDB = re.compile(r"(?i)v?(20\d\d\.\d\.(?:Hs|Mm))")
_TARGETSCAN = re.compile(r"(?i)(?:vert|mmu)_?(\d)(\d)(?!\d)")
_URL_VERSION = re.compile(r"/v?(\d{1,2}\.\d{1,2}(?:\.\w+)?)/")
#: miRTarBase 9.0 (2022) names the column "Target Gene (Entrez ID)"; release 7.0 files say
#: "Target Gene (Entrez Gene ID)" (the bio2bel/miRTarBase test excerpt in the shared data).
_OLD_HEADER = "Target Gene (Entrez Gene ID)"


def _from_name(kind: str, resource: str, name: str) -> str | None:
    if resource.startswith("mirtarbase") or kind == "targets" and "mti" in name.lower():
        if m := _MTB_VERSION.search(name):
            return m.group(1)
        if (m := _MTB_YEAR.search(name)) and m.group(1) in _MIRTARBASE_YEARS:
            return f"{_MIRTARBASE_YEARS[m.group(1)]} (miRTarBase {m.group(1)})"
    if resource.startswith("msigdb") and (m := _MSIGDB.search(name)):
        return m.group(1)
    if resource.startswith("targetscan") and (m := _TARGETSCAN.search(name)):
        return f"{m.group(1)}.{m.group(2)}"
    return None


def _first_row(file: Path) -> list[str]:
    """Header cells of a table file (xlsx first sheet, or the first line of a text file)."""
    try:
        if zipfile.is_zipfile(file):  # an .xlsx (a copy being added may have no suffix)
            import openpyxl

            with file.open("rb") as fh:  # a handle: openpyxl judges a path by its suffix
                book = openpyxl.load_workbook(fh, read_only=True)
                try:
                    row = next(book.worksheets[0].iter_rows(max_row=1, values_only=True), ())
                finally:
                    book.close()
            return [str(c) for c in row if c is not None]
        with file.open("r", encoding="utf-8", errors="replace") as fh:
            line = fh.readline(10_000)
        return [c.strip().strip('"') for c in re.split(r"[\t,]", line)]
    except Exception:  # no header evidence; the parser reports bad files
        return []


def _from_header(resource: str, file: Path) -> str | None:
    if not resource.startswith("mirtarbase"):
        return None
    header = _first_row(file)
    if _OLD_HEADER in header:
        return f"before 9.0 (the header's column {_OLD_HEADER!r} is not the 9.0 wording)"
    return None


def detect_release(
    *,
    kind: str,
    resource: str,
    file: Path,
    original_name: str,
    url: str | None = None,
    stated: str | None = None,
) -> tuple[str, str]:
    """(release, how it was known) for ``file``; ``unknown ...`` when nothing says."""
    if stated:
        return stated, "stated by the user (--release)"
    found = _from_name(kind, resource, original_name)
    if found:
        return found, f"file name {original_name!r}"
    if url:
        path = urlsplit(url).path
        found = _from_name(kind, resource, path)
        if found:
            return found, f"download address {url}"
        if m := _URL_VERSION.search(path):
            return m.group(1), f"version folder of the download address {url}"
        if "/current/" in path.lower():
            when = time.strftime("%Y-%m-%d", time.gmtime())
            return f"the current release on {when}", f"download address {url} (its 'current')"
    found = _from_header(resource, file)
    if found:
        return found, "file header"
    return (UNKNOWN_DOWNLOAD if url else UNKNOWN_USER), "nothing in the file or its address"
