"""The time grid and integration tolerances every solver of the model shares.

Doses snap to the hour grid (``STEPS_PER_DAY``) and a carrier's release enters as the amount
released in each hour. ``RTOL``/``ATOL`` are the default error control of the compiled engine:
rtol 1e-4 (atol 1e-7) keeps the BBB score within about 5e-4 points of a tight reference (scipy
Radau, rtol 1e-10) on the reference design (``benchmarks/bench_model.py`` prints the error at
each tolerance). Kept apart from :mod:`exosci.model.solver` so the engine
(:mod:`exosci.model.compiled`) and the solver's public entry points do not import each other.
"""

from __future__ import annotations

from exosci.model.design import STEPS_PER_DAY

H = 1.0 / STEPS_PER_DAY  # the dose/release grid, days
RTOL = 1e-4
ATOL = 1e-7
