"""Human <-> mouse <-> rat gene symbols for the common one-to-one orthologues, by case rule.

Most one-to-one orthologues share the symbol up to case: human symbols are upper case (HGNC:
``PTEN``, ``IL1B``), mouse (MGI) and rat (RGD) ones capitalised (``Pten``, ``Il1b``); human
open-reading-frame genes keep a lower-case ``orf`` (``C1orf43``). Genes are therefore matched
by their upper-case symbol, and shown in the spelling of the gene set they came from.

Limits (said in every enrichment output): symbols that differ between species (e.g. human
``HLA-*`` vs mouse ``H2-*``, many immunoglobulin, olfactory-receptor, cytochrome-P450 and
mouse-specific ``Gm``/``Rik`` genes), one-to-many and many-to-many families, and renamed symbols
are not mapped. No web ortholog service is called; for exact work, supply gene sets in the
species of the targets.
"""

from __future__ import annotations

import re

LIMITS = (
    "genes matched across human/mouse/rat by upper-case symbol (one-to-one orthologues with the "
    "same symbol); species-specific symbols and one-to-many families are not mapped"
)
_ORF = re.compile(r"^(C\d+|CX|CY)ORF(\d+)$")


def gene_key(symbol: str) -> str:
    """The matching key of a gene symbol (upper case, whitespace stripped)."""
    return symbol.strip().upper()


def to_species(symbol: str, species: str) -> str:
    """Spell ``symbol`` the way the species' nomenclature does (human upper, rodent capitalised)."""
    key = gene_key(symbol)
    if species == "human":
        m = _ORF.match(key)
        return f"{m.group(1)}orf{m.group(2)}" if m else key
    if species in ("mouse", "rat"):
        return key[:1] + key[1:].lower()
    return symbol
