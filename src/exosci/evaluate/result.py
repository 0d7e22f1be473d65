"""The notebook face of the main job: ``ex.evaluate(spec) -> Evaluation`` with DataFrames."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from exosci.evaluate.document import EvaluationDocument
    from exosci.kb.store import KnowledgeBase
    from exosci.therapy.spec import TherapySpec

_RENDER_ONLY = ("design_rows",)


@dataclass(frozen=True)
class Evaluation:
    """One evaluated therapy design (model predictions are labelled as such in every table).

    Attributes are read-only; ``to_dict`` returns a copy of the JSON document that
    ``exosci evaluate`` writes beside the report (and ``POST /api/evaluate`` returns).

    Examples
    --------
    >>> import exosci as ex
    >>> ev = ex.evaluate("examples/iv-bmsc-exos-rat.yaml", samples=200)  # doctest: +SKIP
    >>> ev.mechanisms[["score", "confidence"]]  # doctest: +SKIP
    >>> ev.to_html("report.html")  # doctest: +SKIP
    """

    _doc: Mapping[str, Any] = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The report's JSON document (a deep copy; keys as in docs/contracts.md)."""
        return {k: copy.deepcopy(v) for k, v in self._doc.items() if k not in _RENDER_ONLY}

    @property
    def document(self) -> EvaluationDocument:
        """The document as typed models (``exosci.evaluate.document``, the JSON contract)."""
        from exosci.evaluate.document import EvaluationDocument

        return EvaluationDocument.model_validate(self.to_dict())

    @property
    def name(self) -> str:
        return str(self._doc["spec"].get("name") or "")

    @property
    def mechanisms(self) -> pd.DataFrame:
        """Per repair axis: score, evidence count, confidence, best chain for and against."""
        import pandas as pd

        rows = []
        for axis, block in self._doc.get("mechanisms", {}).items():
            best_for, best_against = block.get("best_supporting"), block.get("best_opposing")
            rows.append(
                {
                    "axis": axis,
                    "score": block.get("score"),
                    "evidence_count": block.get("evidence_count"),
                    "confidence": block.get("confidence"),
                    "best_supporting": _chain(best_for),
                    "best_opposing": _chain(best_against),
                }
            )
        cols = ["axis", "score", "evidence_count", "confidence", "best_supporting", "best_opposing"]
        from exosci._frames import tidy_missing

        return tidy_missing(pd.DataFrame(rows, columns=cols).set_index("axis"))

    @property
    def prediction(self) -> pd.DataFrame:
        """Model prediction by day: median treated and control score and the paired gain band."""
        import pandas as pd

        pred = self._doc["prediction"]
        gains = pred.get("gain_by_day", {})
        rows = []
        for i, day in enumerate(pred.get("table_days", [])):
            g = gains.get(day) or gains.get(str(day)) or {}
            rows.append(
                {
                    "day": day,
                    "treated_median": pred["table_treated"][i],
                    "control_median": pred["table_control"][i],
                    "gain_median": g.get("median"),
                    "gain_p05": g.get("p05"),
                    "gain_p95": g.get("p95"),
                }
            )
        frame = pd.DataFrame(rows).set_index("day") if rows else pd.DataFrame()
        frame.attrs["score"] = pred.get("score_name")
        frame.attrs["label"] = pred.get("label")
        frame.attrs["gain_definition"] = pred.get("gain_definition")
        return frame

    @property
    def gain(self) -> dict[str, float]:
        """The headline gain at the horizon (median and 90 % band of paired differences)."""
        return dict(self._doc["prediction"]["gain"])

    @property
    def alternatives(self) -> pd.DataFrame:
        """Ranked one-change alternatives with the paired difference vs this design;
        ``beyond_domain`` names the features by which an alternative leaves the calibrated
        domain where this design did not (its prediction is then an extrapolation)."""
        import pandas as pd

        rows = []
        for alt in self._doc.get("alternatives", []):
            delta = alt.get("delta") or {}
            rows.append(
                {
                    "change": alt.get("change"),
                    "kind": alt.get("kind"),
                    "delta_median": delta.get("median"),
                    "delta_p05": delta.get("p05"),
                    "delta_p95": delta.get("p95"),
                    "verdict": alt.get("verdict"),
                    "beyond_domain": ", ".join(alt.get("leaves_domain") or []),
                    "note": alt.get("skipped") or alt.get("reason") or "",
                }
            )
        cols = [
            "change",
            "kind",
            "delta_median",
            "delta_p05",
            "delta_p95",
            "verdict",
            "beyond_domain",
            "note",
        ]
        from exosci._frames import tidy_missing

        return tidy_missing(pd.DataFrame(rows, columns=cols))

    @property
    def risks(self) -> pd.DataFrame:
        """Translational risks with their level and citation."""
        import pandas as pd

        return pd.DataFrame(self._doc.get("risks", []))

    @property
    def flags(self) -> list[dict[str, Any]]:
        """Summary warnings and notes, each with a ``kind``: ``outside_domain:<feature>`` for a
        design feature outside the calibrated domain, ``ignored_by_model:<feature>`` for one the
        model does not read, a gain beyond the published range, repeated surgery."""
        return copy.deepcopy(list(self._doc["prediction"].get("flags", [])))

    @property
    def domain(self) -> pd.DataFrame:
        """The applicability domain: per design feature its value, status (in / out / ignored),
        the calibrated range and a note (``exosci.therapy.domain``)."""
        import pandas as pd

        block = self._doc.get("domain") or {}
        cols = ["feature", "value", "status", "calibrated", "note"]
        rows = [{c: f.get(c) for c in cols} for f in block.get("features", [])]
        from exosci._frames import tidy_missing

        frame = tidy_missing(pd.DataFrame(rows, columns=cols).set_index("feature"))
        frame.attrs["summary"] = block.get("summary", "")
        return frame

    def __repr__(self) -> str:
        """One line: name, headline gain with its band, and the kinds of its flags."""
        pred = self._doc.get("prediction", {})
        g = pred.get("gain") or {}
        gain = (
            f"gain {g['median']:+.1f} {pred.get('score_name', '')} at day "
            f"{pred.get('horizon_days')} (90 % band {g['p05']:+.1f} to {g['p95']:+.1f}; model)"
            if {"median", "p05", "p95"} <= set(g)
            else "no prediction"
        )
        kinds = [str(f.get("kind", "?")) for f in pred.get("flags", [])]
        flags = ", ".join(kinds) if kinds else "none"
        return f"<Evaluation {self.name!r}: {gain}; flags: {flags}>"

    def to_html(self, path: str | Path, *, force: bool = False) -> dict[str, Path]:
        """Write the report (HTML, JSON beside it, PNG plots in ``<stem>_files/``).

        An existing report is only overwritten with ``force=True``.
        """
        from exosci.errors import UserInputError
        from exosci.evaluate.render import write_report

        out = Path(path)
        if out.exists() and not force:
            raise UserInputError(f"{out}: exists; pass force=True to overwrite it.")
        return write_report(dict(self._doc), out)

    def _repr_html_(self) -> str:
        from exosci._display import card

        pred = self._doc.get("prediction", {})
        g = pred.get("gain") or {}
        score = pred.get("score_name", "")
        lines = []
        if {"median", "p05", "p95"} <= set(g):
            lines.append(
                f"predicted gain {g['median']:+.1f} {score} at day {pred.get('horizon_days')} "
                f"(90 % band {g['p05']:+.1f} to {g['p95']:+.1f}; model prediction)"
            )
        summary = (self._doc.get("domain") or {}).get("summary", "")
        if summary:
            lines.append(str(summary))
        caveats = [
            f"{f.get('kind', '?')}: {f.get('message') or f.get('text') or ''}".rstrip(": ")
            for f in pred.get("flags", [])
        ]
        return card(
            f"Evaluation {self.name}",
            lines,
            caveats,
            self.mechanisms,
            hint=".prediction · .plot() · .mechanisms · .alternatives · .domain · .flags · "
            ".to_html(path)",
        )

    def to_frame(self) -> pd.DataFrame:
        """The model's time course: one row per day and arm (``treated``, ``control``) with the
        median and 5-95 % band of the score (a model prediction; ``.attrs`` says which band)."""
        import pandas as pd

        tc = self._doc.get("timecourse") or {}
        days = tc.get("days", [])
        rows = []
        for arm in ("treated", "control"):
            bands = (tc.get(arm) or {}).get("score") or {}
            for i, day in enumerate(days):
                rows.append(
                    {
                        "day": day,
                        "arm": arm,
                        "median": bands["median"][i],
                        "p05": bands["p05"][i],
                        "p95": bands["p95"][i],
                    }
                )
        frame = pd.DataFrame(rows, columns=["day", "arm", "median", "p05", "p95"])
        pred = self._doc.get("prediction", {})
        frame.attrs.update(
            score=pred.get("score_name"), band=pred.get("band"), label=pred.get("label")
        )
        return frame

    def plot(self, ax: Any = None) -> Any:
        """The predicted score over time, treated and control, each with its 5-95 % band, on
        ``ax`` (a new figure when ``None``); flags go under the title. Returns the Axes."""
        from exosci._display import axes

        target = axes(ax)
        frame = self.to_frame()
        for arm, colour in (("control", "0.45"), ("treated", "C0")):
            part = frame[frame["arm"] == arm]
            target.fill_between(part["day"], part["p05"], part["p95"], color=colour, alpha=0.2)
            target.plot(part["day"], part["median"], color=colour, lw=2, label=f"{arm} (median)")
        target.set_xlabel("days after injury")
        target.set_ylabel(f"{frame.attrs.get('score') or 'score'} (model prediction)")
        kinds = [str(f.get("kind", "?")) for f in self.flags]
        target.set_title(
            f"{self.name}: model prediction, 5-95 % band"
            + (f"\nflags: {', '.join(kinds)}" if kinds else ""),
            fontsize=10,
        )
        target.legend(fontsize=8, frameon=False)
        return target


