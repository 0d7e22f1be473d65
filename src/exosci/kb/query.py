"""Knowledge-graph queries that return pandas DataFrames (the ``ex.kb`` notebook API).

Each function takes an optional ``kb`` (default: the bundled graph) and returns one tidy
table, the way decoupler and gseapy users expect. The CLI's ``kb`` commands print the same
records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from exosci._frames import tidy_missing

if TYPE_CHECKING:
    from exosci.kb.store import KnowledgeBase


def _kb(kb: KnowledgeBase | None) -> KnowledgeBase:
    from exosci.kb.store import default_kb

    return kb if kb is not None else default_kb()


def search(query: str, *, limit: int = 20, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """Entities whose name, synonym or CURIE contains ``query``, best first.

    Parameters
    ----------
    query
        Free text, matched forgivingly (case, hyphens, Greek letters).
    limit
        Most rows to return.

    Returns
    -------
    DataFrame with columns ``id``, ``name``, ``type``, ``curie``.

    Examples
    --------
    >>> import exosci as ex
    >>> ex.kb.search("BMSC", limit=3).columns.tolist()
    ['id', 'name', 'type', 'curie']
    """
    rows = _kb(kb).search(query, limit=limit)
    return tidy_missing(pd.DataFrame(rows, columns=["id", "name", "type", "curie"]))


def statements(name: str, *, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """Every signed, cited statement about an entity, one row per evidence record.

    Parameters
    ----------
    name
        Any name, synonym, id or CURIE of the entity.

    Returns
    -------
    DataFrame with columns ``statement``, ``subject``, ``predicate``, ``object``, ``sign``,
    ``refs``, ``dois``, ``species``, ``model``, ``grade``, ``context``, ``observed_for`` (the
    more specific entity an inherited statement was observed for; empty for the entity's own).

    Examples
    --------
    >>> import exosci as ex
    >>> df = ex.kb.statements("BMSC-Exos")
    >>> {"subject", "predicate", "object", "refs"} <= set(df.columns)
    True
    """
    k = _kb(kb)
    mapped = _mirna_mapping(k, name)
    doc = k.show(mapped[0] if mapped else name)
    rows: list[dict[str, Any]] = []
    for key in ("statements", "inherited_statements"):
        for st in doc.get(key, []):
            for ev in st["evidence"]:
                rows.append(
                    {
                        "statement": st.get("id"),
                        "subject": st["subject"],
                        "predicate": st["predicate"],
                        "object": st["object"],
                        "sign": st["sign"],
                        "refs": list(ev["ref"]),
                        "dois": list(ev["doi"]),
                        "species": ev.get("species"),
                        "model": ev.get("model"),
                        "grade": ev.get("grade"),
                        "context": ev.get("context"),
                        "observed_for": st.get("observed_for", ""),
                    }
                )
    columns = [
        "statement",
        "subject",
        "predicate",
        "object",
        "sign",
        "refs",
        "dois",
        "species",
        "model",
        "grade",
        "context",
        "observed_for",
    ]
    frame = tidy_missing(pd.DataFrame(rows, columns=columns))
    if mapped:
        frame.attrs["name_mapping"] = mapped[1]
        from exosci.errors import warn_caveats

        warn_caveats([mapped[1]])
    return frame


def _mirna_mapping(k: KnowledgeBase, name: str) -> tuple[str, str] | None:
    """(graph entity id, stated mapping) for a miRBase-level name the graph lacks verbatim."""
    from exosci.errors import UnknownNameError

    try:
        k.resolve(name)
        return None
    except UnknownNameError:
        from exosci.kb.resolve import mirna_in_graph

        return mirna_in_graph(k.curated, name)


def show(name: str, *, kb: KnowledgeBase | None = None) -> dict[str, Any]:
    """The ``kb show`` document of one entity (a dict; see ``statements`` for a table).

    Parameters
    ----------
    name
        An entity's name, synonym or id (resolved forgivingly; unknown names fail with the
        closest known ones).
    kb
        A knowledge base (default: the bundled one).

    Returns
    -------
    dict
        ``id``, ``name``, ``type``, ``curie``, ``synonyms``, ``description``, ``attributes``,
        ``refs`` and the statements touching the entity, as ``exosci kb show --json`` prints.

    Examples
    --------
    >>> import exosci as ex
    >>> ex.kb.show("NF-κB")["type"]
    'pathway'
    """
    k = _kb(kb)
    mapped = _mirna_mapping(k, name)
    if not mapped:
        return k.show(name)
    doc = k.show(mapped[0])
    doc["name_mapping"] = mapped[1]
    return doc


def outcome_studies(
    product: str | None = None,
    *,
    ref: int | None = None,
    axis: str | None = None,
    kb: KnowledgeBase | None = None,
) -> pd.DataFrame:
    """The review's in vivo outcome table, optionally for one product and its descendants.

    Parameters
    ----------
    product
        A product or source name; its more specific descendants are included.
    ref
        Keep only rows from one review reference number, or of one outcome axis
        (a repair axis, ``function``, ``overall``, ...).
    axis
        Keep only rows from one review reference number, or of one outcome axis
        (a repair axis, ``function``, ``overall``, ...).
    kb
        A knowledge base (default: the bundled one).

    Returns
    -------
    DataFrame
        One row per study arm and outcome: product, dose, route, species, injury model,
        outcome, ``axis``, ``direction``, ``value``, ``unit``, evidence ``grade``, ``ref``, ``doi``.

    Examples
    --------
    >>> import exosci as ex
    >>> len(ex.kb.outcome_studies("BMSC-Exos")) > 0
    True
    """
    return tidy_missing(
        _kb(kb).studies(product, ref=ref, axis=_resolve_axis(axis) if axis is not None else None)
    )


_STOP = {"and", "the", "of", "in", "at"}


def _resolve_axis(axis: str) -> str:
    """An outcome or repair axis named forgivingly: ``"axon regeneration"``, ``"Axon-
    regeneration"``, ``"angiogenesis and BSCB integrity"`` -> the axis key; unknown names
    raise with the accepted ones (as ``exosci kb studies --axis``)."""
    import re

    from exosci.kb.studies import AXES_ACCEPTED

    if axis in AXES_ACCEPTED:
        return axis
    words = [w for w in re.split(r"[^a-z0-9]+", axis.lower()) if w and w not in _STOP]
    key = "_".join(words)
    if key in AXES_ACCEPTED:
        return key
    # a longer mechanism name ("axon regeneration and synaptic plasticity") or a short one
    # ("angiogenesis") naming exactly one axis
    hits = [
        a
        for a in AXES_ACCEPTED
        if words
        and (set(a.split("_")) <= set(words) or key == a.split("_")[0] and len(a.split("_")) > 1)
    ]
    if len(hits) == 1:
        return hits[0]
    return axis  # refused by the query with the accepted names and the closest ones
