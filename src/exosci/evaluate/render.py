"""Render an evaluation document: plots (PNG) and a self-contained HTML report."""

from __future__ import annotations

import base64
import functools
import io
import json
import textwrap
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

AXIS_LABELS = {
    "neuroprotection": "neuroprotection",
    "axon_regeneration": "axon regeneration",
    "inflammation": "inflammation control",
    "angiogenesis_bscb": "angiogenesis / BSCB",
    "ecm": "ECM / scar",
}


def new_figure(**kwargs: Any) -> Any:
    """A matplotlib Figure on its own Agg canvas: no pyplot, so no global figure registry, no
    backend switch in the caller's session (a notebook keeps its inline backend) and nothing
    shared between threads (the web server renders reports concurrently)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(**kwargs)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def plot_mechanisms(doc: dict[str, Any]) -> bytes | None:
    if not doc["mechanisms"]:
        return None
    axes = list(doc["mechanisms"])
    scores = [doc["mechanisms"][a]["score"] for a in axes]
    fig = new_figure(figsize=(7, 2.6))
    ax = fig.subplots()
    ax.barh([AXIS_LABELS.get(a, a) for a in axes], scores, color="#1f6f8b")
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.set_xlabel("evidence-weighted support (0-1)")
    ax.set_title("Mechanism profile (knowledge graph)")
    return _png(fig)


def plot_recovery(doc: dict[str, Any]) -> bytes:
    tc = doc["timecourse"]
    days = np.asarray(tc["days"])
    fig = new_figure(figsize=(7, 3.6))
    ax = fig.subplots()
    animal = tc.get("animal")
    for key, color, label in (("treated", "#1f6f8b", "treated"), ("control", "#888888", "control")):
        if animal:
            spread = animal[key]["score"]
            ax.fill_between(days, spread["p05"], spread["p95"], color=color, alpha=0.1, lw=0)
        band = tc[key]["score"]
        ax.fill_between(days, band["p05"], band["p95"], color=color, alpha=0.3, lw=0)
        shown = "median; dark: mean effect, light: animals, 5-95 %" if animal else "median, 5-95 %"
        ax.plot(days, band["median"], color=color, lw=2, label=f"{label} ({shown})")
    pred = doc["prediction"]
    ax.set_ylim(0, pred["score_max"])
    ax.set_xlabel("days after injury")
    ax.set_ylabel(f"{pred['score_name']} score")
    ax.set_title("Predicted locomotor recovery — MODEL PREDICTION")
    ax.legend(loc="lower right", frameon=False)
    return _png(fig)


def plot_delivery(doc: dict[str, Any]) -> bytes:
    tc = doc["timecourse"]
    days = np.asarray(tc["days"])
    keep = days <= days[-1]  # the whole horizon: a depot still releasing after day 21 shows
    fig = new_figure(figsize=(7, 3.2))
    ax1 = fig.subplots()
    band = tc["treated"]["lesion_free"]
    ax1.fill_between(
        days[keep],
        np.asarray(band["p05"])[keep],
        np.asarray(band["p95"])[keep],
        color="#b54708",
        alpha=0.2,
        lw=0,
    )
    ax1.plot(
        days[keep],
        np.asarray(band["median"])[keep],
        color="#b54708",
        label="vesicles in lesion (ug)",
    )
    ax1.set_xlabel("days after injury")
    ax1.set_ylabel("vesicles in lesion (ug)")
    ax2 = ax1.twinx()
    ex = tc["treated"]["exposure"]
    ax2.plot(
        days[keep],
        np.asarray(ex["median"])[keep],
        color="#1f6f8b",
        ls="--",
        label="cargo exposure (0-1)",
    )
    ax2.set_ylim(0, 1)
    ax2.set_ylabel("cargo exposure (Emax, 0-1)")
    ax1.set_title("Delivery to the lesion — MODEL PREDICTION")
    lines = ax1.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax1.legend(lines[0] + lines2[0], lines[1] + lines2[1], frameon=False, loc="upper right")
    return _png(fig)


def wrap_label(text: str, width: int = 44) -> str:
    """A bar label on lines of at most ``width`` characters, broken between words (a label
    cut at a fixed length lost words mid-way and left brackets unclosed)."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


def plot_sensitivity(doc: dict[str, Any]) -> bytes | None:
    sens = doc.get("sensitivity")
    if not sens or not sens["top"]:
        return None
    rows = sens["top"][:10]
    labels = [wrap_label(r["label"]) for r in rows]
    lines = sum(lab.count("\n") + 1 for lab in labels)
    fig = new_figure(figsize=(7, max(3.4, 1.2 + 0.22 * lines)))
    ax = fig.subplots()
    colors = [
        "#b54708"
        if r["kind"] == "design choice"
        else "#9aa4ae"
        if r["kind"].startswith("random-effect")
        else "#1f6f8b"
        for r in rows
    ]
    ax.barh(labels, [r["mu_star"] for r in rows], color=colors)
    ax.invert_yaxis()
    ax.set_xlabel(f"Morris mu* (mean |elementary effect| on {sens['output']})")
    ax.set_title(
        "What moves the prediction — MODEL\n(orange: design choices; blue: parameter priors; "
        "grey: random-effect draws)",
        fontsize=10,
    )
    ax.tick_params(axis="y", labelsize=8)
    return _png(fig)


