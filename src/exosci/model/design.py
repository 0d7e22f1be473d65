"""What the model needs to know about a therapy: numbers only, no knowledge-graph objects."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

# Re-exported from the one vocabulary module (``exosci.vocabulary``).
from exosci.vocabulary import REPAIR_AXES as AXES
from exosci.vocabulary import ROUTES as ROUTES
from exosci.vocabulary import ModelSpecies as ModelSpecies
from exosci.vocabulary import Route as Route

SCORE = {"rat": ("BBB", 21.0), "mouse": ("BMS", 9.0)}
STEPS_PER_DAY = 24  # the solver's fixed step is one hour; dose times snap to whole hours


@dataclass(frozen=True)
class Release:
    """Cumulative release of a carrier: ``retained`` x model curve, the rest as an initial burst."""

    model: str
    params: dict[str, float]
    retained: float = 1.0
    source: str = ""
    fitted: bool = False  # a user's fitted curve (evaluated by exosci.release) or a default


Channel = Literal["lasting", "early"]
SUBJECT_KEY = "z_effect"  # the per-subject parameter the design-effect draws are keyed on
# Between-carrier spread of lesion retention, logit scale: hydrogels retain 86-98 % of their
# vesicles (Int J Mol Sci 2021;22:6203, doi:10.3390/ijms22126203): logit 1.8-3.9 read as the
# middle +-2 SD, so SD ~0.5. Each carrier deviates from the shared retention by its own draw.
CARRIER_LOGIT_SD = 0.5
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class EffectDraw:
    """One term of a design's log potency as the model samples it (numbers only).

    ``key`` names the term's own standard-normal draw (the entity id of a product or
    modification): two designs that share a term share its draw for the same virtual subject,
    different terms never do. The term's value for a subject with draw ``z`` is
    ``mean + sd * z`` (``p_positive`` None), or, for a term known only by the *direction* of
    its evidence, a two-sided half-normal of scale ``sd`` with mass ``p_positive`` above 0
    (the prior N(0, sd^2) conditioned on an uncertain sign; ``mean`` is then its mean).
    ``channel``: ``lasting`` (how much tissue and function the vesicles save) or ``early``
    (how fast function returns: an advantage that fades by the plateau).
    """

    key: str
    mean: float
    sd: float
    channel: Channel = "lasting"
    p_positive: float | None = None

    @property
    def std(self) -> float:
        """The term's standard deviation (for a sign-split term: of the half-normal mixture)."""
        if self.p_positive is None:
            return self.sd
        return float(np.sqrt(max(self.sd**2 - self.mean**2, 0.0)))

    def values(self, z: np.ndarray) -> np.ndarray:
        """The term's log value for standard-normal draws ``z`` (its quantile at Phi(z))."""
        z = np.asarray(z, float)
        if self.p_positive is None:
            return self.mean + self.sd * z
        from scipy.special import ndtr, ndtri

        u = ndtr(z)
        w = self.p_positive
        neg = u < 1.0 - w
        lo = np.where(neg, u / max(2.0 * (1.0 - w), 1e-300), 0.5)
        hi = np.where(neg, 0.5, 0.5 + (u - (1.0 - w)) / max(2.0 * w, 1e-300))
        q = np.where(neg, ndtri(np.clip(lo, 1e-300, 0.5)), ndtri(np.clip(hi, 0.5, 1 - 1e-16)))
        return np.asarray(self.sd * q, float)


