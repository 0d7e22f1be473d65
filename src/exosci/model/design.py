"""What the model needs to know about a therapy: numbers only, no knowledge-graph objects."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

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
        The design's effect relative to the typical design of the pooled studies (1 = the
        pooled meta-analytic effect; 0 = no vesicle cargo, e.g. a cell-free carrier), the
        median of its evidence-based distribution (:mod:`exosci.model.effect`).
    potency_sd
        Log-scale SD of that distribution: wider where the design's own evidence is thin.
    early_potency
        Extra potency acting only on how fast function returns from the tissue that survived
        (spinal shock, oedema), not on how much survives: an early advantage that fades as
        both arms reach their plateau (0 = none).
    targeted
        Lesion-homing surface engineering (RVG/RGD/CAQK display).
    """

    species: ModelSpecies = "rat"
    severity: float = 1.0
    route: Route = "intravenous"
    dose_ug: float = 0.0
    dose_times_days: tuple[float, ...] = (1.0 / 24,)
    release: Release | None = None
    axis_scores: dict[str, float] = field(default_factory=lambda: dict.fromkeys(AXES, 0.5))
    targeted: bool = False
    potency: float = 1.0
    potency_sd: float = 0.0
    early_potency: float = 0.0
    horizon_days: int = 42
    label: str = ""

    @property
    def score_name(self) -> str:
        return SCORE[self.species][0]

    @property
    def score_max(self) -> float:
        return SCORE[self.species][1]

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
