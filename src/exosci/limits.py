"""Caps on every input, in one place: the CLI and the REST API enforce the same numbers.

Work is bounded before it starts: files are sized with ``stat`` before they are read and
read no further than the cap, request bodies are counted as they stream (see
``exosci.web.middleware``), and counts (samples, permutations, rows, names) are checked at
the edge. A refusal names the cap and how to stay under it (exit 2 / HTTP 413 or 422).

Two byte caps can be lowered (never raised past the built-in maximum) for a deployment or a
test with environment variables: ``EXOSCI_MAX_UPLOAD_BYTES`` (input files and uploads) and
``EXOSCI_MAX_BODY_BYTES`` (JSON request bodies).
"""

from __future__ import annotations

import re
import stat
from collections.abc import Sequence
from pathlib import Path

from exosci._settings import settings
from exosci.errors import UserInputError

MIB = 1024 * 1024

#: Built-in maximum for one input file or upload (NTA export, release table, miRNA list, spec).
UPLOAD_BYTES_CEILING = 20 * MIB
#: Built-in maximum for one JSON request body.
BODY_BYTES_CEILING = 1 * MIB

#: Virtual subjects in one simulation or evaluation run from the CLI.
MAX_SAMPLES = 20_000
#: Virtual subjects in one ``simulate --scheduler`` run (the batches run on the cluster).
MAX_CLUSTER_SAMPLES = 200_000
#: Virtual subjects in one API request (a server shares its cores between clients).
MAX_API_SAMPLES = 5000
#: Permutations of one enrichment test (the null matrix is set size x permutations).
MAX_PERMUTATIONS = 10_000
#: Genes in one gene set (``--min-size``/``--max-size`` bounds).
MAX_SET_SIZE = 100_000
#: Data rows in one release table or NTA distribution.
MAX_ROWS = 100_000
#: Histogram bins in one NTA distribution.
MAX_BINS = 10_000
#: Characters in one name (entity, miRNA, source, query).
MAX_NAME_CHARS = 200
#: Characters in one free-text field (notes, descriptions).
MAX_TEXT_CHARS = 2000
#: Items in one list field of a spec or preparation.
MAX_LIST_ITEMS = 100
#: miRNA names in one cargo list (the API's cap; the CLI's default, see ``--max-names``).
MAX_MIRNAS = 1000
#: Most miRNA names ``--max-names`` may allow on the CLI (miRBase lists ~50,000 mature miRNAs).
MAX_MIRNAS_CEILING = 100_000
#: Rows printed or returned by ``--top``/``--limit`` style options.
MAX_TOP = 10_000
#: Random seeds are 0 .. 2**32 - 1 (numpy's SeedSequence accepts any non-negative int).
MAX_SEED = 2**32 - 1
#: Largest path length searched by ``explain``/``profile``.
MAX_PATH_LENGTH = 12
#: Plausible dose ceilings per unit (rodent SCI doses in the review are 10-400 ug protein or
#: ~1e9-1e11 particles; the ceilings sit two orders of magnitude above to refuse typos, not designs).
DOSE_CEILING = {"ug": 1e5, "mg": 100.0, "particles": 1e14}
#: Longest time axis of a release table, in hours (10 years).
MAX_RELEASE_HOURS = 24 * 365 * 10
#: Bytes in one therapy spec or preparation file (they are a page of YAML).
MAX_SPEC_BYTES = 1 * MIB
#: YAML anchors/aliases allowed in one spec or preparation (an alias bomb needs thousands).
MAX_YAML_ALIASES = 20
#: Nesting depth (lists and mappings inside each other) of one YAML or JSON document: a spec
#: is a few levels deep; thousands of levels only exhaust the parser's stack.
MAX_NESTING_DEPTH = 64


def max_upload_bytes() -> int:
    """The cap on one input file or upload (``EXOSCI_MAX_UPLOAD_BYTES`` may lower it)."""
    return min(settings.max_upload_bytes, UPLOAD_BYTES_CEILING)


def max_body_bytes() -> int:
    """The cap on one JSON request body (``EXOSCI_MAX_BODY_BYTES`` may lower it)."""
    return min(settings.max_body_bytes, BODY_BYTES_CEILING)


