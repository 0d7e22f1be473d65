"""Design -> effect: how large a design's effect is, anchored on the pooled meta-analytic effect.

A random-effects view in three parts (all on the log scale of the design's *potency*, its effect
relative to the typical design of the pooled studies; potency 1 = the pooled effect):

* **product term** ``d_p ~ N(0, tau_p^2)``: a product's true effect scatters around the pooled
  effect with the between-study heterogeneity of a meta-analysis no validation target uses
  (below); its own outcome studies update it (normal-normal shrinkage), so a product with many
  consistent studies gets a narrow distribution near its data and one without any keeps the
  full width. Every source starts from the same centre (no source is assumed better); no
  finding about source differences sets this prior (the network meta-analysis that compares
  sources is a validation target and is cited only as an *equivalence finding* in verdicts,
  :mod:`exosci.evaluate.verdicts`).
* **modifier terms** per preconditioning, engineering, loaded or enriched cargo and co-therapy:
  prior ``N(0, tau_m^2)``, centred on *no effect*, so a modification can help, do nothing or
  harm. Only the modification's own evidence moves it: a head-to-head study (modified against
  native vesicles) with a number sets size and direction (normal update); a head-to-head with a
  direction only, or in vivo mechanism results, set the *direction* alone: the prior is
  conditioned on an uncertain sign (a two-sided half-normal with ``P(effect > 0)`` from the
  stated reliability of each piece of evidence), so the magnitude still comes from the prior
  scale. Studies of the modified product against untreated controls cannot separate the
  modification from its parent vesicles: they are listed, and count only with a number.
  Cargo and engineering terms have an ``early`` part as well (its own draw): a change in how
  fast function returns (faster or slower), which fades by the plateau (outcome studies that report early
  recovery inform it); without such evidence it is prior only. The two signs are not
  symmetric in their consequences: a faster return is capped by the tissue that survived, a
  slower one lasts as long as the cargo is active, so with a depot releasing for two weeks a
  prior-only early part mostly widens the *lower* band (the flagship hydrogel example's day-42
  5th percentile: 5.4 BBB without its miR-146a-5p early part, 3.3 with it; medians 7.0 and 6.7).
* each term has its own per-subject draw keyed by its entity
  (:class:`~exosci.model.design.EffectDraw`): two designs with the same product share its
  draw in a paired comparison, two different products or modifications never do, so the
  interval of a difference is as wide as the evidence leaves it.

The mechanism profile does not enter here: it decides *where* a design acts (axis weights),
never how much. Graph connectivity does not change the magnitude.

Heterogeneity: taken from a meta-analysis that no validation target uses (the rule in the
credibility dossier: validation sources never set a prior). Spine Surg Relat Res 2022;6(5):
433-442 (doi:10.22603/ssrr.2022-0004), single-dose rat SCI experiments: SMD 2.17 (95 % CI
1.30-3.04), I^2 = 80 %, k = 11. SE = 0.44, so k * SE^2 = 2.17 = tau^2 + s^2 and
tau^2 = 0.80 * 2.17 = 1.73: tau = 1.32 SMD units, 0.61 of the pooled effect. As a log-normal
spread of the effect, sqrt(ln(1 + 0.61^2)) = 0.56 (a design's true effect lies within
x0.33-x3.0 of the pooled one, 95 %). The subgroup I^2 of that paper runs 57-89 %, so 0.56 is
a middle value, not a bound. The within-study part, s^2 = 2.17 - 1.73 = 0.44 (s = 0.66 SMD,
0.30 of the pooled SMD), sets the SD of one study's numeric result (``S_FIGURE``).
A modification is one design difference among the many behind that spread, so 0.56 is a
generous prior SD for one modification (``TAU_MODIFIER``).
"""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from exosci import vocabulary
from exosci.model.design import Channel, EffectDraw

if TYPE_CHECKING:  # pandas costs ~0.25 s to import: only the DataFrame views load it
    import pandas as pd

    from exosci.reason.graph import HasCurated