def _chain(best: Mapping[str, Any] | None) -> str:
    if not best:
        return ""
    return str(best.get("display") or " → ".join(best.get("path", [])))


def evaluate_design(
    spec: TherapySpec | Mapping[str, Any] | str | Path,
    *,
    samples: int = 1000,
    seed: int = 0,
    kb: KnowledgeBase | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    **options: Any,
) -> Evaluation:
    """Evaluate a therapy design: mechanisms, evidence, predicted recovery, risks, alternatives.

    Parameters
    ----------
    spec
        A therapy spec: a YAML/JSON file path, a dict with the spec's fields, or a
        ``exosci.therapy.TherapySpec``.
    samples
        Virtual subjects: paired draws of the model's parameters, each simulated with and
        without the therapy.
    seed
        Seed of every random step (default 0: the same call gives the same numbers).
    options
        Passed to ``exosci.evaluate.core.evaluate`` (``alternative_samples``,
        ``sensitivity_trajectories``, ``scheduler``).

    Returns
    -------
    Evaluation
        ``.mechanisms``, ``.prediction`` and ``.alternatives`` as DataFrames,
        ``.to_dict()`` and ``.to_html(path)``.

    Examples
    --------
    >>> import exosci as ex
    >>> ev = ex.evaluate("examples/iv-bmsc-exos-rat.yaml", samples=200)  # doctest: +SKIP
    >>> ev.prediction.loc[28, "gain_median"]  # doctest: +SKIP
    """
    from exosci.evaluate.core import evaluate
    from exosci.therapy.spec import as_spec

    doc = evaluate(as_spec(spec), kb=kb, samples=samples, seed=seed, progress=progress, **options)
    ev = Evaluation(doc)
    from exosci.errors import warn_caveats

    warn_caveats([f"{f.get('kind', 'flag')}: {f.get('text', '')}" for f in ev.flags])
    return ev