def _entity_hash(key: str) -> np.uint64:
    return np.uint64(int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big"))


def term_normals(subject: np.ndarray, key: str) -> np.ndarray:
    """Standard-normal draws of term ``key``, one per subject, fixed by the subject's key.

    ``subject``: the per-subject draw :data:`SUBJECT_KEY` of the parameter ensemble (itself
    fixed by the ensemble's seed). Its bits and a hash of ``key`` go through the splitmix64
    finaliser to a uniform and then to a normal: deterministic per (seed, subject, term),
    independent between terms, identical for one term across designs (so paired comparisons
    share it). A subject key of exactly 0 (the nominal, deterministic run) gives 0: every
    term at its median.
    """
    s = np.ascontiguousarray(np.asarray(subject, dtype=np.float64))
    with np.errstate(over="ignore"):
        x = s.view(np.uint64) ^ _entity_hash(key)
        x = x + _GOLDEN
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    from scipy.special import ndtri

    u = ((x >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53
    return np.where(s == 0.0, 0.0, ndtri(u))


def effect_draws(
    draws: tuple[EffectDraw, ...], subject: np.ndarray, potency: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Per-subject lasting potency and signed early-only potency of a design's terms.

    Lasting potency = ``potency * exp(sum of lasting terms)``; early potency = lasting potency
    x the sum over early terms of ``exp(value) - 1``: positive speeds the return of function,
    negative slows it (the model mirrors the two: :func:`exosci.model.equations.derive`).
    """
    subject = np.asarray(subject, float)
    log_l = np.zeros_like(subject)
    early = np.zeros_like(subject)
    for d in draws:
        v = d.values(term_normals(subject, d.key))
        if d.channel == "early":
            early = early + np.expm1(v)
        else:
            log_l = log_l + v
    lasting = potency * np.exp(log_l)
    return lasting, lasting * early


@dataclass(frozen=True)
class Design:
    """A therapy as the model sees it.

    Parameters
    ----------
    species
        ``rat`` (BBB 0-21) or ``mouse`` (BMS 0-9).
    severity
        Injury severity factor: mild 0.6, moderate 1.0, severe 1.4.
    route
        Entry compartment: plasma, nose, CSF or the lesion itself.
    dose_ug
        Exosome dose per administration, ug protein (0 = vehicle / cell-free control).
    dose_times_days
        Administration times after injury, days (snapped to the solver's 1-h grid).
    release
        Carrier release curve, or None for a bolus.
    axis_scores
        Evidence score in [0, 1] per repair axis (the mechanism profile): decides *where*
        the vesicles act (relative axis weights), not how much.
    potency
        A fixed factor on the design's effect relative to the typical design of the pooled
        studies (1 = the pooled meta-analytic effect; 0 = no vesicle cargo, e.g. a cell-free
        carrier). The evidence-based part is in ``effect``.
    effect
        The terms of the design's log potency (product, each modification), each with its
        own per-subject draw (:class:`EffectDraw`, :mod:`exosci.model.effect`): the
        uncertainty of the design's mean effect, wider where its own evidence is thin. A term
        on the ``early`` channel acts only on how fast function returns from the tissue that
        survived (spinal shock, oedema), not on how much survives: an advantage that fades as
        both arms reach their plateau.
    targeted
        Lesion-homing surface engineering (RVG/RGD/CAQK display).
    carrier
        The carrier's entity id (or name): the key of its own retention deviation, so two
        carriers never share one retention draw in a paired comparison.
    """

    species: ModelSpecies = "rat"
    severity: float = 1.0
    route: Route = "intravenous"
    dose_ug: float = 0.0
    dose_times_days: tuple[float, ...] = (1.0 / 24,)
    release: Release | None = None
    axis_scores: dict[str, float] = field(default_factory=lambda: dict.fromkeys(AXES, 0.5))
    targeted: bool = False
    carrier: str = ""
    potency: float = 1.0
    effect: tuple[EffectDraw, ...] = ()
    horizon_days: int = 42
    label: str = ""

    @property
    def score_name(self) -> str:
        return SCORE[self.species][0]

    @property
    def score_max(self) -> float:
        return SCORE[self.species][1]

    @property
    def log_sd(self) -> float:
        """Total log-scale SD of the design's lasting potency (independent terms)."""
        return float(np.sqrt(sum(d.std**2 for d in self.effect if d.channel == "lasting")))

    def control(self) -> Design:
        """The untreated (vehicle) control of this design: same injury, no vesicles."""
        return replace(self, dose_ug=0.0, label=f"control for {self.label}".strip())

    def dose_steps(self) -> list[int]:
        return [round(t * STEPS_PER_DAY) for t in self.dose_times_days]


TYPICAL_DOSE_UG = 150.0  # middle of the 100-200 ug protein of the pooled studies
TYPICAL_START_H = 2.0  # within the 30 min-24 h of the pooled studies


def reference_design(*, species: ModelSpecies = "rat") -> Design:
    """The typical design of the pooled studies: MSC-type sEVs, one IV dose of 150 ug at 2 h.

    Potency 1 and equal axis weights: it carries the pooled meta-analytic effect (network
    meta-analysis of 40 rat studies, Cytotherapy 2024;26:1-10) by construction of the
    calibration; study characteristics from Yi & Wang, Open Med 2021 (doi:10.1515/med-2021-0304)
    and Hu et al., Front Bioeng Biotechnol 2022 (doi:10.3389/fbioe.2021.819651).
    """
    return Design(
        species=species,
        dose_ug=TYPICAL_DOSE_UG,
        dose_times_days=(TYPICAL_START_H / 24.0,),
        label="typical design (IV MSC-type sEVs, 150 ug at 2 h)",
    )