TAU_PRODUCT = 0.56  # between-design SD of the log effect (Spine Surg Relat Res 2022, above)
TAU_OTHER_SOURCE = (
    0.7  # assumption: sources unlike those of the pooled studies are less exchangeable
)
SE_POOLED = 0.12  # log-scale SE of the pooled effect itself (week-4 CI 3.42-5.66 around 4.54)
TAU_MODIFIER = TAU_PRODUCT  # prior SD of one modification's log effect (centred on no effect)
# A study against control with a direction only, taken as an observation at the pooled effect
# with an SD wider than one study's total spread around it (sqrt(ln(1 + (1.47/2.17)^2)) = 0.61,
# Spine Surg Relat Res 2022): its size is unknown (assumption)
S_DIRECTION = 0.8
Y_NO_EFFECT = math.log(0.3)  # "no significant difference vs control"
Y_WORSE = math.log(0.1)  # "worse than control" (on the potency scale: far below typical)
S_FIGURE = (
    0.35  # one study's numeric result: within-study SD 0.30 of the pooled SMD (above) + BBB->SMD
)
# Reliability of a reported direction (assumption, stated in every term that uses it): the
# probability that the true effect has the sign one study reports
Q_HEAD_TO_HEAD = 0.9  # a modified-vs-native comparison of whole-animal outcome
Q_MECHANISM = 0.6  # an in vivo result on one repair axis (weak for the whole-animal effect)
MAX_MECHANISM_REFS = 3
POOLED_BBB = {7: 1.58, 14: 3.12, 21: 4.44, 28: 4.54}  # nma40, weeks 1-4
MSC_TYPE = frozenset(
    {
        "src:bmsc",
        "src:admsc",
        "src:ucmsc",
        "src:msc",
        "src:nsc",
        "src:dpsc",
        "src:ipsc",
        "src:usc",
        "src:epc",
        "src:cd146-cd271-ucmsc",
        "src:cd271-cd56-bmsc",
        "src:sc-like-admsc",
    }
)
STUDY_COLUMNS = (
    "product",
    "ref",
    "species",
    "model",
    "outcome",
    "direction",
    "comparator",
    "bbb_difference",
    "day",
)
LOADING_IDS = frozenset({"int:mirna-loading", "int:sirna-loading", "int:drug-loading"})
IMPROVED = {"improved", "better", "positive", "increase", "increased", "up", "+"}
NO_EFFECT = {"no_difference", "no difference", "none", "no effect", "ns", "0", "unchanged"}
WORSE = {"worse", "negative", "impaired", "decrease", "decreased", "down", "-"}


@dataclass(frozen=True)
class EffectTerm:
    """One term of a design's log potency with the evidence behind it."""

    name: str
    entity: str
    kind: str  # "product" or "modifier"
    mean: float
    sd: float
    prior_sd: float
    studies: tuple[dict[str, Any], ...] = ()
    reason: str = ""
    channel: Channel = "lasting"  # "early": acts only on how fast function returns (fades)
    # direction-only evidence: the prior N(0, prior_sd^2) conditioned on an uncertain sign,
    # P(effect > 0) = p_positive (mean and sd above are that distribution's moments)
    p_positive: float | None = None
    basis: str = "prior only"  # prior only | direction only | numeric | outcome studies

    @property
    def key(self) -> str:
        """The name of the term's own draw: its entity (and channel, for an early part)."""
        return self.entity if self.channel == "lasting" else f"{self.entity}#early"

    def draw(self) -> EffectDraw:
        """The term as the model samples it (numbers only)."""
        if self.p_positive is None:
            return EffectDraw(self.key, self.mean, self.sd, self.channel)
        return EffectDraw(self.key, self.mean, self.prior_sd, self.channel, self.p_positive)

    def quantiles(self) -> tuple[float, float, float]:
        """5 %, 50 % and 95 % of the term's log value."""
        q = self.draw().values(np.asarray([-1.6448536, 0.0, 1.6448536]))
        return float(q[0]), float(q[1]), float(q[2])

    def to_dict(self) -> dict[str, Any]:
        lo, mid, hi = self.quantiles()
        out = {
            "name": self.name,
            "channel": self.channel,
            "entity": self.entity,
            "draw_key": self.key,
            "kind": self.kind,
            "basis": self.basis,
            "log_mean": round(self.mean, 4),
            "log_sd": round(self.sd, 4),
            "prior_log_sd": self.prior_sd,
            "fold_median": round(math.exp(mid), 3),
            "fold_90": [round(math.exp(lo), 3), round(math.exp(hi), 3)],
            "studies": list(self.studies),
            "reason": self.reason,
        }
        if self.p_positive is not None:
            out["p_positive"] = round(self.p_positive, 3)
        return out


