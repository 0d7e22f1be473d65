"""Name resolution as the review writes names: synonyms first, then the review's patterns.

Order: the exact normalised label (id, name, synonym, CURIE, plural twin); the canonical key
(:func:`exosci.kb.names.canonical_key`: knockout markers, ``-derived``, long/short forms);
``long form (SHORT)``, taking the more specific entity when both resolve; a vesicle named by its
source (``Exos derived from X`` -> the plain product secreted by X); qualifiers dropped
(``human``, ``signalling pathway``, ``protein``); slash-joined names resolve to the nearest
complex or group containing every part, or fail with the chain offered as an ``explain`` query.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from exosci.errors import UnknownNameError
from exosci.kb.curated import Curated
from exosci.kb.names import (
    PATHWAY_WORDS,
    canonical_key,
    normalize,
    parenthetical,
    slash_parts,
    strip_qualifiers,
    suggest,
    vesicle_source,
)
from exosci.kb.schema import Entity

#: A resolver's derived tables as plain data (exact keys, canonical keys, labels, products), so
#: the on-disk cache can hold them as JSON (:mod:`exosci.kb.cache`).
NameIndex = tuple[dict[str, list[str]], dict[str, list[str]], list[tuple[str, str]], dict[str, str]]

_SOURCE_TYPES = ("cell_source", "cell_type")
_MODIFIERS = ("preconditioned_by", "engineered_with")


class ChainNameError(UnknownNameError):
    """A slash-joined name whose parts share no complex: a chain, offered as an explain query."""

    def __init__(self, name: str, parts: list[Entity]) -> None:
        self.parts = parts
        chain = " → ".join(p.name for p in parts)
        self.query = f"exosci explain {_quote(parts[0].name)} --to {_quote(parts[-1].name)}"
        super().__init__(name, "name", [p.name for p in parts])
        self.args = (
            f"{name!r} names a chain ({chain}), not one entity: its parts share no complex or "
            f"group. Name one part, or follow the chain with: {self.query}",
        )

    def __str__(self) -> str:
        return str(self.args[0])


def _quote(name: str) -> str:
    return name if name.replace("-", "").isalnum() else f"'{name}'"


@dataclass
class NameResolver:
    """Resolution over one curated record set (built once, cached by :func:`resolver`)."""

    curated: Curated
    exact: dict[str, list[str]] = field(default_factory=dict)
    canonical: dict[str, list[str]] = field(default_factory=dict)
    labels: list[tuple[str, str]] = field(default_factory=list)  # (label, preferred name)
    product: dict[str, str] = field(default_factory=dict)  # cell source -> plain product

    def __post_init__(self) -> None:
        for ent in self.curated.entities.values():
            names = [ent.id, ent.name, *ent.synonyms, *ent.xrefs]
            if ent.curie:
                names += [ent.curie, ent.curie.split(":", 1)[-1]]
            for label in dict.fromkeys(names):
                for index, key in (
                    (self.exact, normalize(label)),
                    (self.canonical, canonical_key(label)),
                ):
                    if key and ent.id not in index.setdefault(key, []):
                        index[key].append(ent.id)
            self.labels += [(label, ent.name) for label in dict.fromkeys((ent.name, *ent.synonyms))]
        self._products()

    def _products(self) -> None:
        """The plain product of each cell source: fewest modifiers, then the shortest name."""
        modifiers: dict[str, int] = {}
        sources: dict[str, list[str]] = {}
        for st in self.curated.statements:
            if st.predicate == "derived_from":
                sources.setdefault(st.object, []).append(st.subject)
            elif st.predicate in _MODIFIERS:
                modifiers[st.subject] = modifiers.get(st.subject, 0) + 1
        ents = self.curated.entities
        for src, prods in sources.items():
            prods = [p for p in prods if p in ents and ents[p].type == "exosome"]
            if prods:
                self.product[src] = min(
                    prods, key=lambda p: (modifiers.get(p, 0), len(ents[p].name), p)
                )

    @property
    def index(self) -> NameIndex:
        """The derived tables, for :func:`remember` in another process."""
        return self.exact, self.canonical, self.labels, self.product

    @classmethod
    def from_index(cls, curated: Curated, index: NameIndex) -> NameResolver:
        """A resolver over ``curated`` from tables built earlier (nothing re-derived)."""
        res = cls.__new__(cls)
        res.curated = curated
        exact, canonical, labels, product = index
        res.exact, res.canonical, res.product = exact, canonical, product
        res.labels = [(label, name) for label, name in labels]
        return res

    # -- lookup ---------------------------------------------------------------------------
    def _typed(self, ids: list[str], types: Sequence[str] | None) -> list[str]:
        ents = self.curated.entities
        return [i for i in ids if i in ents and (not types or ents[i].type in types)]

    def _lookup(self, text: str, types: Sequence[str] | None) -> str | None:
        key = normalize(text)
        if not key:
            return None
        twin = key[:-1] if key.endswith("s") else key + "s"
        for index, k in (
            (self.exact, key),
            (self.exact, twin),
            (self.canonical, canonical_key(text)),
        ):
            ids = self._typed(index.get(k, []), types)
            if ids:
                ents = self.curated.entities
                exact = [i for i in ids if normalize(ents[i].name) == key]
                if not exact and PATHWAY_WORDS.search(text):  # "PI3K signaling pathway"
                    exact = [i for i in ids if ents[i].type == "pathway"]
                return (exact or ids)[0]
        return None

    def lookup(self, text: str, types: Sequence[str] | None = None) -> str | None:
        """The entity a label names exactly (normalised or canonical key), without the
        pattern rules of :meth:`find`; for matching names from other databases."""
        return self._lookup(text, types)

    def find(self, text: str, types: Sequence[str] | None = None, depth: int = 0) -> str | None:
        """The entity id ``text`` names, or None (a slash chain raises :class:`ChainNameError`)."""
        text = text.strip()
        hit = self._lookup(text, types)
        if hit or depth > 4 or not text:
            return hit
        paren = parenthetical(text)
        if paren:
            long, short = (self.find(t, types, depth + 1) for t in paren)
            if long and short and long != short:
                from exosci.kb.hierarchy import ancestors

                return short if long in ancestors(self.curated, short) else long
            if long or short:
                return long or short
        if not types or "exosome" in types:
            source_text = vesicle_source(text)
            if source_text:
                src = self.find(source_text, _SOURCE_TYPES, depth + 1)
                if src and src in self.product:
                    return self.product[src]
        bare = strip_qualifiers(text)
        if bare != text:
            hit = self.find(bare, types, depth + 1)
            if hit:
                return hit
        parts = slash_parts(text)
        if parts:
            return self._slash(text, parts, types, depth)
        return None

    def _slash(
        self, text: str, parts: list[str], types: Sequence[str] | None, depth: int
    ) -> str | None:
        ids = self._group(parts, depth)
        if ids is None:
            return None
        if len(ids) == 1:
            return ids[0] if self._typed(ids, types) else None
        common = self._common_ancestor(ids)
        if common is not None:
            return common if self._typed([common], types) else None
        raise ChainNameError(text, [self.curated.entities[i] for i in ids])

    def _group(self, parts: list[str], depth: int) -> list[str] | None:
        """Resolve the parts, joining neighbours that name one entity together ("PI3K/Akt")."""
        out: list[str] = []
        i = 0
        while i < len(parts):
            for j in range(len(parts), i, -1):
                span = "/".join(parts[i:j])
                hit = self._lookup(span, None) if j - i > 1 else self.find(span, None, depth + 1)
                if hit:
                    if not out or out[-1] != hit:
                        out.append(hit)
                    i = j
                    break
            else:
                return None
        return out

    def _common_ancestor(self, ids: list[str]) -> str | None:
        from exosci.kb.hierarchy import ancestors

        chains = [[i, *ancestors(self.curated, i)] for i in ids]
        shared = set(chains[0]).intersection(*chains[1:])
        if not shared:
            return None
        return min(shared, key=lambda a: (sum(c.index(a) for c in chains), a))

    # -- the public call --------------------------------------------------------------------
    def resolve(self, name: str, *, types: Sequence[str] | None = None) -> Entity:
        """The entity ``name`` means; unknown names raise with close names as suggestions."""
        hit = self.find(name, types)
        if hit:
            return self.curated.entities[hit]
        types_of: dict[str, str] = {e.name: e.type for e in self.curated.entities.values()}
        labels = [(lbl, n) for lbl, n in self.labels if not types or types_of.get(n) in types]
        kind = "/".join(t.replace("_", " ") for t in types) if types else "name"
        raise UnknownNameError(name, kind, suggest(name, labels, types_of=types_of))


_CACHE: dict[int, tuple[Curated, NameResolver]] = {}


def resolver(curated: Curated) -> NameResolver:
    """The (cached) resolver of a curated record set."""
    hit = _CACHE.get(id(curated))
    if hit is not None and hit[0] is curated:
        return hit[1]
    res = NameResolver(curated)
    _CACHE[id(curated)] = (curated, res)
    return res


def remember(curated: Curated, index: NameIndex) -> None:
    """Let :func:`resolver` serve ``curated`` from an index built for these very records
    (the on-disk cache stores both under one digest)."""
    _CACHE[id(curated)] = (curated, NameResolver.from_index(curated, index))


def mirna_in_graph(curated: Curated, name: str) -> tuple[str, str] | None:
    """The graph's miRNA entity a miRBase-level name means, and the mapping stated in words.

    ``hsa-miR-21-5p``, ``rno-miR-21-5p`` and ``miR-21-5p`` reach the graph's ``miR-21`` (the
    review names it without an arm): species prefixes are dropped (the mature sequences of
    these miRNAs are shared by human, mouse and rat), the ``a`` of a single-member family
    (mouse ``miR-21a``) is dropped as miRBase's own keys do, and an arm maps to the graph's
    arm-less entity of the same miRNA. A different family member (``miR-146b-5p`` for
    ``miR-146a-5p``) is a different miRNA and is not mapped. ``None`` when nothing matches.
    """
    from exosci.mirna_syntax import key_of, parse_name

    raw = name.strip()
    bare = raw.split("-", 1)[1] if re.match(r"^[a-z]{3}-", raw) else raw
    p = parse_name(bare)
    if p is None:
        return None
    want_arm = p.arm if p.arm in ("5p", "3p") else ""
    want = key_of(bare, want_arm) if want_arm else None
    stem = key_of(bare, "5p").rsplit("-", 1)[0]  # species-free, letter-a-free, arm-free
    exact: list[tuple[str, str]] = []
    armless: list[tuple[str, str]] = []
    for ent in curated.entities.values():
        if ent.type != "mirna":
            continue
        for label in (ent.name, *ent.synonyms):
            lb = label.split("-", 1)[1] if re.match(r"^[a-z]{3}-", label) else label
            q = parse_name(lb)
            if q is None:
                continue
            if want and q.arm in ("5p", "3p") and key_of(lb, q.arm) == want:
                exact.append((ent.id, ent.name))
            elif not q.arm and key_of(lb, "5p").rsplit("-", 1)[0] == stem:
                armless.append((ent.id, ent.name))
    if exact:
        eid, ename = exact[0]
        return eid, (
            f"{raw!r} read as the graph's {ename} (the same mature miRNA; the species prefix "
            "and a single-member family letter are not part of the match)"
        )
    if armless:
        eid, ename = armless[0]
        strand = f"the {want_arm} strand" if want_arm else "one strand"
        return eid, (
            f"{raw!r} read as the graph's {ename}: the review names this miRNA without its arm, "
            f"so its statements are not specific to {strand} (arm mapping; species prefix "
            "dropped)"
        )
    return None
