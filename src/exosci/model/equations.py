"""The model's equations, written once as formula strings.

The same strings drive the vectorised numpy right-hand side (compiled below), the scipy
reference integrator and the SBML export, so the three cannot drift apart. Formulas use only
``+ - * /``, parentheses and ``pow``/``exp`` so they parse both as Python and as SBML L3 infix.

Units: time in days; vesicle amounts in ug protein (per animal); inflammatory cells and
cytokines normalised to the untreated peak (~1); barrier integrity, vessels, surviving at-risk
tissue, scar, regrown axons and function are fractions (0-1).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from exosci.model.design import (
    AXES,
    CARRIER_LOGIT_SD,
    SUBJECT_KEY,
    Design,
    effect_draws,
    term_normals,
)
from exosci.model.parameters import FloatArray


@dataclass(frozen=True)
class State:
    """A state and its rate. ``decay``, when set, names the state's constant first-order loss:
    the rate is ``(terms free of this state) - decay * name`` with ``decay`` built from
    parameters only. The compiled engine's Rosenbrock-W method treats these losses implicitly
    (they are its ``W`` matrix), which removes the stiffness fast clearances would impose on an
    explicit method; the other consumers read ``rate`` alone. ``tests/model`` checks each
    declaration against the rate.
    """

    name: str
    unit: str
    description: str
    rate: str
    decay: str = ""


# Linear, constant-coefficient delivery compartments, fed only by the dosing inputs (the
# compiled engine solves them in closed form). Vesicles placed in the lesion (El) are one of
# them: their clearance does not depend on the lesion; those arriving from the blood (Es) are
# not, because barrier leakage (kx) does.
PK_STATES: tuple[State, ...] = (
    State(
        "P",
        "ug",
        "sEVs in plasma (central)",
        "-(k12 + k10) * P + k21 * Pp + k_nasal_plasma * Nz + k_csf_out * Cs + u_P",
    ),
    State("Pp", "ug", "sEVs in the peripheral (distribution) compartment", "k12 * P - k21 * Pp"),
    State(
        "Nz",
        "ug",
        "sEVs in the nasal mucosa",
        "-(k_nasal_clear + k_nasal_cns + k_nasal_plasma) * Nz + u_N",
    ),
    State("Cs", "ug", "sEVs in CSF", "k_nasal_cns * Nz - (k_csf_les + k_csf_out) * Cs + u_C"),
    State(
        "El",
        "ug",
        "free sEVs placed in the lesion (local implantation or a depot's release)",
        "u_les - (k_uptake + k_wash_les) * El",
    ),
)

# Lesion pathophysiology and the vesicles' action there (nonlinear; the engine integrates it
# with error control, reading the delivery block's closed form).
LESION_STATES: tuple[State, ...] = (
    State(
        "Dm", "1", "primary damage signal (DAMPs), = severity at injury", "-k_damp * Dm", "k_damp"
    ),
    State(
        "Ne",
        "1",
        "neutrophils (normalised)",
        "k_ne_rec * Dm * (1 - e_inf) - k_ne_clear * Ne",
        "k_ne_clear",
    ),
    State(
        "C",
        "1",
        "pro-inflammatory cytokines TNF/IL-1b/IL-6 (normalised)",
        "k_cyt_prod * (Dm + w_cyt_m1 * M1) * (1 - e_inf) - k_cyt_deg * C",
        "k_cyt_deg",
    ),
    State(
        "M",
        "1",
        "macrophages/microglia in the lesion (normalised)",
        "k_mac_rec * (Ne + C) - k_mac_clear * M",
        "k_mac_clear",
    ),
    State(
        "Q",
        "1",
        "pro-repair (M2-like) fraction of lesion macrophages: the lasting polarization state",
        "k_m1_m2 * (1 + g_switch * e_inf) * (1 - Q) - k_m2_m1 * Q",
    ),
    State(
        "B",
        "1",
        "blood-spinal cord barrier integrity (1 intact)",
        "k_bscb_repair * (1 + g_angio * e_ang) * V * (1 - B)"
        " - k_bscb_damage * (Dm + w_bscb_cyt * C) * B",
    ),
    State(
        "V",
        "1",
        "perfused vessels (1 uninjured)",
        "k_angio * (1 + g_angio * e_ang) * (1 + w_angio_m2 * M2) * (1 - V)"
        " - k_vessel_damage * Dm * V",
    ),
    State("N", "1", "surviving at-risk neural tissue", "-(apo + fer) * N"),
    State("La", "1", "tissue lost by apoptosis (cumulative)", "apo * N"),
    State("Lf", "1", "tissue lost by ferroptosis (cumulative)", "fer * N"),
    State(
        "Sc",
        "1",
        "glial scar / CSPG (fraction of its maximal density; persists for months)",
        "k_scar * (M1 + C) * (1 - e_ecm) * (1 - Sc) - k_scar_deg * (1 + g_ecm * e_ecm) * Sc",
    ),
    State(
        "R",
        "1",
        "sprouted/regrown axons (fraction of the pool that can sprout)",
        "k_axon * (1 + g_axon * e_ax) * M2 * N * (1 - R) / (1 + scar_inhibition * Sc)",
    ),
    State(
        "F",
        "1",
        "functional tissue in use (lags available tissue: spinal shock, oedema, plasticity)",
        "k_plast * (1 + e_early) * (T - F)",
    ),
    State(
        "Es",
        "ug",
        "free sEVs that reached the lesion from blood or CSF",
        "kx * P + k_csf_les * Cs - (k_uptake + k_wash_les) * Es",
        "k_uptake + k_wash_les",
    ),
    State(
        "I",
        "ug",
        "intracellular cargo activity in the lesion",
        "k_uptake * Ex - k_cargo * I",
        "k_cargo",
    ),
    State("AUC", "ug*day", "lesion exposure, integral of Ex + I", "Ex + I"),
)

STATES = PK_STATES + LESION_STATES

# Intermediate quantities, in evaluation order (SBML assignment rules).
INTERMEDIATES: tuple[tuple[str, str], ...] = (
    ("Ex", "Es + El"),  # free sEVs in the lesion: arrived from the circulation + placed there
    ("Xh", "pow(I * I, hill_x2)"),  # I^h, written so a roundoff-negative I cannot give NaN
    ("X", "Xh / (Xh + ec50_h)"),
    ("A", "g_eff * eff * X"),
    ("e_np", "emax_d * (1 - exp(-w_neuroprotection * A))"),
    ("e_ax", "emax_d * (1 - exp(-w_axon_regeneration * A))"),
    ("e_inf", "emax_d * (1 - exp(-w_inflammation * A))"),
    ("e_ang", "emax_d * (1 - exp(-w_angiogenesis_bscb * A))"),
    ("e_ecm", "emax_d * (1 - exp(-w_ecm * A))"),
    ("e_early", "s_early * e_cap * (1 - exp(-g_eff * eff_early * X))"),
    ("M1", "M * (1 - Q)"),
    ("M2", "M * Q"),
    ("kx", "k_cross * home * (1 + leak_gain * (1 - B))"),
    ("apo", "k_apoptosis * (C + w_m1 * M1 + w_ischemia * (1 - V)) * (1 - e_np)"),
    ("fer", "k_ferroptosis * (1 - B) * (1 - e_np)"),
    ("T", "spare * (N + w_axon * R * (1 - N))"),
    ("Fu", "F * (1 - w_block * Ne / (1 + Ne))"),
    ("score", "smax * pow(Fu, hill) / (pow(Fu, hill) + pow(f50, hill))"),
)
OUTPUT_ONLY = frozenset({"Fu", "score"})  # not needed by the right-hand side
INPUTS = ("u_P", "u_N", "u_C", "u_les")  # dosing input rates, ug/day (set by the solver)

_OUTPUT_PARAMS = frozenset({"smax", "hill", "f50", "w_block"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FUNCS = {"pow", "exp"}


def symbols(expr: str) -> set[str]:
    return set(_NAME.findall(expr)) - _FUNCS


def parameter_names() -> list[str]:
    """Every symbol the formulas need that is neither a state, an intermediate nor an input."""
    defined = {s.name for s in STATES} | {n for n, _ in INTERMEDIATES} | set(INPUTS)
    used: set[str] = set()
    for s in STATES:
        used |= symbols(s.rate)
    for _, e in INTERMEDIATES:
        used |= symbols(e)
    return sorted(used - defined)


def derive(params: dict[str, Any], design: Design) -> dict[str, Any]:
    """Model-level constants from table parameters and the design (arrays broadcast).

    Besides unit conversions this is where the design enters: route-independent potency
    (``eff``: the design's effect relative to the typical design, drawn per subject from its
    evidence-based terms, each term with its own draw; ``eff_early``: the early-only part),
    axis weights (where the design acts; they average 1 over the
    five axes, so the profile moves effects between axes but cannot inflate them), lesion
    retention by a carrier (local depots only: slower washout of the vesicles it holds), severity and the animal's own
    functional threshold (between-animal random effect).
    """
    p = dict(params)
    ln2 = np.log(2.0)
    scale = (
        (0.25 / 0.025) ** (-np.asarray(p["allometric_exponent"]))
        if design.species == "rat"
        else 1.0
    )
    alpha = ln2 / (np.asarray(p["t_half_alpha"]) / 1440.0) * scale
    beta = ln2 / (np.asarray(p["t_half_beta"]) / 1440.0) * scale
    a = np.asarray(p["frac_alpha"])
    k21 = a * beta + (1 - a) * alpha
    k10 = alpha * beta / k21
    p.update(k21=k21, k10=k10, k12=alpha + beta - k21 - k10)
    zero = 0.0 * np.asarray(p["k_cross"])
    home = p["targeting_homing"] if design.targeted else 1.0 + zero
    p["home"] = home
    p["k_csf_les"] = np.asarray(p["k_csf_lesion"]) * home
    p["k_cargo"] = ln2 / np.asarray(p["t_half_cargo"])
    p["k_m2_m1"] = ln2 / np.asarray(p["t_half_polarization"])
    # timing within the acute window: the pooled data do not say whether 1 h beats 24 h, so an
    # explicit wide-prior log ratio (24 h / 1 h) scales the activity gain, linear in the hours
    # of the first day (what a later dose misses accrues as the first day's surge passes),
    # centred on its middle and held before 1 h and after 24 h
    first_h = 24.0 * min(design.dose_times_days, default=1.0 / 24.0)
    s = float(np.clip((first_h - 12.5) / 23.0, -0.5, 0.5))
    p["g_eff"] = np.asarray(p["g_eff"]) * np.exp(np.asarray(p["timing_window"]) * s)
    mouse = design.species == "mouse"
    p["ec50_eff"] = np.asarray(p["ec50"]) * (np.asarray(p["mouse_lesion_scale"]) if mouse else 1.0)
    # Hill-type exposure response X = I^h / (I^h + ec50^h): h < 1 spreads it over decades
    h = np.asarray(p["exposure_hill"])
    p["hill_x2"] = h / 2.0
    p["ec50_h"] = np.asarray(p["ec50_eff"]) ** h
    animal = np.exp(np.asarray(p.get("animal_sd", 0.0)) * np.asarray(p.get("animal_z", 0.0)))
    p["f50"] = np.asarray(p["f50_mouse"] if mouse else p["f50_rat"]) * animal
    p["smax"] = design.score_max
    p["spare"] = np.clip(1.0 - np.asarray(p["primary_loss"]) * design.severity, 0.02, 1.0)
    depot = design.release is not None and design.route == "local"
    if (design.effect or (depot and design.carrier)) and SUBJECT_KEY not in p:
        raise ValueError(
            f"derive: the parameters lack {SUBJECT_KEY!r}, the per-subject key of the design's "
            "effect and carrier draws; without it every term would sit at its median (no band)"
        )
    subject = np.asarray(p.get(SUBJECT_KEY, 0.0), float) + zero
    retention = np.asarray(p["carrier_retention"]) if depot else zero
    if depot and design.carrier:  # this carrier's own deviation from the shared retention
        r = np.clip(retention, 1e-9, 1.0 - 1e-9)
        z = term_normals(subject, f"carrier:{design.carrier}")
        retention = 1.0 / (1.0 + (1.0 - r) / r * np.exp(-CARRIER_LOGIT_SD * z))
    p["k_wash_les"] = np.asarray(p["k_wash"]) * (1.0 - retention)
    # the design's effect: each term (product, each modification) with its own per-subject
    # draw keyed by the term's entity, so different products never share a deviation
    lasting, early = effect_draws(design.effect, subject, design.potency)
    p["eff"] = lasting + zero
    # the design's ceiling: e_cap for the typical design (eff = 1), lower for weaker products,
    # below 1 for any, 0 without vesicles - potency scales how far a saturating dose can go too
    p["emax_d"] = 1.0 - (1.0 - np.asarray(p["e_cap"])) ** p["eff"]
    # an early-channel term speeds (or, negative, slows) the return of function from the
    # tissue that survived without adding or removing tissue, so its effect fades; the two
    # signs mirror each other (|e_early| <= e_cap < 1, so function never runs backwards)
    early = np.asarray(early + zero, float)
    p["eff_early"] = np.abs(early)
    p["s_early"] = np.where(early < 0.0, -1.0, 1.0)
    floor = np.asarray(p["profile_floor"])
    raw = {
        axis: floor
        + np.clip(np.asarray(p.get(f"score_{axis}", design.axis_scores.get(axis, 0.0))), 0, 1)
        for axis in AXES
    }
    mean = sum(raw.values()) / len(AXES)
    for axis in AXES:
        p[f"w_{axis}"] = raw[axis] / mean
    return p


def initial_state(params: dict[str, Any], design: Design, n: int) -> dict[str, FloatArray]:
    """Initial values at the moment of injury (t = 0), one array of length ``n`` per state."""
    s = design.severity
    y0 = {st.name: np.zeros(n) for st in STATES}
    y0["Dm"] = np.full(n, s)
    y0["B"] = np.clip(1.0 - np.asarray(params["bscb_primary"]) * s, 0.02, 1.0) * np.ones(n)
    y0["V"] = np.clip(1.0 - np.asarray(params["vessel_primary"]) * s, 0.02, 1.0) * np.ones(n)
    y0["N"] = np.ones(n)
    return y0


def _compile(name: str, states: tuple[State, ...], args: str, pre: list[str]) -> Callable[..., Any]:
    lines = [f"def {name}({args}):"]
    lines += [f"    {s.name} = y[{i}]" for i, s in enumerate(states)]
    lines += [f"    {line}" for line in pre]
    lines += [f"    {n} = p[{n!r}]" for n in parameter_names() if n not in _OUTPUT_PARAMS]
    lines += [f"    {n} = {e}" for n, e in INTERMEDIATES if n not in OUTPUT_ONLY]
    lines += ["    out = np.empty_like(y)"]
    lines += [f"    out[{i}] = {s.rate}" for i, s in enumerate(states)]
    lines += ["    return out"]
    namespace: dict[str, Any] = {"np": np, "pow": np.power, "exp": np.exp}
    exec("\n".join(lines), namespace)  # code generated from our own formula table
    return namespace[name]  # type: ignore[no-any-return]


# The full system for reference integrators: y holds STATES, u the four input rates.
full_rhs = _compile(
    "full_rhs",
    STATES,
    "y, p, u",
    ["u_P = u[0]", "u_N = u[1]", "u_C = u[2]", "u_les = u[3]"],
)


def outputs(y: dict[str, FloatArray], params: dict[str, Any]) -> dict[str, FloatArray]:
    """Intermediate quantities (exposure, score ...) from recorded states."""
    ns: dict[str, Any] = {"np": np, "pow": np.power, "exp": np.exp}
    ns.update({n: params[n] for n in parameter_names()})
    ns.update(y)
    for n, e in INTERMEDIATES:
        ns[n] = eval(e, ns)  # formula table, not user input
    return {n: np.asarray(ns[n]) for n, _ in INTERMEDIATES}
