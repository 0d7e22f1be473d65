"""Forgiving name normalisation: case, hyphens, spaces, Greek letters, common spellings."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz, process

_GREEK = {
    "α": "a",
    "β": "b",
    "γ": "g",
    "δ": "d",
    "ε": "e",
    "κ": "k",
    "λ": "l",
    "μ": "m",
    "σ": "s",
    "τ": "t",
    "ω": "w",
}
_GREEK_WORDS = re.compile(r"(alpha|beta|gamma|delta|kappa|sigma)", re.IGNORECASE)
_WORD_TO_LETTER = {
    "alpha": "a",
    "beta": "b",
    "gamma": "g",
    "delta": "d",
    "kappa": "k",
    "sigma": "s",
}
_BRITISH = (
    ("signaling", "signalling"),
    ("tumor", "tumour"),
    ("fiber", "fibre"),
    ("ecm", "extracellularmatrix"),
)


def normalize(text: str) -> str:
    """Key for matching: lower-case ASCII letters and digits only, Greek letters spelled as latin.

    ``"NF-κB"``, ``"NF-kappaB"``, ``"nfkb"`` and ``"NF kB"`` all give ``"nfkb"``.
    """
    s = unicodedata.normalize("NFKC", text).lower()
    s = "".join(_GREEK.get(ch, ch) for ch in s)
    s = _GREEK_WORDS.sub(lambda m: _WORD_TO_LETTER[m.group(1).lower()], s)
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    for us, uk in _BRITISH:
        s = s.replace(uk, us)
    s = re.sub(r"is(ation|ed|ing)\b", r"iz\1", s)  # polarisation -> polarization
    return re.sub(r"[^a-z0-9+]", "", s)


def closest(query: str, choices: list[str], *, limit: int = 5) -> list[str]:
    """The ``limit`` choices most similar to ``query`` (for 'did you mean' messages)."""
    if not choices:
        return []
    keyed = {c: normalize(c) for c in choices}
    hits = process.extract(
        normalize(query), keyed, scorer=fuzz.WRatio, limit=limit, score_cutoff=50
    )
    return [choice for _, _, choice in hits]
