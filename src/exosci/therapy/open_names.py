"""The open vocabulary of a therapy spec: names beyond the knowledge graph's, and the rule for them.

A spec name is first looked up in the knowledge graph. A name the graph lacks is accepted only
when it is a valid name of a public nomenclature or an explicit new name; anything else (a typo
of a known name, a free-text guess) is refused with the closest known names. The rule, per name:

1. ``novel: NAME`` in any vesicle field or the carrier: a name you know the graph lacks, taken as
   given (a new entity of the field's kind).
2. A miRNA (``cargo``): any mature miRNA of the shipped miRBase table (release 22.1; human,
   mouse, rat), read as ``exosci.cargo.mirna_names`` reads it (``miR-21a-5p`` is rat
   ``rno-miR-21-5p`` in a rat design). When the graph has the same mature miRNA under another
   spelling (``miR-21``) its evidence applies; else the miRNA is new to the graph.
3. A gene (``engineering`` and ``cargo``): an approved HGNC symbol, alias, previous symbol or
   approved name, or an RGD rat symbol or old symbol, case-insensitively (``FGF21``, ``Fgf21``,
   ``NT-3``, ``netrin-1`` = NTN1 "netrin 1"), optionally followed by what was done with it
   (``netrin-1 overexpression``); the shipped table is built by ``scripts/build_gene_table.py``.
4. A biomaterial by class (``carrier``): a name whose head word names a material class of the
   graph's hierarchy (``fibrin gel`` -> hydrogel; scaffold, sponge, patch, microspheres),
   modelled with the class's default release.
5. Vesicles by origin (``exosome.source``): a name ending in a vesicle word (``plasma
   exosomes``, ``milk-derived EVs``) whose origin the graph lacks: the generic exosome class.

Rules 4 and 5 read free text, so a name within a few letters of a known name (``hyaluronic acd
hydrogel``) is refused as a likely typo, with the closest names. Every accepted name the graph has
no evidence for is labelled ``NO_EVIDENCE``: its effect term is the prior alone (centred on
no effect, wide), so the predicted band widens.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from exosci.errors import UnknownNameError
from exosci.kb.schema import Entity
from exosci.vocabulary import TYPE_PREFIX

if TYPE_CHECKING:
    from exosci.reason.graph import HasCurated

NOVEL = "novel:"
NO_EVIDENCE = "no evidence in the knowledge graph: prior only"
TYPO_RATIO = 88.0  # rapidfuzz ratio (0-100) at or above which free text counts as a typo

# rule 4: head words of a material class -> (graph entity of the class or None, class name)
MATERIAL_CLASSES: dict[str, tuple[str | None, str]] = {
    "gel": ("mat:hydrogel", "hydrogel"),
    "gels": ("mat:hydrogel", "hydrogel"),
    "hydrogel": ("mat:hydrogel", "hydrogel"),
    "hydrogels": ("mat:hydrogel", "hydrogel"),
    "cryogel": ("mat:hydrogel", "hydrogel"),
    "microgel": ("mat:hydrogel", "hydrogel"),
    "scaffold": (None, "scaffold"),
    "scaffolds": (None, "scaffold"),
    "conduit": (None, "scaffold"),
    "sponge": (None, "sponge"),
    "foam": (None, "sponge"),
    "patch": (None, "patch"),
    "film": (None, "patch"),
    "membrane": (None, "patch"),
    "microspheres": (None, "microspheres"),
    "microparticles": (None, "microspheres"),
}
# rule 5: words naming the vesicles themselves
VESICLE_WORDS = (
    "small extracellular vesicles",
    "extracellular vesicles",
    "vesicles",
    "exosomes",
    "exosome",
    "exos",
    "sevs",
    "sev",
    "evs",
    "ev",
)
# rule 3: what a spec may say was done with a gene
GENE_ACTIONS = (
    "overexpression",
    "overexpressing",
    "over-expression",
    "knockdown",
    "knockout",
    "loading",
    "loaded",
    "mrna",
    "protein",
    "engineered",
    "modified",
    "transfected",
    "display",
)


@dataclass(frozen=True)
class OpenName:
    """A spec name accepted beyond the knowledge graph, and how it was read."""

    field: str
    given: str
    entity: Entity
    kind: str  # "novel", "miRBase", "gene symbol", "material class", "vesicle class"
    note: str
    in_graph: bool  # mapped onto an entity of the graph (whose evidence then applies)

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "given": self.given,
            "entity": self.entity.id,
            "name": self.entity.name,
            "kind": self.kind,
            "in_graph": self.in_graph,
            "note": self.note,
        }


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_.+-]+", "-", text.lower()).strip("-") or "x"


def open_name(
    kb: HasCurated,
    field: str,
    value: str,
    types: tuple[str, ...],
    exc: UnknownNameError,
    species: str,
) -> OpenName:
    """The open-vocabulary reading of ``value`` (which the graph lacks), or ``exc`` re-raised
    with the rule in its message when no rule accepts it."""
    text = value.strip()
    if text.lower().startswith(NOVEL):
        return _novel(field, text, types)
    hit = None
    if "mirna" in types and _looks_like_mirna(text):
        hit = _mirna(kb, field, text, species, exc)
    elif "gene" in types:
        hit = _gene(kb, field, text)
    if hit is None and field == "carrier":
        hit = _material(kb, field, text, exc)
    if hit is None and field == "exosome.source":
        hit = _vesicles(kb, field, text, exc)
    if hit is not None:
        return hit
    raise _refusal(field, value, types, exc)


def _refusal(
    field: str,
    value: str,
    types: tuple[str, ...],
    exc: UnknownNameError,
    closer: list[str] | None = None,
) -> UnknownNameError:
    accepted = "/".join(t.replace("_", " ") for t in types)
    extra = []
    if "mirna" in types:
        extra.append("a miRBase mature miRNA name")
    if "gene" in types:
        extra.append("an HGNC/RGD gene symbol or name")
    if field == "carrier":
        extra.append("a material by class (e.g. fibrin gel, PLGA scaffold)")
    if field == "exosome.source":
        extra.append("vesicles by origin (e.g. plasma exosomes)")
    also = (", ".join(extra) + ", ") if extra else ""
    err = UnknownNameError(
        value,
        f"{accepted} in field `{field}` (any {accepted} of the knowledge graph, {also}or a new "
        f"name written `novel: NAME` (prior only); try `exosci kb search`)",
        list(dict.fromkeys([*(closer or []), *exc.suggestions]))[:6],
    )
    return err


def _novel(field: str, text: str, types: tuple[str, ...]) -> OpenName:
    name = text[len(NOVEL) :].strip()
    if not name:
        raise UnknownNameError(
            text, f"name in field `{field}` (`novel:` needs a name after it)", []
        )
    etype = "material" if field == "carrier" else types[0]
    if "mirna" in types and _looks_like_mirna(name):
        etype = "mirna"
    elif "rna" in types and re.search(r"(si|sh|m|lnc|circ)?rna\b", name, re.IGNORECASE):
        etype = "rna"
    elif field == "exosome.cargo":
        etype = "small_molecule"  # a kind has to be named; it changes nothing in the model
    ent = Entity(
        id=f"{TYPE_PREFIX[etype]}:novel-{_slug(name)}",
        name=name,
        type=etype,  # type: ignore[arg-type]
        description="a name given as new (`novel:`) in the spec; its kind is not checked",
    )
    note = f"{name!r} (given as novel): {NO_EVIDENCE}"
    if field == "carrier":
        note += "; modelled as a local depot with the default material release"
    return OpenName(field, text, ent, "novel", note, False)


_MIRNA_FORM = re.compile(r"^(?:[a-z]{2,5}-)?(?:mi[rR]|let|lin)-?\d", re.IGNORECASE)


def _looks_like_mirna(text: str) -> bool:
    return bool(_MIRNA_FORM.match(text.strip())) or text.strip().upper().startswith("MIMAT")


def _mirna(kb: HasCurated, field: str, text: str, species: str, exc: UnknownNameError) -> OpenName:
    from exosci.cargo.mirna_names import mirbase_reference, normalize_mirnas, parse_name

    sp = species if species in ("human", "mouse", "rat") else "human"
    parsed = parse_name(text)
    res = normalize_mirnas([text], species=None if parsed and parsed.prefix else sp)
    ref = mirbase_reference()
    if not res.recognized:
        close = res.unrecognized[0].suggestions if res.unrecognized else []
        raise UnknownNameError(
            text,
            f"miRNA in field `{field}` (not in the knowledge graph, nor a mature miRNA of "
            f"{ref.label}; or write `novel: {text}`)",
            list(dict.fromkeys([*close, *exc.suggestions]))[:6],
        )
    r = res.recognized[0]
    how = f"miRBase {r.name}" + (f" ({r.accession})" if r.accession else "")
    graph = _graph_mirnas(kb).get(r.key)
    if graph is not None:
        ent = kb.curated.entities[graph]
        note = (
            f"{text!r} is {how}, the same mature miRNA as the graph's {ent.name} "
            f"({ent.id}): its evidence applies"
        )
        return OpenName(field, text, ent, "miRBase", note, True)
    ent = Entity(
        id=f"mir:{_slug(r.key)}",
        name=r.name,
        type="mirna",
        curie=f"mirbase:{r.accession}" if r.accession else None,
        description=f"miRBase mature miRNA ({res.reference})",
    )
    note = f"{text!r} is {how}: {NO_EVIDENCE}"
    return OpenName(field, text, ent, "miRBase", note, False)


@cache
def _graph_mirnas_cached(key: int, kb: Any) -> dict[str, str]:
    from exosci.cargo.mirna_names import key_of

    out: dict[str, str] = {}
    for ent in kb.curated.entities.values():
        if ent.type != "mirna":
            continue
        for label in (ent.name, *ent.synonyms):
            if _looks_like_mirna(label):
                out.setdefault(key_of(label.split(" ")[0], ""), ent.id)
    return out


def _graph_mirnas(kb: Any) -> dict[str, str]:  # Any: a cache key must be hashable
    return _graph_mirnas_cached(id(kb.curated), kb)


@dataclass(frozen=True)
class Gene:
    authority: str
    id: str
    symbol: str
    name: str


@dataclass(frozen=True)
class GeneTable:
    """The shipped gene-symbol table (HGNC approved genes, RGD rat genes), searched in place.

    ``lines`` are the table's rows as shipped; ``folded`` the same rows lower-cased with every
    character but letters, digits and the separators removed, so ``netrin-1``, ``Netrin 1``
    and ``NETRIN1`` meet at ``netrin1``. A look-up is one regex search of ``folded``.
    """

    header: str
    lines: tuple[str, ...]
    folded: str

    def hits(self, key: str) -> list[tuple[int, int]]:
        """(row, column) of every field (or ``|``-separated synonym) equal to ``key``."""
        out = []
        for m in re.finditer(rf"(?<=[\t|\n]){re.escape(key)}(?=[\t|\n])", self.folded):
            start = self.folded.rfind("\n", 0, m.start()) + 1
            row = self.folded.count("\n", 0, start)
            out.append((row, self.folded.count("\t", start, m.start())))
        return out


@cache
def gene_table() -> GeneTable:
    """The shipped table (``data/gene_symbols.tsv.gz``, built by scripts/build_gene_table.py)."""
    raw = (resources.files("exosci.therapy") / "data" / "gene_symbols.tsv.gz").read_bytes()
    text = gzip.decompress(raw).decode("utf-8")
    all_lines = text.splitlines()
    header = "\n".join(line[2:] for line in all_lines if line.startswith("# "))
    lines = tuple(line for line in all_lines if not line.startswith("#"))
    if lines[0].split("\t") != ["authority", "id", "symbol", "name", "synonyms"]:
        raise RuntimeError("gene_symbols.tsv.gz: unexpected columns (rebuild it with the script)")
    folded = "\n" + re.sub(r"[^a-z0-9\t|\n]", "", "\n".join(lines).lower()) + "\n"
    return GeneTable(header, lines, folded[1:])


COLUMNS = {2: "symbol", 4: "alias or previous symbol", 3: "approved name"}


def find_gene(text: str) -> tuple[Gene, str] | list[str] | None:
    """The gene ``text`` names in the shipped HGNC/RGD table.

    An approved symbol first, else an alias or previous symbol (spelled as given, then ignoring
    case and punctuation), else an approved name; a mouse symbol (``Fgf21``) meets its human
    orthologue's symbol, case being ignored.

    Parameters
    ----------
    text
        A gene symbol, alias or name as a spec writes it.

    Returns
    -------
    tuple[Gene, str] or list[str] or None
        The gene (its HGNC record where the symbol has one) and how it matched; the symbols
        of every gene sharing the name when it is ambiguous; None when the table lacks it.

    Examples
    --------
    >>> from exosci.therapy.open_names import find_gene
    >>> gene, how = find_gene("netrin-1")
    >>> gene.symbol, gene.id, how
    ('NTN1', 'HGNC:8029', 'approved name')
    >>> find_gene("NT-3")[0].symbol
    'NTF3'
    """
    k = _key(text)
    if not k:
        return None
    table = gene_table()
    genes: dict[int, list[Gene]] = {2: [], 3: [], 4: []}
    exact: list[Gene] = []
    for row, col in table.hits(k):
        authority, gid, symbol, name, syns = table.lines[row].split("\t")
        if col not in genes:
            continue
        g = Gene(authority, gid, symbol, name)
        genes[col].append(g)
        if col == 4 and text.strip().lower() in {s.lower() for s in syns.split("|")}:
            exact.append(g)
    if genes[2]:  # HGNC rows come first: the human symbol wins
        return genes[2][0], "symbol"
    others = sorted({g.symbol.upper() for g in genes[4]})
    for cands, how in ((exact, COLUMNS[4]), (genes[4], COLUMNS[4]), (genes[3], COLUMNS[3])):
        by_symbol = {g.symbol.upper(): g for g in cands}
        if len(by_symbol) == 1:
            g = next(iter(by_symbol.values()))
            human = [h for h in find_symbol(g.symbol) if h.authority == "HGNC"]
            also = [o for o in others if o != g.symbol.upper()]
            if also:  # spelled exactly as one gene's alias, but other genes share the letters
                how += f"; written without punctuation it is also an alias of {', '.join(also)}"
            return (human[0] if human else g), how
        if len(by_symbol) > 1:
            return sorted({g.symbol for g in by_symbol.values()})
    return None


def find_symbol(symbol: str) -> list[Gene]:
    """Genes whose approved symbol is ``symbol`` (any case), HGNC first."""
    table = gene_table()
    out = []
    for row, col in table.hits(_key(symbol)):
        if col == 2:
            authority, gid, sym, name, _ = table.lines[row].split("\t")
            out.append(Gene(authority, gid, sym, name))
    return out


def _gene(kb: HasCurated, field: str, text: str) -> OpenName | None:
    words = text.split()
    action = ""
    if len(words) > 1 and words[-1].lower() in GENE_ACTIONS:
        action, text_core = words[-1].lower(), " ".join(words[:-1])
    else:
        text_core = text
    found = find_gene(text_core)
    if found is None:
        return None
    if isinstance(found, list):
        raise UnknownNameError(
            text,
            f"gene in field `{field}` ({text_core!r} names several genes in the HGNC/RGD table: "
            f"{', '.join(found)}; write the symbol you mean)",
            found[:6],
        )
    gene, how = found
    label = f"{text!r} is the gene {gene.symbol} ({gene.id}{', ' + gene.name if gene.name else ''}; {how})"
    graph = _graph_gene(kb, gene.symbol)
    if graph is not None:
        ent = kb.curated.entities[graph]
        return OpenName(field, text, ent, "gene symbol", f"{label}: the graph's {ent.name}", True)
    ent = Entity(
        id=f"gene:{_slug(gene.symbol)}",
        name=f"{gene.symbol}{' ' + action if action else ''}",
        type="gene",
        curie=f"hgnc.symbol:{gene.symbol}" if gene.authority == "HGNC" else None,
        description=f"{gene.name or gene.symbol} ({gene.id})",
    )
    return OpenName(field, text, ent, "gene symbol", f"{label}: {NO_EVIDENCE}", False)


def _graph_gene(kb: HasCurated, symbol: str) -> str | None:
    """The graph's gene entity for an HGNC symbol (by CURIE, name or synonym), if any."""
    k = _key(symbol)
    for ent in kb.curated.entities.values():
        if ent.type != "gene":
            continue
        curies = [c for c in (ent.curie, *ent.xrefs) if c]
        if any(c.lower() == f"hgnc.symbol:{symbol.lower()}" for c in curies):
            return str(ent.id)
        if k in {_key(n) for n in (ent.name, *ent.synonyms)}:
            return str(ent.id)
    return None


