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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from exosci import vocabulary

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


def studies_from_statements(kb: Any) -> pd.DataFrame:
    """Outcome studies read from the graph's in vivo outcome statements (one row per reference).

    ``X promotes out:functional-recovery`` (in vivo) is a study of X that improved locomotor
    recovery against its control; ``inhibits`` one that made it worse. Used when the knowledge
    base has no outcome-evidence table of its own.
    """
    rows: list[dict[str, Any]] = []
    for s in kb.curated.statements:
        if s.object != "out:functional-recovery" or s.predicate not in ("promotes", "inhibits"):
            continue
        direction = "improved" if s.predicate == "promotes" else "worse"
        for ev in s.evidence:
            if ev.model != "in_vivo":
                continue
            for ref in ev.refs:
                rows.append(
                    {
                        "product": s.subject,
                        "ref": str(ref),
                        "species": ev.species,
                        "model": ev.model,
                        "outcome": "locomotor",
                        "direction": direction,
                        "comparator": "control",
                        "bbb_difference": float("nan"),
                        "day": float("nan"),
                    }
                )
    frame = pd.DataFrame(rows, columns=list(STUDY_COLUMNS))
    return frame.drop_duplicates(subset=["product", "ref", "comparator"]).reset_index(drop=True)


def outcome_studies(kb: Any) -> pd.DataFrame:
    """The outcome-evidence table in :data:`STUDY_COLUMNS` form (plus ``level`` and ``modifiers``).

    Uses the knowledge base's own study table when it has one (``kb.studies()``, one row per
    study arm and outcome), else the in vivo outcome statements of the graph.
    """
    getter = getattr(kb, "studies", None)
    frame: pd.DataFrame | None = None
    if callable(getter):
        try:
            frame = getter()
        except TypeError:
            frame = None
    if frame is None or not isinstance(frame, pd.DataFrame) or frame.empty:
        out = studies_from_statements(kb)
        out["level"] = "outcome"
        out["modifiers"] = pd.Series([frozenset()] * len(out), index=out.index, dtype=object)
        return out
    return normalise_studies(frame)


WHOLE_ANIMAL = {"function", "overall", "tissue_repair"}
REPAIR_AXES = frozenset(vocabulary.REPAIR_AXES)
MODIFIER_COLUMNS = ("preconditioning", "engineering", "cargo", "co_therapy")


def _ids(value: Any) -> frozenset[str]:
    if not isinstance(value, str):
        return frozenset()
    return frozenset(x.strip() for x in value.split(";") if x.strip())


def normalise_studies(frame: pd.DataFrame) -> pd.DataFrame:
    """The evidence issue's study table (``exosci.kb.studies``) in the form this module uses.

    Keeps SCI arms only. ``level`` is ``outcome`` for whole-animal outcomes (function, overall,
    tissue repair: what the potency is about) and ``mechanism`` for rows on one repair axis;
    delivery and safety rows inform neither. ``direction`` +1/0/-1 becomes improved /
    no_difference / worse; ``modifiers`` holds the arm's preconditioning, engineering, cargo and
    co-therapy ids.
    """
    f = frame.copy()
    if "sci" in f.columns:
        f = f[f["sci"].fillna(True).astype(bool)]
    direction = {1: "improved", 0: "no_difference", -1: "worse"}
    axis = f["axis"] if "axis" in f.columns else pd.Series("overall", index=f.index)
    nan = pd.Series(float("nan"), index=f.index)
    value = pd.to_numeric(f["value"], errors="coerce") if "value" in f.columns else nan
    unit = f["unit"].astype(str).str.lower() if "unit" in f.columns else nan.astype(str)
    bbb = value.where(unit.isin(["bbb", "bbb points", "points"]))
    mods = [
        frozenset().union(*(_ids(row.get(c)) for c in MODIFIER_COLUMNS if c in f.columns))
        for _, row in f.iterrows()
    ]
    out = pd.DataFrame(
        {
            "product": f["product"].astype(str),
            "ref": f["ref"].astype(str),
            "species": f.get("species", "unspecified"),
            "model": "in_vivo",
            "outcome": f.get("outcome", ""),
            "direction": [
                direction.get(int(d), "unknown") if pd.notna(d) else "unknown"
                for d in f["direction"]
            ],
            "comparator": (
                f["comparator"].fillna("control").astype(str)
                if "comparator" in f.columns
                else pd.Series("control", index=f.index)
            ),
            "bbb_difference": bbb,
            "day": float("nan"),
            "level": [
                "outcome" if a in WHOLE_ANIMAL else "mechanism" if a in REPAIR_AXES else "other"
                for a in axis
            ],
            "modifiers": mods,
        }
    )
    return out.reset_index(drop=True)


