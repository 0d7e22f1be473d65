"""The C engine (generated from the formula table, compiled by the system compiler) against the
numba engine, its fallback; the engine choice; the progress line of a first run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from exosci._settings import settings
from exosci.errors import ExosciWarning
from exosci.model import Design, Release, default_parameters, reference_design
from exosci.model import compiled as comp
from exosci.model.compiled import VALUE_NAMES, run_many

ROOT = Path(__file__).resolve().parents[2]
needs_cc = pytest.mark.skipif(
    shutil.which("cc") is None and shutil.which("gcc") is None, reason="no C compiler"
)


def _designs() -> dict[str, Design]:
    """Every route as a bolus (both species) and every carrier of the table as a local depot."""
    out = {
        "intravenous": reference_design(),
        "intravenous-targeted-mouse": Design(
            species="mouse", route="intravenous", dose_ug=100.0, targeted=True
        ),
        "intranasal-3x": Design(route="intranasal", dose_ug=100.0, dose_times_days=(0.1, 1.1, 2.1)),
        "intrathecal-mouse": Design(species="mouse", route="intrathecal", dose_ug=30.0),
        "local-bolus-severe": Design(route="local", dose_ug=200.0, severity=1.4),
        "vehicle": Design(route="intravenous", dose_ug=0.0),
        "intrathecal-hydrogel": Design(
            route="intrathecal",
            dose_ug=80.0,
            release=Release("weibull", {"tau": 5.0, "beta": 0.9}, 0.9),
            horizon_days=7,
        ),
    }
    for cid, c in default_parameters().carriers.items():
        rel = Release(c.model, c.params, c.retained, c.source)
        out[f"local-{cid}"] = Design(route="local", dose_ug=150.0, release=rel, horizon_days=7)
    return out


DESIGNS = _designs()


def _both(designs: list[Design], n: int, seed: int) -> tuple[list[comp.Run], list[comp.Run]]:
    samples = default_parameters().sample(n, np.random.default_rng(seed))
    out = []
    for engine in ("c", "numba"):
        settings.engine = engine
        try:
            out.append(run_many(designs, [samples] * len(designs), n))
        finally:
            settings.reset()
    return out[0], out[1]


@needs_cc
@pytest.mark.slow  # compiles the numba engine in this session (~30 s)
@pytest.mark.parametrize("name", list(DESIGNS))
def test_c_engine_equals_numba_engine_on_every_route_and_carrier(name: str) -> None:
    """Same algorithm, same arithmetic order, no FMA contraction on either side: on bolus
    designs every output agrees to rounding (1e-10 relative). On hourly depots the same holds
    on this machine (measured: identical bits), but a last-bit difference in a library
    exponential may flip one accept/reject decision of the step control (seen with FMA on:
    1.3e-4 BBB); each path then keeps the error within the default tolerance (rtol 1e-4), so
    the depot bound is 1e-3 relative -- still 30x below the 0.03-point BBB resolution of a
    report."""
    design = DESIGNS[name]
    (c,), (nb,) = _both([design], 24, 7)
    depot = design.release is not None
    assert np.array_equal(c.days, nb.days)
    for out in VALUE_NAMES:
        a, b = c.values[out], nb.values[out]
        assert np.all(np.isfinite(a)), f"{name}: {out} has NaN in the C engine"
        rtol, atol = (1e-3, 1e-9) if depot else (1e-10, 1e-14)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"{name}: {out}")
    if not depot:
        assert np.array_equal(c.stats, nb.stats), "same steps, same right-hand side calls"


@needs_cc
@pytest.mark.slow
def test_c_engine_reads_the_stacked_designs_of_one_call_like_numba() -> None:
    """Several designs in one call (padded event segments, a subject -> design map): each
    subject follows its own design's doses, as in the numba kernel."""
    designs = [DESIGNS["intravenous"], DESIGNS["intranasal-3x"], DESIGNS["local-bolus-severe"]]
    designs = [d for d in designs if d.horizon_days == designs[0].horizon_days]
    c, nb = _both(designs, 20, 3)
    for rc, rn in zip(c, nb, strict=True):
        np.testing.assert_allclose(rc.values["score"], rn.values["score"], rtol=1e-10, atol=1e-14)
        assert np.array_equal(rc.stats, rn.stats)
    assert not np.allclose(c[0].values["score"], c[1].values["score"])


@needs_cc
def test_default_engine_is_c_where_a_compiler_works() -> None:
    assert comp.engine_name() == "c"


def test_engine_falls_back_to_numba_without_a_compiler(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from exosci.model import cengine

    monkeypatch.setenv("EXOSCI_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(cengine, "compiler", lambda: None)
    assert comp.engine_name() == "numba"
    monkeypatch.setenv("EXOSCI_ENGINE", "c")
    with pytest.raises(RuntimeError, match="no C compiler"):
        comp.engine_name()


def test_engine_falls_back_to_numba_when_the_compile_fails(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``CC=false`` (a compiler that always fails): auto runs numba; ``c`` says why it cannot."""
    if shutil.which("false") is None:
        pytest.skip("no `false` command")
    monkeypatch.setenv("EXOSCI_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("CC", "false")
    assert comp.engine_name() == "numba"
    assert not list((tmp_path / "jit").glob("exosci_cengine_*")), "no half-built library left"
    monkeypatch.setenv("EXOSCI_ENGINE", "c")
    comp._c_functions.clear()
    with pytest.raises(RuntimeError, match="false failed"):
        comp.engine_name()


def test_numba_is_chosen_by_setting_without_compiling_c(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EXOSCI_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("EXOSCI_ENGINE", "numba")
    assert comp.engine_name() == "numba"
    assert not list((tmp_path / "jit").glob("exosci_cengine_*"))


@needs_cc
def test_first_use_says_it_compiles_once_then_is_silent(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """In a notebook (no hook) the progress line is an ExosciWarning, given before the compile
    starts; a later start on the same cache says nothing."""
    from exosci._engine_stamp import expected_compile_seconds

    monkeypatch.setenv("EXOSCI_CACHE_DIR", str(tmp_path))
    assert expected_compile_seconds() is not None, "the CLI's early check: nothing built yet"
    with pytest.warns(ExosciWarning, match=r"compiling the simulation engine once \(~\d+ s\)"):
        th = comp.start_engine()
    assert th is not None
    th.join()
    assert comp.engine_name() == "c"
    assert expected_compile_seconds() is None, "built: the CLI's early check says nothing"
    said: list[str] = []
    assert comp.start_engine(notify=said.append) is None
    assert said == []


@needs_cc
@pytest.mark.slow  # a whole `exosci evaluate` on an empty cache
def test_cli_first_run_prints_progress_on_stderr_and_json_stays_clean(tmp_path: Path) -> None:
    env = {**os.environ, "EXOSCI_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("EXOSCI_ENGINE", None)
    entry = "import sys; from exosci.cli import main; sys.argv[0] = 'exosci'; sys.exit(main())"
    spec = ROOT / "examples" / "hypoxia-bmsc-ha-hydrogel-rat.yaml"
    cmd = [sys.executable, "-c", entry, "evaluate", str(spec), "-o", str(tmp_path / "r.html")]
    proc = subprocess.run([*cmd, "--json"], env=env, capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stderr.lstrip().startswith("compiling the simulation engine once")
    assert "prediction" in json.loads(proc.stdout)
    again = subprocess.run(
        [*cmd, "--json", "--force"], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert again.returncode == 0
    assert "compiling" not in again.stderr
