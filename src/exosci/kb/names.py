"""Forgiving name normalisation: case, hyphens, spaces, Greek letters, common spellings."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

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


@lru_cache(maxsize=1 << 16)
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
    from rapidfuzz import fuzz, process  # only an unknown name pays for the fuzzy matcher

    keyed = {c: normalize(c) for c in choices}
    hits = process.extract(
        normalize(query), keyed, scorer=fuzz.WRatio, limit=limit, score_cutoff=50
    )
    return [choice for _, _, choice in hits]


# -- the review's ways of writing names -----------------------------------------------------
# Long forms the review spells out, mapped to the short form used in ids and synonyms. Applied
# to both the query and every known label, so either spelling meets the other.
_LONG_SHORT: tuple[tuple[str, str], ...] = (
    (r"human umbilical vein endothelial cell", "huvec"),
    (r"endothelial progenitor cell", "epc"),
    (r"induced pluripotent stem cell", "ipsc"),
    (r"mesenchymal (?:stem|stromal) cell", "msc"),
    (r"bone marrow (?:msc|stromal cell)", "bmsc"),
    (r"(?:human )?umbilical cord msc", "ucmsc"),
    (r"adipose(?: tissue)? msc", "admsc"),
    (r"dental pulp stem cell", "dpsc"),
    (r"neural stem(?:/progenitor)? cell", "nsc"),
    (r"urine stem cell", "usc"),
    (r"cerebrospinal fluid", "csf"),
    (r"platelet-rich plasma", "prp"),
    (r"regulatory t cell", "treg"),
    (r"blood[- ]spinal cord barrier", "bscb"),
    (r"blood[- ]brain barrier", "bbb"),
    (r"microglial cell", "microglia"),
    (r"macrophagocyte", "macrophage"),
    (r"(?:vascular )?endothelial cell", "ec"),
    (r"nano-?drug delivery system", "ndds"),
)
_VESICLE = (
    r"(?:small extracellular vesicles?|extracellular vesicles?|exosomal vesicles?|exosomes?"
    r"|exos?|s?evs?)"
)
_KO = re.compile(
    r"(?:\s*(?:-|−)/(?:-|−)\s*|[\s-]+(?:deficient|deleted|depleted|knockout|knock-out|null|ko)\b)"
)
_SPECIES_PREFIX = re.compile(
    r"^(?:the |human |rat |mouse |murine |allogenic |allogeneic |autologous )+"
)
PATHWAY_WORDS = re.compile(r"(?i)\b(?:signal(?:l)?ing|pathways?|axis|cascade)\s*$")
_PATHWAY_SUFFIX = re.compile(
    r"\s+(?:signal(?:l)?ing pathways?|pathways?|signal(?:l)?ing|axis|cascade)$"
)
_FROM = re.compile(
    rf"^{_VESICLE}\s+(?:derived from|from|of|secreted by|released by|produced by)\s+(.+)$"
)
_SOURCE_THEN_VESICLE = re.compile(rf"^(.+?)(?:\s*-?\s*derived)?[\s-]+{_VESICLE}$")


def _spaced(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).lower().replace("−", "-")
    s = "".join(_GREEK.get(ch, ch) for ch in s)
    return re.sub(r"\s+", " ", s).strip()


@lru_cache(maxsize=1 << 16)
def canonical_key(text: str) -> str:
    """A looser key than :func:`normalize`: the review's alternative spellings meet.

    Knockout markers (``-/-``, ``-deficient``, ``knockout``...) become one token; ``X-derived
    Exos``, ``Exos derived from X`` and ``X exosomes`` become ``X exo``; long forms become their
    abbreviations (``cerebrospinal fluid`` -> ``csf``); leading species words, trailing
    ``signalling pathway`` and plural ``s`` are dropped.
    """
    s = _spaced(text)
    s = _KO.sub(" ko ", s)
    m = _FROM.match(s)
    if m:
        s = f"{m.group(1)} exo"
    s = re.sub(r"\s*-?\s*\bderived\b", " ", s)
    s = re.sub(rf"(?<![a-z0-9]){_VESICLE}(?![a-z0-9])", " exo ", s)
    s = re.sub(r"\s+", " ", s).strip()
    s = _SPECIES_PREFIX.sub("", s)
    s = _PATHWAY_SUFFIX.sub("", s)
    s = re.sub(r"\b([a-z0-9+]{3,}?)s\b", r"\1", s)  # plural: cells -> cell, MSCs -> MSC
    for long, short in _LONG_SHORT:
        s = re.sub(rf"\b{long}\b", short, s)
    return normalize(s)


def vesicle_source(text: str) -> str | None:
    """The cell-source part of a vesicle name (``"Exos derived from Treg cells"`` -> ``"Treg
    cells"``, ``"iPSC-derived Exos"`` -> ``"iPSC"``), or None when ``text`` names no vesicle."""
    s = _spaced(text)
    m = _FROM.match(s) or _SOURCE_THEN_VESICLE.match(s)
    if not m:
        return None
    source = m.group(1).strip(" -")
    return source or None


def parenthetical(text: str) -> tuple[str, str] | None:
    """``"microglial cell (MG)"`` -> ``("microglial cell", "MG")``; the long form keeps any words
    after the brackets (``"Regulatory T (Treg) cells"`` -> ``("Regulatory T cells", "Treg cells")``)."""
    m = re.match(r"^(.*?)\s*\(([^()]*)\)\s*(.*)$", text.strip())
    if not m:
        return None
    head, inner, tail = (g.strip() for g in m.groups())
    if not head or not inner:
        return None
    long = f"{head} {tail}".strip()
    short = f"{inner} {tail}".strip() if tail and not head.endswith(" ") else inner
    return long, short


def strip_qualifiers(text: str) -> str:
    """Drop words that qualify but do not name: species, 'signalling pathway', 'protein'."""
    s = re.sub(r"\s+", " ", text).strip()
    s = re.sub(
        r"(?i)^(?:the |human |rat |mouse |murine |allogenic |allogeneic |autologous |normoxic "
        r"|naive |natural |native |unmodified )+",
        "",
        s,
    )
    s = re.sub(
        r"(?i)\s+(?:signal(?:l)?ing pathways?|pathways?|signal(?:l)?ing|axis|protein|gene"
        r"|delivery|injection|administration)$",
        "",
        s,
    )
    return s


def slash_parts(text: str) -> list[str]:
    """The parts of a slash-joined name (``"TLR4/NF- κ B"`` -> ``["TLR4", "NF- κ B"]``)."""
    if "/" not in text or re.search(r"-/-|−/−", text):
        return []
    body = strip_qualifiers(text)
    parts = [p.strip(" -") for p in re.split(r"\s*/\s*", body)]
    return parts if len(parts) > 1 and all(parts) else []


_MIRNA_LIKE = re.compile(r"^(?:hsa|mmu|rno)?(?:mir|let|microrna)\d", re.IGNORECASE)


def suggest(
    query: str,
    labels: Iterable[tuple[str, str]],
    *,
    types_of: dict[str, str] | None = None,
    limit: int = 5,
) -> list[str]:
    """Known names close to ``query`` in spelling, for 'did you mean' messages.

    ``labels`` pairs every label (name, synonym) with its entity's preferred name. A label counts
    when its normalised form is close as a whole (edit ratio) or contains / is contained in the
    query as a word-sized piece; unrelated names that share a few letters are not offered. A
    miRNA-looking query only gets miRNA names (``types_of`` maps preferred names to types).
    """
    q = normalize(query)
    if not q:
        return []
    from rapidfuzz import fuzz

    mirna_like = bool(_MIRNA_LIKE.match(q))
    scored: dict[str, float] = {}
    for label, name in labels:
        key = normalize(label)
        if not key:
            continue
        if mirna_like and types_of is not None and types_of.get(name) != "mirna":
            continue
        score = fuzz.ratio(q, key)
        short, long = sorted((len(q), len(key)))
        if short >= 4 and 2 * short >= long and (q in key or key in q):
            score = max(score, 70 + 30 * short / long)
        if score >= 72:
            scored[name] = max(scored.get(name, 0.0), score)
    ranked = sorted(scored, key=lambda n: (-scored[n], len(n), n))
    return ranked[:limit]
