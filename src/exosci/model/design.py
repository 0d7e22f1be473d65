"""What the model needs to know about a therapy: numbers only, no knowledge-graph objects."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

AXES: tuple[str, ...] = (
    "neuroprotection",
    "axon_regeneration",
    "inflammation",
    "angiogenesis_bscb",
    "ecm",
)
Route = Literal["intravenous", "intranasal", "intrathecal", "local"]
ROUTES: tuple[str, ...] = ("intravenous", "intranasal", "intrathecal", "local")
ModelSpecies = Literal["rat", "mouse"]
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
        Evidence score in [0, 1] per repair axis (the mechanism profile).
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


def reference_design(*, species: ModelSpecies = "rat") -> Design:
    """The calibration reference: BMSC sEVs, 200 ug IV at 1 h, average evidence (0.5 per axis)."""
    return Design(species=species, dose_ug=200.0, label="reference IV sEV (calibration)")
