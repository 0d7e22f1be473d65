from __future__ import annotations

import pytest


@pytest.fixture
def true_params() -> dict[str, dict[str, float]]:
    """Known parameters per registered model (time in days), each curve well resolved on 0-14 d."""
    return {
        "zero_order": {"k0": 6.0},
        "first_order": {"k1": 0.3},
        "higuchi": {"kH": 25.0},
        "korsmeyer_peppas": {"kKP": 15.0, "n": 0.6},
        "hixson_crowell": {"kHC": 0.05},
        "hopfenberg": {"kHB": 0.04, "n": 2.0},
        "baker_lonsdale": {"kBL": 0.02},
        "peppas_sahlin": {"k1": 25.0, "k2": -2.0, "m": 0.5},
        "weibull": {"tau": 5.0, "beta": 0.8},
        "makoid_banakar": {"kMB": 20.0, "n": 0.7, "k": 0.05},
        "gompertz": {"alpha": 2.0, "beta": 0.8},
        "logistic": {"alpha": -1.5, "beta": 1.5},
    }
