"""EV marker names -> MISEV2018 protein categories (forgiving names, strict about unknowns)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from exosci.errors import UnknownNameError
from exosci.kb.names import closest, normalize
from exosci.qc.rules import misev_rules


@dataclass(frozen=True)
class MarkerHit:
    """A resolved marker: the name as given, its canonical name and category id."""

    given: str
    canonical: str
    category: str


@dataclass(frozen=True)
class _Index:
    exact: dict[str, tuple[str, str]]
    patterns: tuple[tuple[re.Pattern[str], str, str], ...]
    names: tuple[str, ...]


@cache
def _index() -> _Index:
    exact: dict[str, tuple[str, str]] = {}
    patterns = []
    names = []
    for cat in misev_rules().marker_categories:
        for m in cat.markers:
            for alias in (m.name, *m.synonyms):
                exact[normalize(alias)] = (m.name, cat.id)
                names.append(alias)
            patterns += [(re.compile(p), m.name, cat.id) for p in m.patterns]
    return _Index(exact=exact, patterns=tuple(patterns), names=tuple(names))


def resolve_marker(name: str, *, field: str = "marker") -> MarkerHit:
    """The MISEV category of ``name``, or an UnknownNameError with the closest known names."""
    idx = _index()
    key = normalize(name)
    if key in idx.exact:
        canonical, category = idx.exact[key]
        return MarkerHit(given=name, canonical=canonical, category=category)
    for pattern, canonical, category in idx.patterns:
        if pattern.search(key):
            return MarkerHit(given=name, canonical=canonical, category=category)
    raise UnknownNameError(
        name,
        f"EV marker in {field} (list markers outside the MISEV categories under markers.other)",
        closest(name, list(idx.names)),
    )


def known_markers() -> dict[str, list[str]]:
    """Category id -> canonical marker names (for help text and documentation)."""
    return {c.id: [m.name for m in c.markers] for c in misev_rules().marker_categories}
