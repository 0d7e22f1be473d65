"""The repository stands on its own: it cites no note it lacks and no path of one machine."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", "site", "build", "dist"}
TEXT = {".py", ".md", ".yaml", ".yml", ".toml", ".txt", ".html", ".css", ".cfg", ".ini", ".sh"}
# a home or work folder of one machine, as an absolute path
MACHINE_PATH = re.compile(r"(?<![\w.~-])/(?:work|home|root)/")
MD_CITATION = re.compile(r"(?<![\w./-])((?:\.\./)?[A-Za-z0-9_][\w./-]*\.md)\b")


def _files() -> list[Path]:
    out = []
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        ci = rel.parts[0] == ".ci"  # the CI script is checked too
        hidden = any(
            p in SKIP_DIRS or p.startswith(".") or p.endswith(".egg-info") for p in rel.parts
        )
        if (hidden and not ci) or "vendor" in rel.parts or not path.is_file():
            continue
        if path.suffix in TEXT or ci:
            out.append(path)
    return out


def _cited_notes(text: str) -> list[tuple[int, str]]:
    """``*.md`` names cited on each line, except output files (``-o NAME``) and absence checks."""
    found = []
    for n, line in enumerate(text.splitlines(), 1):
        if " not in " in line:
            continue  # a test asserting that a note is NOT cited
        for m in MD_CITATION.finditer(line):
            if line[: m.start()].rstrip().endswith(("-o", ">")):
                continue
            found.append((n, m.group(1)))
    return found


def test_no_file_names_a_path_of_one_machine() -> None:
    hits = []
    for path in _files():
        for n, line in enumerate(
            path.read_text(encoding="utf-8", errors="replace").splitlines(), 1
        ):
            if MACHINE_PATH.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}")
    assert not hits, "machine paths:\n" + "\n".join(hits)


def test_every_note_a_file_cites_is_in_the_repository() -> None:
    notes = {p.name for p in ROOT.rglob("*.md") if not (SKIP_DIRS & set(p.relative_to(ROOT).parts))}
    missing = []
    for path in _files():
        for n, name in _cited_notes(path.read_text(encoding="utf-8", errors="replace")):
            if Path(name).name not in notes:
                missing.append(f"{path.relative_to(ROOT)}:{n}: {name}")
    assert not missing, "cited notes the repository lacks:\n" + "\n".join(missing)


def test_the_checks_catch_what_they_are_for() -> None:
    assert MACHINE_PATH.search("see " + "/ho" + "me/alice/notes.txt")
    assert not MACHINE_PATH.search("~/.cache/exosci and ./work/x")
    note = "DESIGN" + ".md"
    assert _cited_notes(f"keys as in {note}") == [(1, note)]
    assert _cited_notes("exosci validate -o table.md") == []