def _is_native(comparator: Any) -> bool:
    """Whether a study compared against (unmodified) vesicles rather than an untreated group."""
    c = str(comparator).strip().lower()
    if c.startswith(("untreated", "vehicle", "pbs", "saline", "sham", "control", "not stated")):
        return False
    words = ("exosome", "vesicle", "ev", "sev", "exos", "native", "normoxic", "alone", "plain")
    return c.startswith("exo:") or any(w in c.replace("-", " ").split() for w in words)


def _outcome_rows(studies: pd.DataFrame) -> pd.DataFrame:
    """One row per study (product, ref, comparator kind): whole-animal outcomes only."""
    f = studies[studies["level"] == "outcome"] if "level" in studies.columns else studies
    f = f.assign(native=f["comparator"].map(_is_native))
    return f.drop_duplicates(subset=["product", "ref", "native"])


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
    studies: pd.DataFrame, product: str, *, source: str | None = None, name: str = ""
) -> EffectTerm:
    """The product's log potency: exchangeable prior updated by its own studies vs control."""
    msc = source in MSC_TYPE if source else False
    tau = TAU_PRODUCT if msc else TAU_OTHER_SOURCE
    prior_var = tau**2 + SE_POOLED**2
    own = _outcome_rows(studies)
    rows = own[(own["product"] == product) & ~own["native"]]
    obs, recs = [], []
    for row in rows.itertuples(index=False):
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
    studies: pd.DataFrame,
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
    outcome = _outcome_rows(studies)
    mine = outcome["product"].isin(list(modified_products))
    if "modifiers" in outcome.columns:
        # arms that carry this modification; a cargo counts only where it was loaded (a
        # product that carries the miRNA naturally says nothing about loading it)
        has = outcome["modifiers"].map(
            lambda m: modifier in m and (not cargo or bool(m & LOADING_IDS))
        )
        mine = mine | has
    rows = outcome[mine]
    p_mean = parent.mean if parent else 0.0
    p_var = parent.sd**2 if parent else TAU_PRODUCT**2
    for row in rows.itertuples(index=False):
        if _is_native(row.comparator):
            o = _vs_native_obs(row)
        else:
            c = _vs_control_obs(row)
            o = None if c is None else (c[0] - p_mean, math.sqrt(c[1] ** 2 + p_var))
        recs.append(_study_record(row, o))
        if o is not None:
            obs.append(o)
    if "modifiers" in studies.columns:
        mrows = studies[
            (studies["level"] == "mechanism")
            & studies["modifiers"].map(lambda m: modifier in m)
            & (studies["direction"] == "improved")
        ]
        mechanism_refs = [*mechanism_refs, *mrows["ref"].astype(str)]
    used = {str(r.get("ref")) for r in recs}  # a study counts once
    mech = [r for r in dict.fromkeys(mechanism_refs) if r not in used][:MAX_MECHANISM_REFS]
    obs += [(Y_MECHANISM, S_MECHANISM)] * len(mech)
    recs += [{"ref": r, "kind": "in vivo mechanism", "sd": S_MECHANISM} for r in mech]
    mean, var = _update(0.0, TAU_MODIFIER**2, obs)
    n_out = len(obs) - len(mech)
    outcomes = [str(o) for o in rows["outcome"]] if "outcome" in rows.columns else []
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
