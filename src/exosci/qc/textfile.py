"""Reading instrument text exports safely: bytes -> lines, with file/line-aware errors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from exosci.errors import FileFormatError, UserInputError
from exosci.limits import read_capped

# Control bytes that never occur in a text export; their presence means binary data.
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")


@dataclass(frozen=True)
class TextFile:
    """A decoded text file whose lines are numbered from 1 in error messages."""

    path: Path
    lines: tuple[str, ...]
    encoding: str

    def error(self, lineno: int | None, problem: str, expected: str) -> FileFormatError:
        """A FileFormatError naming this file, the line, what was found and what was expected."""
        where = f"{self.path}" + (f", line {lineno}" if lineno else "")
        return FileFormatError(f"{where}: {problem}; expected {expected}.")


def decode_bytes(path: Path, data: bytes) -> TextFile:
    """Decode an export (UTF-8, else Windows-1252 as the instruments write) or fail clearly."""
    if not data.strip():
        raise FileFormatError(
            f"{path}: the file is empty; expected an NTA export (NanoSight ExperimentSummary.csv "
            "or ZetaView .txt)."
        )
    hit = _BINARY.search(data)
    if hit:
        offset = hit.start()
        line = data.count(b"\n", 0, offset) + 1
        raise FileFormatError(
            f"{path}, line {line}: binary byte 0x{data[offset]:02x} at offset {offset}; expected "
            "a text export (NanoSight ExperimentSummary.csv or ZetaView .txt)."
        )
    for encoding in ("utf-8", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            bad = exc.start
            continue
        return TextFile(path=path, lines=tuple(text.splitlines()), encoding=encoding)
    line = data.count(b"\n", 0, bad) + 1
    raise FileFormatError(
        f"{path}, line {line}: byte 0x{data[bad]:02x} is neither UTF-8 nor Windows-1252 text; "
        "expected a text export."
    )


def read_text(path: Path) -> TextFile:
    """Read and decode ``path``; a missing or unreadable file is a user error."""
    try:
        data = read_capped(path, what="NTA export file")
    except UserInputError as exc:
        raise FileFormatError(str(exc)) from None
    return decode_bytes(path, data)


def parse_float(tf: TextFile, lineno: int, text: str, what: str) -> float:
    """A finite float from ``text`` or a FileFormatError naming the line and the field."""
    try:
        value = float(text)
    except ValueError:
        raise tf.error(lineno, f"{what} is {text!r}", "a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise tf.error(lineno, f"{what} is {text!r}", "a finite number")
    return value
