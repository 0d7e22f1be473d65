"""The syntax of miRNA names (miRBase style): parse a name, its species prefix, its match key.

Pure string rules, with no table behind them, shared by the knowledge graph's name resolver
(:mod:`exosci.kb.resolve`) and cargo's miRNA name resolution
(:mod:`exosci.cargo.mirna_names`), so neither layer imports the other for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from exosci.vocabulary import CARGO_SPECIES

# miRBase species prefix of each cargo species (human, mouse, rat: the vocabulary's order)
PREFIX = dict(zip(CARGO_SPECIES, ("hsa", "mmu", "rno"), strict=True))
SPECIES_OF_PREFIX = {v: k for k, v in PREFIX.items()}
_NAME = re.compile(
    r"^(?:(?P<sp>[a-z]{2,5})-)?(?P<kind>mi[rR]|MIR|let|lin)-?(?P<num>\d+)(?P<letter>[a-z]{0,2})"
    r"(?P<copy>(?:-\d+)?)(?P<arm>-[35]p|\*)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Parsed:
    """The parts of one miRNA name (``hsa-miR-21a-2-5p``: prefix, kind, number, ...)."""

    prefix: str  # "" when the name has none
    kind: str  # "miR", "let" or "lin"
    num: str
    letter: str
    copy: str  # "-2" or ""
    arm: str  # "5p", "3p", "*" or ""
    precursor: bool

    def stem(self, *, letter: str | None = None, copy: bool = True) -> str:
        """The name without prefix and arm (``miR-21a-2``), letter and copy optional."""
        let = self.letter if letter is None else letter
        return f"{self.kind}-{self.num}{let}{self.copy if copy else ''}"


@lru_cache(maxsize=65536)
def parse_name(name: str) -> Parsed | None:
    """Split a miRNA name into its parts; ``None`` when it is not a miRNA name."""
    m = _NAME.match(name.strip())
    if not m:
        return None
    kind_raw = m.group("kind")
    precursor = kind_raw in ("mir", "MIR") or (
        kind_raw.lower() == "mir" and kind_raw != "miR" and kind_raw != "MiR"
    )
    kind = {"mir": "miR", "let": "let", "lin": "lin"}[kind_raw.lower()]
    arm = (m.group("arm") or "").lstrip("-")
    sp = (m.group("sp") or "").lower()
    if kind_raw == "MIR" and not m.group("sp"):
        precursor = True
    if kind_raw.lower() in ("let", "lin") and m.group("copy") and not m.group("arm"):
        precursor = True  # hsa-let-7a-2: a locus; its mature products carry an arm
    return Parsed(
        sp,
        kind,
        m.group("num"),
        (m.group("letter") or "").lower(),
        m.group("copy") or "",
        arm,
        precursor and arm == "",
    )


def match_key(parsed: Parsed, arm: str) -> str:
    """Species-free join key, e.g. ``mir-21-5p`` (letter ``a`` dropped, arm explicit)."""
    letter = "" if parsed.letter == "a" else parsed.letter
    return f"{parsed.kind}-{parsed.num}{letter}{parsed.copy}-{arm}".lower()


def _split_prefix(name: str) -> tuple[str, str]:
    head, sep, tail = name.partition("-")
    known = head in SPECIES_OF_PREFIX or parse_name(tail) is not None
    if sep and re.fullmatch(r"[a-z]{2,5}", head) and known:
        return head, tail
    return "", name


def key_of(name: str, arm: str) -> str:
    """The species-free match key of a resolved name (arm given or inferred)."""
    p = parse_name(_split_prefix(name)[1]) or parse_name(name)
    if p is None:
        return name.lower()
    arm = arm or p.arm
    if arm in ("", "*"):
        arm = "5p" if arm == "" else "3p"
    return match_key(p, arm)
