"""Shared data for the meta tests: the 13 BCG vaccine trials (Colditz et al., JAMA 1994;271:698).

The 2×2 counts are metafor's ``dat.bcg`` as documented in the metadat package
(https://search.r-project.org/CRAN/refmans/metadat/html/dat.bcg.html) and printed in metafor's
README (github.com/wviechtb/metafor); ``tpos/tneg`` are TB cases/non-cases among the vaccinated,
``cpos/cneg`` among controls, ``ablat`` the absolute latitude, ``alloc`` the allocation.
"""

from __future__ import annotations

import pandas as pd
import pytest

BCG = [
    ("Aronson 1948", 4, 119, 11, 128, 44, "random"),
    ("Ferguson & Simes 1949", 6, 300, 29, 274, 55, "random"),
    ("Rosenthal et al 1960", 3, 228, 11, 209, 42, "random"),
    ("Hart & Sutherland 1977", 62, 13536, 248, 12619, 52, "random"),
    ("Frimodt-Moller et al 1973", 33, 5036, 47, 5761, 13, "alternate"),
    ("Stein & Aronson 1953", 180, 1361, 372, 1079, 44, "alternate"),
    ("Vandiviere et al 1973", 8, 2537, 10, 619, 19, "random"),
    ("TPT Madras 1980", 505, 87886, 499, 87892, 13, "random"),
    ("Coetzee & Berjak 1968", 29, 7470, 45, 7232, 27, "random"),
    ("Rosenthal et al 1961", 17, 1699, 65, 1600, 42, "systematic"),
    ("Comstock et al 1974", 186, 50448, 141, 27197, 18, "systematic"),
    ("Comstock & Webster 1969", 5, 2493, 3, 2338, 33, "systematic"),
    ("Comstock et al 1976", 27, 16886, 29, 17825, 33, "systematic"),
]


@pytest.fixture
def bcg_counts() -> pd.DataFrame:
    return pd.DataFrame(BCG, columns=["study", "tpos", "tneg", "cpos", "cneg", "ablat", "alloc"])


@pytest.fixture
def bcg(bcg_counts: pd.DataFrame) -> pd.DataFrame:
    """The trials with log risk ratios ``yi`` and variances ``vi`` (escalc measure="RR")."""
    from exosci.meta import effects

    return effects(bcg_counts, measure="RR")


@pytest.fixture
def bcg_csv(tmp_path, bcg_counts: pd.DataFrame):
    path = tmp_path / "bcg.csv"
    bcg_counts.to_csv(path, index=False)
    return path
