"""Reasoning results as DataFrames for notebooks: ``ex.explain(subject, to=...)`` (signed, cited
paths) and ``ex.kb.profile(name)`` (the mechanism profile; it lives here, above the knowledge
graph, because it needs the reasoner, and :mod:`exosci.kb` only names it for the notebook)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from exosci.reason.profile import mechanism_profile

if TYPE_CHECKING:
    from exosci.kb.store import KnowledgeBase

_COLUMNS = [
    "rank",
    "sign",
    "path",
    "length",
    "score",
    "refs",
    "observed_for",
    "context_status",
    "grades",
    "certainty",
    "certainty_reasons",
    "in_vivo",
    "species",
    "injury_models",
    "steps",
]


def explain_frame(
    subject: str,
    *,
    to: str,
    max_length: int = 6,
    sign: Literal["up", "down"] | None = None,
    limit: int = 10,
    context: Literal["strict", "loose"] = "strict",
    kb: Any = None,
) -> pd.DataFrame:
    """How ``subject`` acts on ``to``: one row per signed path, best evidence first.

    Parameters
    ----------
    subject
        A cell source, exosome product, cargo, drug or material (names resolve forgivingly).
    to
        A target, pathway, process, repair mechanism or ``functional recovery``.
    max_length, sign, limit, context
        As in ``exosci explain`` (``context="strict"`` never joins steps observed in
        incompatible cell types; ``"loose"`` joins and flags them).

    Returns
    -------
    DataFrame
        ``rank``, ``sign`` (+1 the object goes up, -1 down), ``path`` (→ keeps the sign,
        ⊣ flips it), ``length``, ``score``, ``refs`` (review reference numbers of every
        step), ``observed_for`` (the more specific entity the evidence was observed for),
        ``context_status``, ``grades``, ``certainty`` (GRADE: the weakest step's) with its
        ``certainty_reasons``, ``in_vivo`` (every step has an in vivo experiment), the
        ``species`` and ``injury_models`` of all steps, and ``steps`` (per step: refs,
        species, injury models, grades, certainty). ``.attrs`` holds the result code (``PATHS_FOUND``,
        ``NO_PATHS_FOUND``, ...), resolved names and the full JSON document
        (``attrs["document"]``, as ``exosci explain --json`` prints it).

    Examples
    --------
    >>> import exosci as ex
    >>> df = ex.explain("BMSC-Exos", to="functional recovery")
    >>> df.attrs["result"]
    'PATHS_FOUND'
    """
    from exosci.kb.store import default_kb
    from exosci.reason.explain import explain

    res = explain(
        kb if kb is not None else default_kb(),
        subject,
        to,
        max_length=max_length,
        sign=sign,
        limit=limit,
        context=context,
    )
    doc = res.to_dict()
    rows = []
    for i, p in enumerate(doc["paths"], start=1):
        text = p["nodes"][0] if p["nodes"] else ""
        for e in p["edges"]:
            text += (" → " if e["sign"] > 0 else " ⊣ ") + e["target"]
        rows.append(
            {
                "rank": i,
                "sign": p["sign"],
                "path": text,
                "length": len(p["edges"]),
                "score": p["score"],
                "refs": sorted({n for e in p["edges"] for n in e["refs"]}),
                "observed_for": p.get("observed_for") or "",
                "context_status": p.get("context_status"),
                "grades": sorted({g for e in p["edges"] for g in e.get("grades", [])}),
                "certainty": p["certainty"],
                "certainty_reasons": p["certainty_reasons"],
                "in_vivo": p["in_vivo"],
                "species": sorted({x for e in p["edges"] for x in e["species"]}),
                "injury_models": sorted({x for e in p["edges"] for x in e["injury_models"]}),
                "steps": [
                    {
                        "step": f"{e['source']} → {e['target']}",
                        "refs": e["refs"],
                        "species": e["species"],
                        "injury_models": e["injury_models"],
                        "grades": e["grades"],
                        "certainty": e["certainty"],
                    }
                    for e in p["edges"]
                ],
            }
        )
    frame = pd.DataFrame(rows, columns=_COLUMNS)
    frame.attrs.update(
        result=doc["result"],
        subject=doc["subject"],
        object=doc["object"],
        suggestions=doc["suggestions"],
        message=doc["message"],
        document=doc,
    )
    return frame


def profile(name: str, *, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """The mechanism profile of a source, product or cargo: one row per repair axis.

    Parameters
    ----------
    name
        A cell source, exosome product or cargo (resolved forgivingly).
    kb
        A knowledge base (default: the bundled one).

    Returns
    -------
    DataFrame indexed by axis with ``score`` and, where the profile gives them,
    ``evidence_count``, ``confidence`` (GRADE certainty) and ``confidence_reasons``.

    Examples
    --------
    >>> import exosci as ex
    >>> "score" in ex.kb.profile("BMSC-Exos").columns
    True
    """
    from exosci.kb.query import _kb

    k = _kb(kb)
    prof = mechanism_profile(k, [k.resolve(name).id])
    axes = prof.to_dict()["axes"]
    rows = []
    for axis, block in axes.items():
        row = {"axis": axis}
        row.update({k2: v for k2, v in block.items() if not isinstance(v, list | dict)})
        row["confidence_reasons"] = "; ".join(block.get("confidence_reasons", []))
        rows.append(row)
    return pd.DataFrame(rows).set_index("axis")