@dataclass(frozen=True)
class DesignEffect:
    """A design's potency relative to the typical design: its terms, each with its own draw."""

    log_mean: float
    log_sd: float
    terms: tuple[EffectTerm, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    early_fold: float = 0.0  # early-only extra potency at the terms' medians

    @property
    def potency(self) -> float:
        """The fixed factor the model applies besides the terms: 0 without vesicles, else 1."""
        return 0.0 if not math.isfinite(self.log_mean) else 1.0

    @property
    def median_potency(self) -> float:
        """Potency with every lasting term at its median."""
        if not math.isfinite(self.log_mean):
            return 0.0
        return math.exp(sum(t.quantiles()[1] for t in self.terms if t.channel == "lasting"))

    @property
    def early_potency(self) -> float:
        return self.median_potency * self.early_fold

    def draws(self) -> tuple[EffectDraw, ...]:
        """The terms as the model samples them (:attr:`exosci.model.design.Design.effect`)."""
        return tuple(t.draw() for t in self.terms)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": "MODEL: design effect relative to the pooled meta-analytic effect "
            "(random-effects view; potency 1 = the typical design of the pooled rat studies; "
            "each term has its own draw, independent of every other term)",
            "potency_median": round(self.median_potency, 3),
            "potency_90": [
                round(math.exp(self.log_mean - 1.645 * self.log_sd), 3),
                round(math.exp(self.log_mean + 1.645 * self.log_sd), 3),
            ],
            "log_sd": round(self.log_sd, 4),
            "early_potency": round(self.early_potency, 3),
            "terms": [t.to_dict() for t in self.terms],
            "notes": list(self.notes),
        }


NO_VESICLES = DesignEffect(
    log_mean=-math.inf,
    log_sd=0.0,
    notes=("no vesicles: no cargo reaches the lesion, the dynamics give the control course",),
)


def _norm_direction(value: Any) -> str:
    v = str(value).strip().lower()
    if v in IMPROVED:
        return "improved"
    if v in WORSE:
        return "worse"
    if v in NO_EFFECT:
        return "no_difference"
    return "unknown"


@dataclass(frozen=True, slots=True)
class Study:
    """One row of the effect layer's study table (:data:`STUDY_COLUMNS` plus level, modifiers).

    ``level``: ``outcome`` (whole-animal: what the potency is about), ``mechanism`` (one repair
    axis) or ``other``; ``modifiers``: the arm's preconditioning, engineering, cargo and
    co-therapy ids.
    """

    product: Any
    ref: Any
    species: Any
    model: Any
    outcome: Any
    direction: Any
    comparator: Any
    bbb_difference: float = float("nan")
    day: float = float("nan")
    level: str = "outcome"
    modifiers: frozenset[str] = frozenset()


class StudyTable:
    """The study table as plain records (~100 rows: no DataFrame needed), read-only.

    The per-study outcome rows (whole-animal outcomes, one per product, reference and
    comparator kind) are derived once and shared by every term computed from the table.
    """

    __slots__ = ("_outcome", "rows")

    def __init__(self, rows: Iterable[Study]) -> None:
        self.rows: tuple[Study, ...] = tuple(rows)
        self._outcome: tuple[tuple[Study, bool], ...] | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Study]:
        return iter(self.rows)

    def outcome_rows(self) -> tuple[tuple[Study, bool], ...]:
        """(study, against native vesicles?) per study: whole-animal outcomes, first row of
        each (product, ref, comparator kind)."""
        if self._outcome is None:
            seen: set[tuple[Any, Any, bool]] = set()
            out = []
            for r in self.rows:
                if r.level != "outcome":
                    continue
                native = _is_native(r.comparator)
                key = (r.product, r.ref, native)
                if key not in seen:
                    seen.add(key)
                    out.append((r, native))
            self._outcome = tuple(out)
        return self._outcome

    def to_frame(self) -> pd.DataFrame:
        """The table as a DataFrame (columns :data:`STUDY_COLUMNS`, ``level``, ``modifiers``)."""
        import pandas as pd

        cols = [*STUDY_COLUMNS, "level", "modifiers"]
        return pd.DataFrame([[getattr(r, c) for c in cols] for r in self.rows], columns=cols)


