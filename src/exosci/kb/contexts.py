"""Evidence contexts: the cell types and tissues a study looked at (Cell Ontology / UBERON).

An evidence record's ``context`` is one of these CURIEs, or an entity id of the graph. Each
CURIE has a label and its parent here (CL ``is_a`` for cells; UBERON ``part_of`` for the
tissues used), so a path search can tell two contexts apart or find that one is inside the
other. Labels and parents follow the OBO Foundry releases of CL and UBERON.
"""

from __future__ import annotations

from collections.abc import Iterator

# curie -> (label, parent curie or None)
CONTEXTS: dict[str, tuple[str, str | None]] = {
    # cells (CL)
    "CL:0000540": ("neuron", None),
    "CL:0000100": ("motor neuron", "CL:0000540"),
    "CL:0000101": ("sensory neuron", "CL:0000540"),
    "CL:0000125": ("glial cell", None),
    "CL:0000127": ("astrocyte", "CL:0000125"),
    "CL:0000128": ("oligodendrocyte", "CL:0000125"),
    "CL:0002453": ("oligodendrocyte precursor cell", "CL:0000125"),
    "CL:0000129": ("microglial cell", "CL:0000235"),
    "CL:0002573": ("Schwann cell", "CL:0000125"),
    "CL:0000235": ("macrophage", None),
    "CL:0000863": ("inflammatory (M1) macrophage", "CL:0000235"),
    "CL:0000890": ("alternatively activated (M2) macrophage", "CL:0000235"),
    "CL:0000115": ("endothelial cell", None),
    "CL:0002618": ("endothelial cell of umbilical vein (HUVEC)", "CL:0000115"),
    "CL:0000669": ("pericyte", None),
    "CL:0000057": ("fibroblast", None),
    "CL:0000134": ("mesenchymal stem cell", None),
    "CL:0000047": ("neuronal stem cell", None),
    "CL:0000084": ("T cell", None),
    "CL:0000815": ("regulatory T cell", "CL:0000084"),
    # tissues (UBERON)
    "UBERON:0002240": ("spinal cord", None),
    "UBERON:0002256": ("dorsal horn of spinal cord", "UBERON:0002240"),
    "UBERON:0000044": ("dorsal root ganglion", None),
    "UBERON:0001322": ("sciatic nerve", None),
    "UBERON:0000955": ("brain", None),
}


def context_label(context: str | None) -> str | None:
    """The readable label of a context CURIE (entity ids and unknown values come back as is)."""
    if context is None:
        return None
    return CONTEXTS.get(context, (context, None))[0]


def lineage(context: str) -> Iterator[str]:
    """``context`` and its ancestors in :data:`CONTEXTS`, most specific first."""
    seen: set[str] = set()
    cur: str | None = context
    while cur is not None and cur not in seen:
        seen.add(cur)
        yield cur
        cur = CONTEXTS.get(cur, (cur, None))[1]


def is_known_context(context: str) -> bool:
    """Whether ``context`` is a CURIE listed in :data:`CONTEXTS`."""
    return context in CONTEXTS