def short(value: object, n: int = 40) -> str:
    """``repr`` of at most the first ``n`` characters of ``value`` (for error messages)."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= n:
        return repr(text) if isinstance(value, str) else text
    head = text[:n]
    return (repr(head) if isinstance(value, str) else head) + f"… ({len(text)} characters)"


def _mb(n: int) -> str:
    return f"{n / MIB:.0f} MB" if n >= MIB else f"{n} bytes"


def read_capped(path: str | Path, *, what: str = "input file", cap: int | None = None) -> bytes:
    """The bytes of a regular file no larger than ``cap``; anything else is a user error.

    The size is checked with ``stat`` before reading and the read stops at ``cap + 1`` bytes,
    so a file that grows while being read is refused too. Directories, FIFOs and devices are
    refused without being opened.
    """
    p = Path(path)
    limit = max_upload_bytes() if cap is None else cap
    try:
        st = p.stat()
    except FileNotFoundError:
        raise UserInputError(f"{p}: cannot read: no such file (expected a {what}).") from None
    except OSError as exc:
        raise UserInputError(f"{p}: cannot be read ({exc.strerror}).") from None
    if stat.S_ISDIR(st.st_mode):
        raise UserInputError(f"{p}: is a directory; expected a {what}.")
    if not stat.S_ISREG(st.st_mode):
        raise UserInputError(f"{p}: not a regular file; expected a {what}.")
    if st.st_size > limit:
        raise UserInputError(
            f"{p}: {_mb(st.st_size)} exceeds the {_mb(limit)} limit on one {what} "
            "(EXOSCI_MAX_UPLOAD_BYTES may lower it, not raise it)."
        )
    try:
        with p.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise UserInputError(f"{p}: cannot be read ({exc.strerror}).") from None
    if len(data) > limit:
        raise UserInputError(f"{p}: exceeds the {_mb(limit)} limit on one {what}.")
    return data


def check_file_size(path: str | Path, *, what: str = "input file", cap: int | None = None) -> None:
    """Refuse, by ``stat`` alone, a regular file larger than ``cap`` (for readers we do not own)."""
    p = Path(path)
    limit = max_upload_bytes() if cap is None else cap
    try:
        st = p.stat()
    except OSError:
        return  # the reader reports a missing or unreadable file in its own words
    if stat.S_ISREG(st.st_mode) and st.st_size > limit:
        raise UserInputError(
            f"{p}: {_mb(st.st_size)} exceeds the {_mb(limit)} limit on one {what} "
            "(EXOSCI_MAX_UPLOAD_BYTES may lower it, not raise it)."
        )
    if stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode) or stat.S_ISSOCK(st.st_mode):
        raise UserInputError(f"{p}: not a regular file; expected a {what}.")


def check_upload(data: bytes, *, what: str = "upload") -> bytes:
    """Refuse an in-memory upload over the cap (the web middleware refuses it earlier)."""
    limit = max_upload_bytes()
    if len(data) > limit:
        raise UserInputError(f"{what}: {_mb(len(data))} exceeds the {_mb(limit)} limit.")
    return data


# unrolled ("normal* (special normal*)*"): one alternation per character took 10 s on the
# largest inline upload (27 MB of base64), on the web server's event loop; this takes 0.3 s
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)


def json_depth(data: bytes | str) -> int:
    """Deepest nesting of ``[``/``{`` in a JSON text, without parsing it (strings skipped).

    Linear and non-recursive, so a body can be measured before :func:`json.loads` recurses
    into it; malformed text gets a number too (the parser reports the syntax error).
    """
    import numpy as np

    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    bare = _JSON_STRING.sub(b'""', raw)
    codes = np.frombuffer(bare, dtype=np.uint8)
    step = np.isin(codes, (0x5B, 0x7B)).astype(np.int64) - np.isin(codes, (0x5D, 0x7D))
    return int(np.cumsum(step).max(initial=0))


def check_json_depth(data: bytes | str, *, where: str) -> None:
    """Refuse a JSON text nested deeper than :data:`MAX_NESTING_DEPTH` (exit 2 / HTTP 422)."""
    depth = json_depth(data)
    if depth > MAX_NESTING_DEPTH:
        raise UserInputError(depth_message(where, depth))


def depth_message(where: str, depth: int | None = None) -> str:
    """The refusal of a too-deep document, naming the limit."""
    found = (
        f"nested {depth} levels deep" if depth else f"nested over {MAX_NESTING_DEPTH} levels deep"
    )
    return (
        f"{where}: {found}; the limit is {MAX_NESTING_DEPTH} levels of lists and mappings "
        "inside each other (a therapy spec or preparation needs fewer than 10)."
    )


def check_names(
    names: Sequence[str], lines: Sequence[int], *, source: str, cap: int, flag: str
) -> None:
    """Refuse a name list longer than ``cap`` or any name over :data:`MAX_NAME_CHARS`.

    Checked before names are resolved, so neither the work nor the error message grows with
    a huge input; a refused name is echoed shortened (:func:`short`).
    """
    for name, line in zip(names, lines, strict=False):
        if len(name) > MAX_NAME_CHARS:
            raise UserInputError(
                f"{source}, line {line}: the name {short(name)} is longer than "
                f"{MAX_NAME_CHARS} characters; expected a miRNA name (e.g. hsa-miR-21-5p)."
            )
    if len(names) > cap:
        raise UserInputError(
            f"{source}: {len(names):,} names, more than the {cap:,} accepted (the web API's cap "
            f"is {MAX_MIRNAS:,}); pass {flag} N to accept up to {MAX_MIRNAS_CEILING:,}."
        )
