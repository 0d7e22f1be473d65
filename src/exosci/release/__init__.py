"""release: kinetic-model fits of exosome release from carriers, f1/f2, and spec release blocks."""

from __future__ import annotations

from exosci.release.fit import ModelFit, ReleaseFit, fit_release, interpret_kp_exponent
from exosci.release.models import MODELS, Param, ReleaseModel, get_model
from exosci.release.plot import plot_fits
from exosci.release.profile import ReleaseProfile, parse_profile, profile_from_frame, read_profile
from exosci.release.similarity import Similarity, f1_f2, similarity
from exosci.release.spec import carrier_block, carrier_yaml, release_fraction

fit = fit_release  # the notebook name: ``ex.release.fit(df)``

__all__ = [
    "MODELS",
    "ModelFit",
    "Param",
    "ReleaseFit",
    "ReleaseModel",
    "ReleaseProfile",
    "Similarity",
    "carrier_block",
    "carrier_yaml",
    "f1_f2",
    "fit",
    "fit_release",
    "get_model",
    "interpret_kp_exponent",
    "parse_profile",
    "plot_fits",
    "profile_from_frame",
    "read_profile",
    "release_fraction",
    "similarity",
]