def study_table(studies: Any) -> StudyTable:
    """A :class:`StudyTable` from a table, a DataFrame or an iterable of studies or mappings.

    A DataFrame or mapping needs :data:`STUDY_COLUMNS` (``model``, ``outcome``,
    ``bbb_difference``, ``day`` may be missing); without ``level`` every row is an outcome,
    without ``modifiers`` no row carries a modification.
    """
    if isinstance(studies, StudyTable):
        return studies
    if _is_frame(studies):
        studies = studies.to_dict("records")
    return StudyTable(s if isinstance(s, Study) else _study(s) for s in studies)


def _is_frame(obj: Any) -> bool:
    pd = sys.modules.get("pandas")  # a DataFrame exists only if pandas is already loaded
    return pd is not None and isinstance(obj, pd.DataFrame)


def _study(m: Mapping[str, Any]) -> Study:
    return Study(
        product=m["product"],
        ref=m["ref"],
        species=m["species"],
        model=m.get("model"),
        outcome=m.get("outcome"),
        direction=m["direction"],
        comparator=m["comparator"],
        bbb_difference=m.get("bbb_difference", float("nan")),
        day=m.get("day", float("nan")),
        level=m.get("level", "outcome"),
        modifiers=m.get("modifiers", frozenset()),
    )


def _statement_studies(kb: HasCurated) -> list[Study]:
    rows: list[Study] = []
    seen: set[tuple[str, str]] = set()
    for s in kb.curated.statements:
        if s.object != "out:functional-recovery" or s.predicate not in ("promotes", "inhibits"):
            continue
        direction = "improved" if s.predicate == "promotes" else "worse"
        for ev in s.evidence:
            if ev.model != "in_vivo":
                continue
            for ref in ev.refs:
                key = (s.subject, str(ref))  # one row per (product, ref, comparator)
                if key in seen:
                    continue
                seen.add(key)
                rows.append(
                    Study(
                        s.subject, str(ref), ev.species, ev.model, "locomotor", direction, "control"
                    )
                )
    return rows


def studies_from_statements(kb: HasCurated) -> pd.DataFrame:
    """Outcome studies read from the graph's in vivo outcome statements (one row per reference).

    ``X promotes out:functional-recovery`` (in vivo) is a study of X that improved locomotor
    recovery against its control; ``inhibits`` one that made it worse. Used when the knowledge
    base has no outcome-evidence table of its own.
    """
    import pandas as pd

    rows = [[getattr(r, c) for c in STUDY_COLUMNS] for r in _statement_studies(kb)]
    return pd.DataFrame(rows, columns=list(STUDY_COLUMNS))


def outcome_records(kb: HasCurated) -> StudyTable:
    """The outcome-evidence table as plain records (no pandas): what the design path reads.

    Uses the knowledge base's own study table when it has one (``kb.study_rows()`` or
    ``kb.studies()``, one row per study arm and outcome), else the in vivo outcome statements
    of the graph.
    """
    rows: list[Mapping[str, Any]] = []
    for name in ("study_rows", "studies"):  # the records when the store has them (no pandas)
        getter = getattr(kb, name, None)
        got: Any
        try:
            got = getter() if callable(getter) else None
        except TypeError:
            got = None
        if _is_frame(got):
            got = got.to_dict("records")
        if isinstance(got, list):
            rows = got
            break
    if not rows:
        return StudyTable(_statement_studies(kb))
    return StudyTable(_normalise_rows(rows))


def outcome_studies(kb: HasCurated) -> pd.DataFrame:
    """The outcome-evidence table in :data:`STUDY_COLUMNS` form (plus ``level`` and ``modifiers``).

    The DataFrame view of :func:`outcome_records` (same rows).
    """
    return outcome_records(kb).to_frame()


WHOLE_ANIMAL = {"function", "overall", "tissue_repair"}
REPAIR_AXES = frozenset(vocabulary.REPAIR_AXES)
MODIFIER_COLUMNS = ("preconditioning", "engineering", "cargo", "co_therapy")
BBB_UNITS = frozenset({"bbb", "bbb points", "points"})
_DIRECTION = {1: "improved", 0: "no_difference", -1: "worse"}


def _ids(value: Any) -> frozenset[str]:
    if not isinstance(value, str):
        return frozenset()
    return frozenset(x.strip() for x in value.split(";") if x.strip())


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or _is_na(value)


def _is_na(value: Any) -> bool:
    pd = sys.modules.get("pandas")
    return pd is not None and value is pd.NA


