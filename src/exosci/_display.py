"""How result objects show themselves in a notebook: a text repr and an HTML card that lead with
what the result is and its caveats (flags, small-universe notes), then a short table; and the
Axes that ``.plot(ax=None)`` draws on (scanpy/decoupler habit: returned, never shown)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes


def axes(ax: Axes | None, *, figsize: tuple[float, float] = (7.0, 4.2)) -> Axes:
    """``ax``, or a new figure's Axes (pyplot's current backend: inline in a notebook)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=figsize)
    return new


def text(title: str, lines: Sequence[str], caveats: Sequence[str]) -> str:
    """A few lines: the title, the facts, then each caveat marked ``!``."""
    out = [title, *(f"  {line}" for line in lines)]
    out += [f"  ! {c}" for c in caveats]
    return "\n".join(out)


def card(
    title: str,
    lines: Sequence[str],
    caveats: Sequence[str],
    table: pd.DataFrame | None = None,
    *,
    rows: int = 10,
    hint: str = "",
) -> str:
    """An HTML block: title, facts, caveats (highlighted), the first ``rows`` of ``table``."""
    parts = [f"<div class='exosci-result'><b>{escape(title)}</b>"]
    if lines:
        parts.append("<ul>" + "".join(f"<li>{escape(x)}</li>" for x in lines) + "</ul>")
    if caveats:
        parts.append(
            "<div style='border-left:3px solid #c60;padding-left:6px'>"
            + "<br>".join(f"⚠ {escape(c)}" for c in caveats)
            + "</div>"
        )
    if table is not None and len(table.columns):
        more = f" ({len(table)} rows; first {rows})" if len(table) > rows else ""
        parts.append(table.head(rows).to_html(na_rep="NA") + escape(more))
    if hint:
        parts.append(f"<div><small>{escape(hint)}</small></div>")
    parts.append("</div>")
    return "".join(parts)


def fmt(value: Any, spec: str = ".3g") -> str:
    """A number for a repr, ``NA`` when missing."""
    if value is None:
        return "NA"
    try:
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    return "NA" if f != f else format(f, spec)
