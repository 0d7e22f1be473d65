"""Design -> effect: how large a design's effect is, anchored on the pooled meta-analytic effect.

A random-effects view in three parts (all on the log scale of the design's *potency*, its effect
relative to the typical design of the pooled studies; potency 1 = the pooled effect):

* **product term** ``d_p ~ N(0, tau_p^2)``: a product's true effect scatters around the pooled
  effect with the between-study heterogeneity meta-analyses report (I^2 ~ 70 %); its own
  outcome studies update it (normal-normal shrinkage), so a product with many consistent
  studies gets a narrow distribution near its data and one without any keeps the full width.
  MSC-type and neural-stem-cell sources share one exchangeable prior with no mean difference:
  the 40-study network meta-analysis found no significant difference between BMSC, AD-MSC,
  UC-MSC and NSC exosomes.
* **modifier terms** ``d_m ~ N(0, tau_m^2)`` per preconditioning, engineering, loaded cargo or
  co-therapy: centred on *no effect*, so a modification can help, do nothing or harm; only the
  modification's own evidence (studies of the modified product against control or against the
  native vesicles; in vivo statements about the modification itself) moves it.
* the design's potency is ``exp(d_p + sum d_m)``: the median and the log-SD go to the model
  (:class:`~exosci.model.design.Design` ``potency``/``potency_sd``); each simulated subject draws
  its own potency (``z_effect``), so the band is the uncertainty of the design's mean effect and
  widens where evidence is thin.

The mechanism profile does not enter here: it decides *where* a design acts (axis weights),
never how much. Graph connectivity does not change the magnitude.

Heterogeneity: taken from a meta-analysis that no validation target uses (the rule in the
credibility dossier: validation sources never set a prior). Spine Surg Relat Res 2022;6(5):
433-442 (doi:10.22603/ssrr.2022-0004), single-dose rat SCI experiments: SMD 2.17 (95 % CI
1.30-3.04), I^2 = 80 %, k = 11. SE = 0.44, so k * SE^2 = 2.17 = tau^2 + s^2 and
tau^2 = 0.80 * 2.17 = 1.73: tau = 1.32 SMD units, 0.61 of the pooled effect. As a log-normal
spread of the effect, sqrt(ln(1 + 0.61^2)) = 0.56 (a design's true effect lies within
x0.33-x3.0 of the pooled one, 95 %). The subgroup I^2 of that paper runs 57-89 %, so 0.56 is
a middle value, not a bound.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from exosci import vocabulary

if TYPE_CHECKING:  # pandas costs ~0.25 s to import: only the DataFrame views load it
    import pandas as pd

TAU_PRODUCT = 0.56  # between-design SD of the log effect, MSC-type / NSC sources (see above)
TAU_OTHER_SOURCE = 0.7  # assumption: other cell sources are less exchangeable (wider than MSC-type)
SE_POOLED = 0.12  # log-scale SE of the pooled effect itself (week-4 CI 3.42-5.66 around 4.54)
TAU_MODIFIER = 0.35  # prior SD of a modification's log effect (centred on no effect)
# Pseudo-observations for studies that report a direction only (log potency, SD):
S_DIRECTION = 0.8  # "improved vs control": consistent with the typical effect, weakly informative
Y_NO_EFFECT = math.log(0.3)  # "no significant difference vs control"
Y_WORSE = math.log(0.1)  # "worse than control" (on the potency scale: far below typical)
S_FIGURE = 0.35  # a study's BBB difference with n ~ 6-10 per group
Y_BETTER_THAN_NATIVE = math.log(1.3)  # "modified better than native" (direction only)
S_VS_NATIVE = 0.45
S_MECHANISM = 1.0  # one in vivo mechanistic reference about the modification (weak)
Y_MECHANISM = math.log(1.15)
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
    channel: str = "lasting"  # "early": acts only on how fast function returns (fades)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "channel": self.channel,
            "entity": self.entity,
            "kind": self.kind,
            "log_mean": round(self.mean, 4),
            "log_sd": round(self.sd, 4),
            "prior_log_sd": self.prior_sd,
            "fold_median": round(math.exp(self.mean), 3),
            "fold_90": [
                round(math.exp(self.mean - 1.645 * self.sd), 3),
                round(math.exp(self.mean + 1.645 * self.sd), 3),
            ],
            "studies": list(self.studies),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class DesignEffect:
    """A design's potency relative to the typical design: median, log-SD and its terms."""

    log_mean: float
    log_sd: float
    terms: tuple[EffectTerm, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    early_fold: float = 0.0  # early-only extra potency (fraction of the typical effect)

    @property
    def potency(self) -> float:
        return math.exp(self.log_mean)

    @property
    def early_potency(self) -> float:
        return self.potency * self.early_fold if math.isfinite(self.log_mean) else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": "MODEL: design effect relative to the pooled meta-analytic effect "
            "(random-effects view; potency 1 = the typical design of the pooled rat studies)",
            "potency_median": round(self.potency, 3),
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


def _statement_studies(kb: Any) -> list[Study]:
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


def studies_from_statements(kb: Any) -> pd.DataFrame:
    """Outcome studies read from the graph's in vivo outcome statements (one row per reference).

    ``X promotes out:functional-recovery`` (in vivo) is a study of X that improved locomotor
    recovery against its control; ``inhibits`` one that made it worse. Used when the knowledge
    base has no outcome-evidence table of its own.
    """
    import pandas as pd

    rows = [[getattr(r, c) for c in STUDY_COLUMNS] for r in _statement_studies(kb)]
    return pd.DataFrame(rows, columns=list(STUDY_COLUMNS))


def outcome_records(kb: Any) -> StudyTable:
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


def outcome_studies(kb: Any) -> pd.DataFrame:
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


def _vs_native_obs(row: Any) -> tuple[float, float] | None:
    d = _norm_direction(row.direction)
    if d == "improved":
        return Y_BETTER_THAN_NATIVE, S_VS_NATIVE
    if d == "no_difference":
        return 0.0, S_VS_NATIVE
    if d == "worse":
        return -Y_BETTER_THAN_NATIVE, S_VS_NATIVE
    return None


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


def product_term(
    studies: StudyTable | pd.DataFrame | Iterable[Any],
    product: str,
    *,
    source: str | None = None,
    name: str = "",
) -> EffectTerm:
    """The product's log potency: exchangeable prior updated by its own studies vs control.

    ``studies``: a :class:`StudyTable` (:func:`outcome_records`), or anything
    :func:`study_table` accepts (a DataFrame such as :func:`outcome_studies` returns).
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
    mean, var = _update(0.0, prior_var, obs)
    group = "MSC-type/NSC (exchangeable, no source difference)" if msc else "other source"
    reason = (
        f"{len(obs)} outcome stud{'y' if len(obs) == 1 else 'ies'} of this product; prior: "
        f"{group}, between-design SD {tau:g} on the log scale (I^2 ~ 70 %)"
    )
    return EffectTerm(
        name or product, product, "product", mean, math.sqrt(var), tau, tuple(recs), reason
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
) -> EffectTerm:
    """A modification's own log effect: N(0, tau_m^2) updated only by its own evidence.

    Evidence: studies of ``modified_products`` against native vesicles (direct), against
    control (they inform parent + modifier; the parent's uncertainty is added to theirs) and
    up to three in vivo references about the modification's mechanism (weak, positive).
    """
    obs: list[tuple[float, float]] = []
    recs: list[dict[str, Any]] = []
    table = study_table(studies)
    products = set(modified_products)
    # studies of the modified products, and arms that carry this modification; a cargo counts
    # only where it was loaded (a product that carries the miRNA naturally says nothing about
    # loading it)
    rows = [
        (r, native)
        for r, native in table.outcome_rows()
        if r.product in products
        or (modifier in r.modifiers and (not cargo or bool(r.modifiers & LOADING_IDS)))
    ]
    p_mean = parent.mean if parent else 0.0
    p_var = parent.sd**2 if parent else TAU_PRODUCT**2
    for row, native in rows:
        if native:
            o = _vs_native_obs(row)
        else:
            c = _vs_control_obs(row)
            o = None if c is None else (c[0] - p_mean, math.sqrt(c[1] ** 2 + p_var))
        recs.append(_study_record(row, o))
        if o is not None:
            obs.append(o)
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
    obs += [(Y_MECHANISM, S_MECHANISM)] * len(mech)
    recs += [{"ref": r, "kind": "in vivo mechanism", "sd": S_MECHANISM} for r in mech]
    mean, var = _update(0.0, TAU_MODIFIER**2, obs)
    n_out = len(obs) - len(mech)
    outcomes = [str(r.outcome) for r, _ in rows]
    channel = "early" if outcomes and all(is_early(o) for o in outcomes) else "lasting"
    if not obs:
        reason = (
            "no outcome or in vivo mechanism evidence for this modification in the graph: "
            "prior only (centred on no effect; it may help, do nothing or harm), so the "
            "median is unchanged and the band widens"
        )
    else:
        direction = "raises" if mean > 0.005 else "lowers" if mean < -0.005 else "leaves"
        reason = (
            f"{n_out} outcome stud{'y' if n_out == 1 else 'ies'} and {len(mech)} in vivo "
            f"mechanism reference(s) for this modification: it {direction} the expected "
            f"effect (x{math.exp(mean):.2f}); prior centred on no effect (SD {TAU_MODIFIER:g})"
        )
    if channel == "early":
        reason += "; its outcome studies report early recovery only, so it acts on early recovery"
    return EffectTerm(
        label or modifier,
        modifier,
        "modifier",
        mean,
        math.sqrt(var),
        TAU_MODIFIER,
        tuple(recs),
        reason,
        channel,
    )


def combine(terms: Sequence[EffectTerm], notes: Sequence[str] = ()) -> DesignEffect:
    """Potency = exp(sum of lasting terms); independent terms add their variances.

    An early-channel term (its evidence is about early recovery only) does not change the
    lasting potency: its gain over no effect, exp(mean) - 1 when positive, becomes early-only
    potency (faster return of function that fades by the plateau).
    """
    mean = sum(t.mean for t in terms if t.channel != "early")
    sd = math.sqrt(sum(t.sd**2 for t in terms))
    early = sum(max(0.0, math.exp(t.mean) - 1.0) for t in terms if t.channel == "early")
    return DesignEffect(mean, sd, tuple(terms), tuple(notes), early)


EARLY_WORDS = ("early", "acute", "short-term", "short term", "day 3", "day 1", "first week")


def is_early(outcome: Any) -> bool:
    text = str(outcome).lower()
    return any(w in text for w in EARLY_WORDS)