def _delivery_rows(doc: dict[str, Any]) -> list[tuple[str, str]]:
    d = doc["delivery"]
    auc, peak = d["lesion_auc_ug_day"], d["lesion_peak_ug"]
    rows = [
        ("route", d["route"]),
        ("carrier", d["carrier"] or "none"),
        ("total dose", f"{d['total_dose_ug']:.0f} ug in {d['administrations']} administration(s)"),
        (
            "lesion exposure, AUC (median, 5-95 %)",
            f"{auc['median']:.3g} ug·day ({auc['p05']:.3g}–{auc['p95']:.3g})",
        ),
        (
            "peak vesicle amount in lesion",
            f"{peak['median']:.3g} ug on day {d['lesion_peak_day']:.1f}",
        ),
        ("mean cargo exposure, week 1", f"{d['mean_exposure_week1']['median']:.2f} (0-1)"),
        ("lesion-homing engineering", "yes" if d["targeted"] else "no"),
    ]
    rows += [("note", n) for n in d["notes"]]
    return rows


@functools.lru_cache(maxsize=1)
def _template() -> Any:
    """The report's jinja2 template, compiled once per process (~50 ms; render is ~5 ms)."""
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["value"] = fmt_value
    # anchored at the top package: the CLI's plot worker loads this module without importing
    # ``exosci.evaluate`` (and the whole evaluation with it)
    source = resources.files("exosci").joinpath("evaluate", "report.html")
    return env.from_string(source.read_text(encoding="utf-8"))


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def fmt_value(value: Any) -> str:
    """A parameter value as a reader writes it: 1 × 10¹⁰, 0.25, 42 (never 10000000000.0)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    v = float(value)
    if v != 0 and (abs(v) >= 1e5 or abs(v) < 1e-3):
        mant, exp = f"{v:.3g}".split("e") if "e" in f"{v:.3g}" else (f"{v:.3g}", "0")
        return f"{mant} × 10{str(int(exp)).translate(_SUPERSCRIPT)}"
    return f"{v:.4g}"


def render_html(doc: dict[str, Any], plots: dict[str, bytes | None]) -> str:
    """The self-contained HTML report of an evaluation document, plots inlined as PNG."""
    template = _template()
    ev = {
        **doc,
        "plots": {k: base64.b64encode(v).decode() if v else None for k, v in plots.items()},
        "design_rows": doc["design_rows"],
        "delivery_rows": _delivery_rows(doc),
        "axis_labels": AXIS_LABELS,  # the chart's axis names, in its table too
    }
    return template.render(ev=_Obj.wrap(ev))


class _Obj(dict[str, Any]):
    """Attribute access for the template (``ev.prediction.gain.median``)."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError as exc:
            raise AttributeError(key) from exc

    @classmethod
    def wrap(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return cls({k: cls.wrap(v) for k, v in value.items()})
        if isinstance(value, list):
            return [cls.wrap(v) for v in value]
        return value


def warm_up() -> None:
    """Compile the page template, and draw and save one small throw-away figure (imports
    matplotlib, loads the fonts and FreeType once): what follows costs only the drawing."""
    _template()
    fig = new_figure(figsize=(2, 1.5))
    ax = fig.subplots()
    ax.barh(["a", "b"], [0.2, 0.4])
    ax.fill_between([0, 1], [0, 0.1], [0.2, 0.3], alpha=0.3, lw=0)
    ax.plot([0, 1], [0.1, 0.2], label="x")
    ax.set_xlabel("x")
    ax.set_title("warm-up")
    ax.legend(frameon=False)
    ax.twinx().set_ylabel("y")
    _png(fig)


#: The report's figures in report order; each is drawn on its own figure, so any subset can be
#: drawn anywhere (the CLI's plot worker draws them in two processes) with the same bytes.
PLOTTERS: dict[str, Callable[[dict[str, Any]], bytes | None]] = {
    "mechanisms": plot_mechanisms,
    "recovery": plot_recovery,
    "delivery": plot_delivery,
    "sensitivity": plot_sensitivity,
}


def make_plots(
    doc: dict[str, Any], *, names: Iterable[str] | None = None
) -> dict[str, bytes | None]:
    """The report's figures as PNG bytes (None where a figure does not apply); ``names``
    selects some of :data:`PLOTTERS` (default: all, in report order)."""
    return {name: PLOTTERS[name](doc) for name in (PLOTTERS if names is None else names)}


#: The figures (PNG bytes by name, None where a figure does not apply) and the HTML page.
Rendered = tuple[dict[str, bytes | None], str]


def render_report(doc: dict[str, Any]) -> Rendered:
    """The report's figures and its self-contained HTML page."""
    plots = make_plots(doc)
    return plots, render_html(doc, plots)


def write_report(
    doc: dict[str, Any],
    html_path: Path,
    *,
    rendered: Callable[[], Rendered | None] | None = None,
) -> dict[str, Path]:
    """Write REPORT.html (self-contained), REPORT.json and the plots as PNG beside it.

    ``rendered``, if given, is asked for the figures and page after the JSON is written (the
    CLI's plot worker renders them meanwhile); where it returns None they are rendered here.
    """
    done = None if rendered else render_report(doc)  # nothing written if rendering fails
    html_path.parent.mkdir(parents=True, exist_ok=True)
    json_path = html_path.with_suffix(".json")
    public = {k: v for k, v in doc.items() if k != "design_rows"}
    json_path.write_text(json.dumps(public, indent=2, ensure_ascii=False), encoding="utf-8")
    if done is None:
        done = (rendered() if rendered else None) or render_report(doc)
    figures, html = done
    html_path.write_text(html, encoding="utf-8")
    written = {"html": html_path, "json": json_path}
    folder = html_path.with_name(html_path.stem + "_files")
    folder.mkdir(exist_ok=True)
    for name, png in figures.items():
        if png:
            path = folder / f"{name}.png"
            path.write_bytes(png)
            written[name] = path
    return written