def _number(value: Any) -> float:
    """A number, NaN when missing or not numeric (as ``pd.to_numeric(errors="coerce")``)."""
    if _missing(value):
        return float("nan")
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _normalise_rows(rows: Iterable[Mapping[str, Any]]) -> list[Study]:
    """Study-table rows (``exosci.kb.studies`` columns) as :class:`Study` records; see
    :func:`normalise_studies`."""
    out = []
    for r in rows:
        sci = r.get("sci", True)
        if not (True if _missing(sci) else bool(sci)):
            continue
        d = r["direction"]
        comparator = r.get("comparator", "control")
        axis = r.get("axis", "overall")
        unit = str(r.get("unit", float("nan"))).lower()
        out.append(
            Study(
                product=str(r["product"]),
                ref=str(r["ref"]),
                species=r.get("species", "unspecified"),
                model="in_vivo",
                outcome=r.get("outcome", ""),
                direction="unknown" if _missing(d) else _DIRECTION.get(int(d), "unknown"),
                comparator="control" if _missing(comparator) else str(comparator),
                bbb_difference=_number(r.get("value")) if unit in BBB_UNITS else float("nan"),
                day=float("nan"),
                level=(
                    "outcome"
                    if axis in WHOLE_ANIMAL
                    else "mechanism"
                    if axis in REPAIR_AXES
                    else "other"
                ),
                modifiers=frozenset().union(*(_ids(r.get(c)) for c in MODIFIER_COLUMNS)),
            )
        )
    return out


def normalise_studies(frame: pd.DataFrame) -> pd.DataFrame:
    """The evidence issue's study table (``exosci.kb.studies``) in the form this module uses.

    Keeps SCI arms only. ``level`` is ``outcome`` for whole-animal outcomes (function, overall,
    tissue repair: what the potency is about) and ``mechanism`` for rows on one repair axis;
    delivery and safety rows inform neither. ``direction`` +1/0/-1 becomes improved /
    no_difference / worse; ``modifiers`` holds the arm's preconditioning, engineering, cargo and
    co-therapy ids.
    """
    rows: list[Mapping[str, Any]] = frame.to_dict("records")  # type: ignore[assignment]
    return StudyTable(_normalise_rows(rows)).to_frame()


def _is_native(comparator: Any) -> bool:
    """Whether a study compared against (unmodified) vesicles rather than an untreated group."""
    c = str(comparator).strip().lower()
    if c.startswith(("untreated", "vehicle", "pbs", "saline", "sham", "control", "not stated")):
        return False
    words = ("exosome", "vesicle", "ev", "sev", "exos", "native", "normoxic", "alone", "plain")
    return c.startswith("exo:") or any(w in c.replace("-", " ").split() for w in words)


def _pooled_at(day: float) -> float:
    days = sorted(POOLED_BBB)
    d = min(max(day, days[0]), days[-1])
    for a, b in zip(days, days[1:], strict=False):
        if a <= d <= b:
            w = (d - a) / (b - a)
            return POOLED_BBB[a] * (1 - w) + POOLED_BBB[b] * w
    return POOLED_BBB[days[-1]]


def _vs_control_obs(row: Any) -> tuple[float, float] | None:
    """(log potency, SD) a study against control implies, or None if uninformative."""
    fig = row.bbb_difference
    if isinstance(fig, float) and math.isfinite(fig):
        day = row.day if isinstance(row.day, float) and math.isfinite(row.day) else 28.0
        ratio = max(fig, 0.05 * _pooled_at(day)) / _pooled_at(day)
        return math.log(ratio), S_FIGURE
    d = _norm_direction(row.direction)
    if d == "improved":
        return 0.0, S_DIRECTION
    if d == "no_difference":
        return Y_NO_EFFECT, 0.6
    if d == "worse":
        return Y_WORSE, 0.6
    return None


def _sign(row: Any) -> int:
    d = _norm_direction(row.direction)
    return {"improved": 1, "worse": -1, "no_difference": 0}.get(d, 2)


def _vs_native_numeric(row: Any) -> tuple[float, float] | None:
    """(log potency ratio, SD) of a modified-vs-native study with a BBB difference, or None."""
    fig = row.bbb_difference
    if not (isinstance(fig, float) and math.isfinite(fig)):
        return None
    day = row.day if isinstance(row.day, float) and math.isfinite(row.day) else 28.0
    base = _pooled_at(day)
    return math.log(max(base + fig, 0.05 * base) / base), S_FIGURE


