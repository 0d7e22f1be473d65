"""Control and spike-in probes that qPCR panels and small-RNA tables carry beside miRNAs.

They are not vesicle cargo: reference small RNAs used to normalise (U6 snRNA, RNU44/RNU48,
SNORD snoRNAs, 5S rRNA) and exogenous spike-ins added to check extraction (C. elegans
cel-miR-39/-54/-238, Arabidopsis ath-miR159a, QIAGEN/Exiqon UniSp probes, ERCC). A table that
lists them is normal; they are set aside and reported, never enriched and never fatal. Exogenous
spike-ins are well-formed miRBase names of other species, so they must be recognised before the
species of the profile is inferred from the prefixes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_REFERENCE = re.compile(
    r"(?:^|[\s_\-(])(?:rnu\d+[a-z]?|u6(?:\s*snrna)?|snord\d+[a-z]?|snor[ad]?\d*|snorna\w*|"
    r"scarna\d*|5s(?:\s*rrna)?|rrna|mamm?u6|rnu6[-_]?\d*[a-z]?|y[-_ ]?rna\w*|7sk)(?:$|[\s_\-)])",
    re.IGNORECASE,
)
_SPIKE = re.compile(
    r"^(?:cel-(?:miR|lin)-(?:39|54|238|2)(?:-[35]p)?|ath-miR-?159a|unisp\d+|ercc-\d+|"
    r"spike[-_ ]?in.*|spike\w*|sv40\w*|ms2\w*)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Probe:
    """A control or spike-in probe found in the input (with its line)."""

    name: str
    kind: str  # "reference small RNA" | "exogenous spike-in"
    line: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "kind": self.kind, "line": self.line}


def probe_kind(name: str) -> str | None:
    """``reference small RNA``, ``exogenous spike-in`` or None for anything else."""
    text = name.strip()
    if _SPIKE.match(text):
        return "exogenous spike-in"
    if _REFERENCE.search(f" {text} "):
        return "reference small RNA"
    return None


def split_probes(
    names: list[str], lines: list[int]
) -> tuple[list[str], list[int], list[Probe], list[int]]:
    """(names, lines, probes, kept indices): the input without its control/spike-in probes."""
    kept_names: list[str] = []
    kept_lines: list[int] = []
    kept: list[int] = []
    probes: list[Probe] = []
    for i, (name, line) in enumerate(zip(names, lines, strict=True)):
        kind = probe_kind(name)
        if kind is None:
            kept_names.append(name)
            kept_lines.append(line)
            kept.append(i)
        else:
            probes.append(Probe(name, kind, line))
    return kept_names, kept_lines, probes, kept