def _close(kb: HasCurated, text: str, types: tuple[str, ...]) -> list[str]:
    """Preferred names of graph entities of ``types`` with a name or synonym within a few
    letters of ``text`` (rapidfuzz ratio >= ``TYPO_RATIO`` on the folded spelling)."""
    from rapidfuzz import fuzz, process

    labels = _labels(kb, types)
    hits = process.extract(
        _key(text), list(labels), scorer=fuzz.ratio, score_cutoff=TYPO_RATIO, limit=5
    )
    return list(dict.fromkeys(labels[label] for label, _, _ in hits))


def _labels(kb: Any, types: tuple[str, ...]) -> dict[str, str]:  # Any: hashable cache key
    """Folded name or synonym -> preferred name, over the graph's entities of ``types``."""
    return _labels_cached(id(kb.curated), kb, types)


@cache
def _labels_cached(_key_id: int, kb: Any, types: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for ent in kb.curated.entities.values():
        if ent.type in types:
            for label in (ent.name, *ent.synonyms):
                if _key(label):
                    out.setdefault(_key(label), ent.name)
    return out


def _material(kb: HasCurated, field: str, text: str, exc: UnknownNameError) -> OpenName | None:
    words = re.findall(r"[a-z]+", text.lower())
    head = next((w for w in reversed(words) if w in MATERIAL_CLASSES), None)
    if head is None:
        return None
    near = _close(kb, text, ("material", "delivery_system"))
    if near:  # "hyaluronic acd hydrogel": a typo of a known carrier, not a new material
        raise _refusal(field, text, ("material", "delivery_system"), exc, near)
    graph_id, cls = MATERIAL_CLASSES[head]
    if graph_id is not None and graph_id in kb.curated.entities:
        ent = kb.curated.entities[graph_id]
        note = (
            f"{text!r} is not in the knowledge graph: read by its material class, {ent.name} "
            f"({ent.id}), with the class's default release; the material's own biology is not "
            f"modelled ({NO_EVIDENCE} for {text!r} itself)"
        )
        return OpenName(field, text, ent, "material class", note, True)
    ent = Entity(
        id=f"mat:class-{cls}",
        name=f"{text} ({cls})",
        type="material",
        description=f"a {cls}, read by its material class",
    )
    note = (
        f"{text!r} is not in the knowledge graph: read as a {cls} (a local depot with the default "
        f"material release); {NO_EVIDENCE}"
    )
    return OpenName(field, text, ent, "material class", note, False)


def _vesicles(kb: HasCurated, field: str, text: str, exc: UnknownNameError) -> OpenName | None:
    low = " ".join(re.split(r"[\s_-]+", text.lower()))
    word = next((w for w in VESICLE_WORDS if low.endswith(" " + w)), None)
    if word is None:
        return None
    types = ("exosome", "cell_source")
    origin = low[: -len(word)].strip().removesuffix("derived").strip()
    ent = kb.curated.entities.get("exo:exosome")
    if ent is None or not origin:
        return None
    near = _close(kb, origin, ("cell_source", "cell_type"))
    if near:  # "bone marow MSC exosomes": a typo of a known source, not a new origin
        raise _refusal(field, text, types, exc, near)
    note = (
        f"{text!r}: vesicles from {origin!r}, which the knowledge graph does not list as a "
        f"source: read as the generic exosome class ({ent.name}, {ent.id}; its source prior, "
        "not MSC-type); the origin's own biology is not modelled"
    )
    return OpenName(field, text, ent, "vesicle class", note, True)
