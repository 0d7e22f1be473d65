"""Reasoning results as DataFrames for notebooks: ``ex.explain(subject, to=...)`` (signed, cited
paths) and ``ex.kb.profile(name)`` (the mechanism profile; it lives here, above the knowledge
graph, because it needs the reasoner, and ``exosci.kb`` only names it for the notebook)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from exosci._frames import tidy_missing
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
    kb: KnowledgeBase | None = None,
) -> pd.DataFrame:
    """How ``subject`` acts on ``to``: one row per signed path, best evidence first.

    Parameters
    ----------
    subject
        A cell source, exosome product, cargo, drug or material (names resolve forgivingly).
    to
        A target, pathway, process, repair mechanism or ``functional recovery``.
    max_length
        As in ``exosci explain`` (``context="strict"`` never joins steps observed in
        incompatible cell types; ``"loose"`` joins and flags them).
    sign
        As in ``exosci explain`` (``context="strict"`` never joins steps observed in
        incompatible cell types; ``"loose"`` joins and flags them).
    limit
        As in ``exosci explain`` (``context="strict"`` never joins steps observed in
        incompatible cell types; ``"loose"`` joins and flags them).
    context
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

    Raises
    ------
    UnknownNameError
        ``subject`` or ``to`` names nothing in the graph; the message lists the closest known
        names, as ``exosci explain`` prints them.

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
    if res.result in ("SUBJECT_NOT_FOUND", "OBJECT_NOT_FOUND"):  # as ``exosci explain``
        from exosci.errors import UnknownNameError, UserInputError

        which = "subject" if res.result == "SUBJECT_NOT_FOUND" else "object"
        if res.message and "names a chain" in res.message:
            raise UserInputError(res.message)
        raise UnknownNameError(subject if which == "subject" else to, which, list(res.suggestions))
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
                "observed_for": p.get("observed_for") or pd.NA,
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
        row: dict[str, Any] = {"axis": axis}
        row.update({k2: v for k2, v in block.items() if not isinstance(v, list | dict)})
        row["confidence_reasons"] = "; ".join(block.get("confidence_reasons", []))
        for side in ("best_supporting", "best_opposing"):
            best = block.get(side)
            row[side] = _chain_text(best) if isinstance(best, dict) else pd.NA
            row[f"{side}_refs"] = list(best.get("refs", [])) if isinstance(best, dict) else []
        rows.append(row)
    return tidy_missing(pd.DataFrame(rows).set_index("axis"))


def _chain_text(path: dict[str, Any]) -> str:
    """A profile path as text: → where a step keeps the sign, ⊣ where it flips it."""
    names = list(path.get("path", []))
    edges = path.get("edges", [])
    if not names:
        return ""
    text = str(names[0])
    for i, name in enumerate(names[1:]):
        sign = edges[i].get("sign", 1) if i < len(edges) else 1
        text += (" → " if sign > 0 else " ⊣ ") + str(name)
    return text


def rank(
    axis: str,
    *,
    types: tuple[str, ...] = ("exosome",),
    kb: KnowledgeBase | None = None,
) -> pd.DataFrame:
    """Which source has the most graded evidence for one repair axis: one row per product.

    Answers "which source has the most graded in vivo evidence for axon regeneration" in one
    call: each exosome product's mechanism-profile score on ``axis`` (its own evidence and its
    more specific descendants'), its GRADE certainty, and the review's in vivo outcome studies
    behind it.

    Parameters
    ----------
    axis
        A repair axis (``"axon regeneration"``, ``"inflammation"``, ``"angiogenesis"`` ...),
        named forgivingly.
    types
        Entity types ranked (default: exosome products; ``("cell_source",)`` ranks sources).
    kb
        A knowledge base (default: the bundled one).

    Returns
    -------
    DataFrame
        One row per entity with any evidence on ``axis``, best first: ``name``, ``id``,
        ``score`` (the profile score, a graph-derived quantity, not an effect size),
        ``certainty`` (GRADE, the best path's), ``evidence_count`` (paths), ``n_studies``
        (distinct review references with an in vivo outcome on this axis, descendants
        included), ``refs`` and ``best_supporting`` (the strongest chain). ``.attrs["axis"]``
        is the axis key.

    Examples
    --------
    >>> import exosci as ex
    >>> top = ex.kb.rank("axon regeneration")
    >>> list(top.columns[:4])
    ['name', 'id', 'score', 'certainty']
    """
    from exosci.errors import UnknownNameError
    from exosci.kb.query import _kb, _resolve_axis

    k = _kb(kb)
    key = _resolve_axis(axis)
    prof_axes = {"neuroprotection", "axon_regeneration", "inflammation", "angiogenesis_bscb", "ecm"}
    if key not in prof_axes:
        raise UnknownNameError(axis, "repair axis", [], known=sorted(prof_axes))
    studies = k.studies(None, axis=key)
    rows = []
    for ent in sorted(k.curated.entities.values(), key=lambda e: e.name):
        if ent.type not in types or ent.id == "exo:exosome":  # the root is no source
            continue
        block = mechanism_profile(k, [ent.id]).to_dict()["axes"].get(key, {})
        ids = {ent.id, *k.descendants(ent.id)}
        mine = studies[studies["product"].isin(ids)]
        if not block.get("evidence_count") and mine.empty:
            continue
        best = block.get("best_supporting")
        rows.append(
            {
                "name": ent.name,
                "id": ent.id,
                "score": float(block.get("score", float("nan"))),
                "certainty": block.get("confidence", pd.NA),
                "evidence_count": int(block.get("evidence_count", 0)),
                "n_studies": int(mine["ref"].nunique()),
                "refs": sorted(int(r) for r in mine["ref"].dropna().unique()),
                "best_supporting": _chain_text(best) if isinstance(best, dict) else pd.NA,
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "name",
            "id",
            "score",
            "certainty",
            "evidence_count",
            "n_studies",
            "refs",
            "best_supporting",
        ],
    )
    frame = frame.sort_values(["score", "n_studies"], ascending=False, ignore_index=True)
    frame.attrs["axis"] = key
    return tidy_missing(frame)