def sign_posterior(tau: float, signs: Sequence[tuple[int, float]]) -> tuple[float, float, float]:
    """N(0, tau^2) conditioned on uncertain signs: (P(effect > 0), mean, SD).

    Each ``(sign, q)`` says the effect is positive (+1) or negative (-1) and is right with
    probability ``q``. The posterior is a two-sided half-normal of scale ``tau`` with mass
    ``w`` above 0, ``w = prod(q or 1-q) / (that + its mirror)``; its mean is
    ``(2w - 1) tau sqrt(2/pi)`` and its second moment ``tau^2``.
    """
    lp, ln = 0.0, 0.0
    for sign, q in signs:
        lp += math.log(q if sign > 0 else 1.0 - q)
        ln += math.log(1.0 - q if sign > 0 else q)
    w = 1.0 / (1.0 + math.exp(ln - lp))
    mean = (2.0 * w - 1.0) * tau * math.sqrt(2.0 / math.pi)
    return w, mean, math.sqrt(max(tau * tau - mean * mean, 0.0))


def _update(mean: float, var: float, obs: Iterable[tuple[float, float]]) -> tuple[float, float]:
    """Normal-normal update of N(mean, var) by independent observations (y, sd)."""
    prec = 1.0 / var
    num = mean / var
    for y, s in obs:
        prec += 1.0 / (s * s)
        num += y / (s * s)
    return num / prec, 1.0 / prec


def _study_record(row: Any, obs: tuple[float, float] | None) -> dict[str, Any]:
    rec = {
        "product": row.product,
        "ref": row.ref,
        "species": row.species,
        "direction": _norm_direction(row.direction),
        "comparator": row.comparator,
    }
    if obs is not None:
        rec["log_potency"] = round(obs[0], 3)
        rec["sd"] = obs[1]
    return rec


def numeric_observation(dev: Any, *, day: float = 28.0) -> tuple[float, float] | None:
    """(log potency, SD) of a product's deviation from the typical design in the numeric
    outcome table, or None when the table says nothing about it.

    ``dev``: :func:`exosci.meta.design_deviation` for the product (BBB points, posterior with a
    N(0, prior_sd^2) prior). Its prior is removed by precision subtraction (the effect layer has
    its own), and the deviation in BBB becomes a potency ratio at ``day`` of the pooled course.
    """
    if not getattr(dev, "informative", False) or dev.sd <= 0:
        return None
    prec = 1.0 / dev.sd**2 - (1.0 / dev.prior_sd**2 if dev.prior_sd > 0 else 0.0)
    if prec <= 1e-9:
        return None
    v = 1.0 / prec
    y = dev.mean / dev.sd**2 * v
    base = _pooled_at(day)
    return math.log(max(base + y, 0.05 * base) / base), math.sqrt(v) / base


@functools.cache
def table_evidence(product: str) -> tuple[float, float] | None:
    """:func:`numeric_observation` from the shipped numeric outcome table (rat BBB rows that
    name this product; validation-only rows never enter), cached per product."""
    try:
        from exosci.meta import design_deviation
    except ImportError:  # pragma: no cover - the meta package ships with exosci
        return None
    return numeric_observation(design_deviation(None, {"product": product}, scale="BBB"))


