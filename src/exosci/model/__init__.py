"""The executable SCI therapy model: delivery + lesion ODEs, ensembles, SBML, sensitivity."""

from __future__ import annotations

from exosci.model.design import AXES, Design, Release, reference_design
from exosci.model.parameters import ParameterTable, default_parameters
from exosci.model.simulate import OUTPUTS, SimulationResult, ensemble, simulate
from exosci.model.solver import Trajectory, integrate

__all__ = [
    "AXES",
    "OUTPUTS",
    "Design",
    "ParameterTable",
    "Release",
    "SimulationResult",
    "Trajectory",
    "default_parameters",
    "ensemble",
    "integrate",
    "reference_design",
    "simulate",
]
