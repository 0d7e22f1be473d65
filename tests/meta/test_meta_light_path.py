"""The model can read the numeric table on every evaluation: design_prior stays light."""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = """
import json, sys
from exosci.meta import design_prior
p = design_prior(covariates={"day": 28})
heavy = sorted({"pandas", "scipy", "matplotlib", "statsmodels"} & {m.split(".")[0] for m in sys.modules})
print(json.dumps({"mean": p.mean, "k": p.k, "heavy": heavy}))
"""


def test_design_prior_imports_neither_pandas_nor_scipy():
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    doc = json.loads(out.stdout.strip().splitlines()[-1])
    assert doc["heavy"] == []
    assert doc["k"] == 4 and 4.0 < doc["mean"] < 5.0  # day 28 of the pooled weekly rows