def product_term(
    studies: StudyTable | pd.DataFrame | Iterable[Any],
    product: str,
    *,
    source: str | None = None,
    name: str = "",
    numeric: tuple[float, float] | None | bool = True,
) -> EffectTerm:
    """The product's log potency: exchangeable prior updated by its own studies vs control.

    ``studies``: a :class:`StudyTable` (:func:`outcome_records`), or anything
    :func:`study_table` accepts (a DataFrame such as :func:`outcome_studies` returns).
    ``numeric``: the product's observation from the numeric outcome table
    (:func:`numeric_observation`); True looks it up in the shipped table, None/False: none.
    """
    msc = source in MSC_TYPE if source else False
    tau = TAU_PRODUCT if msc else TAU_OTHER_SOURCE
    prior_var = tau**2 + SE_POOLED**2
    own = study_table(studies).outcome_rows()
    rows = [r for r, native in own if r.product == product and not native]
    obs, recs = [], []
    for row in rows:
        o = _vs_control_obs(row)
        recs.append(_study_record(row, o))
        if o is not None:
            obs.append(o)
    table_obs = table_evidence(product) if numeric is True else numeric or None
    if table_obs is not None:
        obs.append(table_obs)
        recs.append(
            {
                "product": product,
                "ref": "numeric outcome table (exosci.meta.design_deviation)",
                "kind": "numeric, meta-regression",
                "log_potency": round(table_obs[0], 3),
                "sd": round(table_obs[1], 3),
            }
        )
    mean, var = _update(0.0, prior_var, obs)
    group = (
        f"a source of the kind the pooled studies used, between-design SD {tau:g} on the log "
        "scale (Spine Surg Relat Res 2022, I^2 80 %)"
        if msc
        else f"a source unlike those of the pooled studies, SD {tau:g} (assumption: wider)"
    )
    n_num = sum(1 for r in recs if "log_potency" in r and (r["sd"] == S_FIGURE or "kind" in r))
    reason = (
        f"{len(obs)} outcome stud{'y' if len(obs) == 1 else 'ies'} of this product against "
        f"control ({n_num} with a number"
        + ("; the numeric outcome table's meta-regression among them" if table_obs else "")
        + "); prior centred on the pooled effect (no source is "
        f"assumed better or worse): {group}; its own draw, independent of every other product"
    )
    basis = "prior only" if not obs else "numeric" if n_num else "outcome studies"
    return EffectTerm(
        name or product,
        product,
        "product",
        mean,
        math.sqrt(var),
        tau,
        tuple(recs),
        reason,
        basis=basis,
    )


def modifier_term(
    studies: StudyTable | pd.DataFrame | Iterable[Any],
    modifier: str,
    *,
    label: str = "",
    modified_products: Sequence[str] = (),
    parent: EffectTerm | None = None,
    mechanism_refs: Sequence[str] = (),
    cargo: bool = False,
    natural: bool = False,
    channel: Channel = "lasting",
) -> EffectTerm:
    """One part (``channel``) of a modification's own log effect: N(0, tau_m^2) updated only by
    its own evidence (see the module docstring).

    Evidence: outcome studies of ``modified_products`` and of arms carrying the modification
    (a cargo only where it was loaded); those reporting early recovery inform the ``early``
    part, the others the ``lasting`` part. Against native vesicles: a number sets size and
    direction, a direction sets the sign (reliability :data:`Q_HEAD_TO_HEAD`). Against control:
    only a number counts (parent + modification; the parent's uncertainty is added). Lasting
    part only: up to three in vivo mechanism references (sign, :data:`Q_MECHANISM`).
    ``natural``: the source vesicles carry this cargo already; the term is for the extra
    loading or enrichment the spec names.
    """
    table = study_table(studies)
    products = set() if natural else set(modified_products)
    rows = [
        (r, native)
        for r, native in table.outcome_rows()
        if (r.product in products or modifier in r.modifiers)
        and (not cargo or r.product in products or bool(r.modifiers & LOADING_IDS))
        and is_early(r.outcome) == (channel == "early")
    ]
    p_mean = parent.mean if parent else 0.0
    p_var = parent.sd**2 if parent else TAU_PRODUCT**2
    numeric: list[tuple[float, float]] = []
    signs: list[tuple[int, float]] = []
    recs: list[dict[str, Any]] = []
    h2h = {1: 0, -1: 0, 0: 0}
    for row, native in rows:
        o: tuple[float, float] | None
        if native:
            o = _vs_native_numeric(row)
            sign = _sign(row)
            if o is None and sign in (1, -1):
                signs.append((sign, Q_HEAD_TO_HEAD))
            elif o is None and sign == 0:
                o = (0.0, S_FIGURE)  # "no difference" with no number: estimate near 0
            if sign in h2h:
                h2h[sign] += 1
            rec = _study_record(row, o)
            rec["kind"] = "head-to-head (vs native vesicles)"
        else:
            c = _vs_control_obs(row) if math.isfinite(_number(row.bbb_difference)) else None
            o = None if c is None else (c[0] - p_mean, math.sqrt(c[1] ** 2 + p_var))
            rec = _study_record(row, o)
            rec["kind"] = (
                "vs control, numeric" if o else "vs control: cannot separate the modification"
            )
        recs.append(rec)
        if o is not None:
            numeric.append(o)
    mech: list[str] = []
    if channel == "lasting":
        mechanism_refs = [
            *mechanism_refs,
            *(
                str(r.ref)
                for r in table
                if r.level == "mechanism" and modifier in r.modifiers and r.direction == "improved"
            ),
        ]
        used = {str(r.get("ref")) for r in recs}  # a study counts once
        mech = [r for r in dict.fromkeys(mechanism_refs) if r not in used][:MAX_MECHANISM_REFS]
        recs += [{"ref": r, "kind": "in vivo mechanism (direction only)"} for r in mech]
        if not numeric:
            signs += [(1, Q_MECHANISM)] * len(mech)
    tau = TAU_MODIFIER
    prior = f"prior N(0, {tau:g}^2) on the log effect, centred on no effect"
    part = "early part (how fast function returns; fades)" if channel == "early" else "lasting part"
    natural_note = (
        "the source vesicles carry it naturally, so this term is the extra loading/enrichment "
        "the spec names (the product's own evidence already includes its natural content); "
        if natural
        else ""
    )
    n_h2h = sum(h2h.values())
    h2h_text = (
        f"{n_h2h} head-to-head stud{'y' if n_h2h == 1 else 'ies'} vs native vesicles "
        f"({h2h[1]} better, {h2h[0]} no difference, {h2h[-1]} worse)"
    )
    p_pos: float | None = None
    if numeric:
        mean, var = _update(0.0, tau**2, numeric)
        sd = math.sqrt(var)
        basis = "numeric"
        what = (
            f"{len(numeric)} stud{'y' if len(numeric) == 1 else 'ies'} with a number set size "
            f"and direction (normal update of the {prior}); {h2h_text}"
        )
    elif signs:
        p_pos, mean, sd = sign_posterior(tau, signs)
        basis = "direction only"
        what = (
            f"direction only: {h2h_text} (each right with probability {Q_HEAD_TO_HEAD:g}, "
            f"assumption) and {len(mech)} in vivo mechanism reference(s) (each {Q_MECHANISM:g}, "
            f"assumption) give P(effect > 0) = {p_pos:.2f}; the magnitude is the {prior} "
            f"conditioned on that sign (a half-normal update), not a number from a study"
        )
    else:
        mean, sd = 0.0, tau
        basis = "prior only"
        what = (
            "prior only: no head-to-head study, no numeric outcome and no in vivo mechanism "
            f"evidence for this modification in the knowledge graph; {prior} (it may help, do "
            "nothing or harm), so the median is unchanged and the band widens"
        )
    ctx = len([r for r in recs if str(r.get("kind", "")).startswith("vs control:")])
    if ctx:
        what += (
            f"; {ctx} stud{'y' if ctx == 1 else 'ies'} of the modified product against untreated "
            "controls listed (direction only: they cannot separate the modification from its "
            "parent vesicles)"
        )
    return EffectTerm(
        label or modifier,
        modifier,
        "modifier",
        mean,
        sd,
        tau,
        tuple(recs),
        f"{part}: {natural_note}{what}",
        channel,
        p_pos,
        basis,
    )


