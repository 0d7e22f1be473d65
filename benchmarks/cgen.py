"""The package's C engine compiled for this machine (``-O3 -march=native``), for benchmarking.

The C source is :func:`exosci.model.compiled.c_source` (right-hand side and outputs printed from
``equations.py``; the driver is ``model/_kernel.py`` line by line). The package builds it with
portable flags (``-O2 -ffp-contract=off``) into its cache; this benchmark variant lets the
compiler use every instruction of the machine it runs on (FMA contraction included, which may
flip an accept/reject decision of the step control: ~1e-4 BBB on hourly depots) and runs one
subject after another on one thread. It is compiled into a temporary directory; no C file is
kept in the repository.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from exosci.model import cengine
from exosci.model.compiled import (
    PK_ROWS_FOR_LESION,
    VALUE_NAMES,
    _stack,
    c_source,
    prepare_inputs,
)


class CLoop:
    """Compile the generated C once; ``run`` mirrors ``exosci.model.compiled.run``."""

    def __init__(self, flags: tuple[str, ...] = ("-O3", "-march=native")) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="exosci-cloop-")
        src = Path(self._dir.name) / "loop.c"
        lib = Path(self._dir.name) / "loop.so"
        src.write_text(c_source())
        subprocess.run(
            ["gcc", *flags, "-shared", "-fPIC", "-o", str(lib), str(src), "-lm"],
            check=True,
            capture_output=True,
        )
        self.fn = cengine.load(lib)
        self.flags = flags

    def run(
        self,
        design: Any,
        params: dict[str, Any],
        n: int,
        *,
        outputs: list[str],
        rtol: float,
        atol: float,
        record_per_day: int = 1,
    ) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
        inp = prepare_inputs(design, params, n, record_per_day)
        sel = np.array([VALUE_NAMES.index(x) for x in outputs], dtype=np.int64)
        out = np.empty((len(outputs), len(inp.sch.record), n))
        stats = np.zeros((n, 3), dtype=np.int64)
        cengine.integrate(
            self.fn,
            _stack([inp]),
            inp.sch.record,
            sel,
            PK_ROWS_FOR_LESION,
            rtol,
            atol,
            200_000,
            out,
            stats,
            n_threads=1,
        )
        return inp.sch.record, {x: out[j] for j, x in enumerate(outputs)}, stats