def modifier_terms(
    studies: StudyTable | pd.DataFrame | Iterable[Any],
    modifier: str,
    *,
    kind: str = "",
    **kwargs: Any,
) -> list[EffectTerm]:
    """A modification's terms: its lasting part, and for cargo and engineering (or wherever
    early outcome studies exist) an early part with its own draw."""
    table = study_table(studies)
    lasting = modifier_term(table, modifier, channel="lasting", **kwargs)
    early = modifier_term(table, modifier, channel="early", **kwargs)
    if kind in ("cargo", "engineering") or early.basis != "prior only":
        return [lasting, replace(early, name=f"{early.name} (early)")]
    return [lasting]


def combine(terms: Sequence[EffectTerm], notes: Sequence[str] = ()) -> DesignEffect:
    """The design effect: lasting terms add on the log scale (independent draws, variances add).

    An early-channel term does not change the lasting potency: its change over no effect,
    exp(value) - 1, becomes early-only potency (faster return of function when positive,
    slower when negative; it fades by the plateau); ``early_fold`` is that at the medians.
    """
    mean = sum(t.mean for t in terms if t.channel != "early")
    sd = math.sqrt(sum(t.sd**2 for t in terms if t.channel != "early"))
    early = sum(math.expm1(t.quantiles()[1]) for t in terms if t.channel == "early")
    return DesignEffect(mean, sd, tuple(terms), tuple(notes), early)


EARLY_WORDS = ("early", "acute", "short-term", "short term", "day 3", "day 1", "first week")


def is_early(outcome: Any) -> bool:
    text = str(outcome).lower()
    return any(w in text for w in EARLY_WORDS)
