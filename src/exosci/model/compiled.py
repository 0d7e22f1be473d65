"""The compiled ensemble engine: C or numba code generated from the formula table.

Two engines run the same algorithm on the same arrays: the C engine (:mod:`exosci.model.cengine`,
compiled by the system C compiler in ~1-2 s, the default) and the numba module below (~30-40 s
first compile on a busy 2-core machine; the fallback where no C compiler works, or chosen with
``EXOSCI_ENGINE=numba``). They agree to rounding (tests/model/test_engine_c.py); the C engine is
also faster per subject on this workload (benchmarks/bench_first_run.py), so it stays the
default after the first run too.

``equations.py`` holds the model once, as formula strings; the SBML export reads the same
strings. This module turns them into a numba module (the lesion right-hand side, every output,
and the integrator of ``_kernel.py``), writes it to a cache directory under a name that hashes
its source, and compiles it with ``cache=True``: a changed table gives a new module (and a new
compile), an unchanged one loads the cached machine code. Nothing here writes a formula by hand.

Why numba and not JAX: the ensemble is many small, independent ODE solves with adaptive steps
and per-subject event segments; numba compiles exactly that loop (one subject per thread,
``prange``) with early exit and per-subject step sizes, installs from PyPI as one wheel and
caches its machine code on disk. JAX would vectorise across subjects in lock-step (every
subject takes the smallest step of the batch) and adds a large dependency.

Accuracy is a tolerance: each step's local error estimate (ROS34PW2, a Rosenbrock-W method of
order 3(2)) is kept below ``atol + rtol * |y|``. The delivery block is exact (closed form,
hourly release rates included); doses restart the lesion integrator, so their jumps are not
smeared; the fast constant clearances declared in the table (``State.decay``) are the
method's implicit part, so they do not force small steps. ``_kernel.py`` states the scheme.

Why this method: with an explicit method (Dormand-Prince 5(4), this engine's first scheme) the
lesion block's two fast clearances (~11-12 per day) bounded the step to ~0.25 day whatever the
tolerance (174 steps per 42-day subject at rtol 3e-4 and still 254 at 1e-6). An
integrating-factor (Lawson) form of the same method was tried and is less accurate here: the
cytokine level sits in a quasi-steady balance with its production, which exp(d t) weighting
integrates badly. The W-method needs no Jacobian factorisation (its W is diagonal) and at the
tolerances that matter for a BBB score (1e-3 points) takes fewer, cheaper steps.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import subprocess
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from exosci._engine_stamp import C_COMPILE_S, NUMBA_COMPILE_S, compile_message, mark_ready
from exosci._settings import settings
from exosci.errors import ExosciWarning
from exosci.model.carrier_input import input_rates
from exosci.model.design import STEPS_PER_DAY, Design
from exosci.model.equations import (
    INPUTS,
    INTERMEDIATES,
    LESION_STATES,
    PK_STATES,
    derive,
    initial_state,
    parameter_names,
    symbols,
)
from exosci.model.grid import ATOL, RTOL
from exosci.model.parameters import FloatArray

MAX_STEPS = 200_000
# Route -> (state receiving a bolus, input carrying a release rate). Same map as the SBML export.
ROUTE_ENTRY: dict[str, tuple[str, str]] = {
    "intravenous": ("P", "u_P"),
    "intranasal": ("Nz", "u_N"),
    "intrathecal": ("Cs", "u_C"),
    "local": ("El", "u_les"),
}

PK_NAMES = [s.name for s in PK_STATES]
LES_NAMES = [s.name for s in LESION_STATES]
INTER_NAMES = [n for n, _ in INTERMEDIATES]
VALUE_NAMES = PK_NAMES + LES_NAMES + INTER_NAMES  # what the engine can record
PARAMS = parameter_names()


def _check_structure() -> None:
    """The engine's assumptions about the formula table, checked before any code is generated.

    The delivery block is linear in itself and driven by the inputs only (closed form); the
    inputs enter nowhere else (so the lesion block's right-hand side jumps only at doses); each
    route doses a delivery state; a declared decay is built from parameters only.
    """
    allowed = set(PK_NAMES) | set(INPUTS) | set(PARAMS)
    for st in PK_STATES:
        extra = symbols(st.rate) - allowed
        if extra:
            raise ValueError(
                f"delivery state {st.name}: its rate uses {sorted(extra)}; the compiled engine "
                "solves the delivery block in closed form and needs it to depend only on "
                "delivery states, inputs and parameters (move the state to LESION_STATES)"
            )
    exprs = [(st.name, st.rate) for st in LESION_STATES] + list(INTERMEDIATES)
    for name, expr in exprs:
        if symbols(expr) & set(INPUTS):
            raise ValueError(
                f"{name}: uses a dosing input; inputs must feed delivery states only (the "
                "lesion block then changes smoothly between doses)"
            )
    for route, (target, _) in ROUTE_ENTRY.items():
        if target not in PK_NAMES:
            raise ValueError(f"route {route} doses {target}, which is not a delivery state")
    for st in LESION_STATES:
        if st.decay and not symbols(st.decay) <= set(PARAMS):
            raise ValueError(f"{st.name}: its decay {st.decay!r} must use parameters only")


def check_decays(params: dict[str, Any], rng: np.random.Generator, trials: int = 5) -> None:
    """Check every ``State.decay`` against its rate, numerically (raises ``ValueError``).

    At random states the rate must change by exactly ``-decay * dy`` when the state moves by
    ``dy`` (the rest of the rate is free of it). ``params`` are derived model parameters.
    """
    from exosci.model.equations import STATES, full_rhs

    idx = {st.name: i for i, st in enumerate(STATES)}
    ns: dict[str, Any] = {"np": np, "pow": np.power, "exp": np.exp, **params}
    for st in LESION_STATES:
        if not st.decay:
            continue
        d = float(np.asarray(eval(st.decay, ns)))  # noqa: S307 - formula table
        j = idx[st.name]
        for _ in range(trials):
            y = rng.uniform(0.0, 2.0, len(STATES))
            u = rng.uniform(0.0, 1.0, len(INPUTS))
            y2 = y.copy()
            y2[j] += 0.5
            slope = (full_rhs(y2, params, u)[j] - full_rhs(y, params, u)[j]) / 0.5
            if not np.isclose(slope, -d, rtol=1e-9, atol=1e-12):
                raise ValueError(
                    f"{st.name}: declared decay {st.decay!r} = {d:g} but the rate's slope in "
                    f"{st.name} is {-slope:g}"
                )


def _assignments(used: set[str], pk_src: str) -> list[str]:
    lines = [f"    {n} = y[{i}]" for i, n in enumerate(LES_NAMES) if n in used]
    lines += [f"    {n} = {pk_src}[{i}]" for i, n in enumerate(PK_NAMES) if n in used]
    lines += [f"    {n} = p[{i}]" for i, n in enumerate(PARAMS) if n in used]
    return lines


def _closure(targets: set[str]) -> tuple[set[str], list[tuple[str, str]]]:
    """Symbols needed to compute ``targets`` and the intermediates involved, in table order."""
    needed = set(targets)
    inter = dict(INTERMEDIATES)
    changed = True
    while changed:
        changed = False
        for n in list(needed):
            if n in inter:
                new = symbols(inter[n]) - needed
                if new:
                    needed |= new
                    changed = True
    return needed, [(n, e) for n, e in INTERMEDIATES if n in needed]


def generated_source() -> str:
    """The numba module: ``_kernel.py`` + right-hand side and outputs from the formula table."""
    _check_structure()
    rate_syms: set[str] = set()
    for st in LESION_STATES:
        rate_syms |= symbols(st.rate)
    used, inter = _closure(rate_syms)
    rhs = ["", "", '@njit(cache=True, error_model="numpy", inline="always")']
    rhs += ["def rhs(y, pk, p, out):"] + _assignments(used, "pk")
    rhs += [f"    {n} = {e}" for n, e in inter]
    rhs += [f"    out[{i}] = {st.rate}" for i, st in enumerate(LESION_STATES)]
    all_used, all_inter = _closure(set(VALUE_NAMES))
    val = ["", "", '@njit(cache=True, error_model="numpy")']
    val += ["def values(y, pk, p, out):"] + _assignments(all_used | set(VALUE_NAMES), "pk")
    val += [f"    {n} = {e}" for n, e in all_inter]
    val += [f"    out[{i}] = {n}" for i, n in enumerate(VALUE_NAMES)]
    template = (Path(__file__).parent / "_kernel.py").read_text("utf-8")
    head = "\nfrom math import exp, pow  # noqa: E402 - formula functions\n"
    tail = f"\n\nN_VALUES = {len(VALUE_NAMES)}\n"
    return template + head + "\n".join(rhs) + "\n" + "\n".join(val) + "\n" + tail


def _writable(d: Path) -> bool:
    try:
        d.mkdir(parents=True, exist_ok=True)
        probe = d / f".probe-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
        return True
    except OSError:
        return False


def jit_dir() -> Path | None:
    """Where the generated module and numba's cache live: the exosci cache, else a temp dir.

    The package directory is never written (it may be a read-only install). ``None`` when no
    candidate is writable: the engine then compiles in memory on every start.
    """
    root = settings.cache_dir
    uid = os.getuid() if hasattr(os, "getuid") else 0
    for cand in (Path(root) / "jit", Path(tempfile.gettempdir()) / f"exosci-jit-{uid}"):
        if _writable(cand):
            return cand
    return None


@cache
def engine() -> ModuleType:
    """The compiled module for the current formula table (generated and imported once)."""
    import numba

    src = generated_source()
    digest = hashlib.sha256((src + numba.__version__).encode()).hexdigest()[:16]
    name = f"exosci_engine_{digest}"
    where = jit_dir()
    if where is None:
        mod = ModuleType(name)
        exec(compile(src.replace("cache=True", "cache=False"), name, "exec"), mod.__dict__)  # noqa: S102
        return mod
    path = where / f"{name}.py"
    if not path.exists() or path.read_text("utf-8") != src:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(src, "utf-8")
        os.replace(tmp, path)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def numba_cached() -> bool:
    """Whether the numba engine's machine code for the current table is on disk already."""
    where = jit_dir()
    if where is None:
        return False
    try:
        from importlib.metadata import version

        ver = version("numba")
    except Exception:  # noqa: BLE001 - no numba: nothing cached
        return False
    digest = hashlib.sha256((generated_source() + ver).encode()).hexdigest()[:16]
    return any(where.glob(f"__pycache__/exosci_engine_{digest}.integrate_kernel-*.nbi"))


# Called with a one-line message when an engine must be compiled before the first result (the
# CLI prints it on stderr); without a hook the message is an ``ExosciWarning`` (a notebook
# shows it under the cell).
progress_hooks: list[Callable[[str], None]] = []
_announced: set[str] = set()
_build_lock = threading.Lock()


def _notify(msg: str, notify: Callable[[str], None] | None, key: str) -> None:
    """Say ``msg`` once per ``key`` (the library or module being compiled)."""
    if key in _announced:
        return
    _announced.add(key)
    if notify is not None:
        notify(msg)
    elif progress_hooks:
        for hook in list(progress_hooks):
            hook(msg)
    else:
        warnings.warn(msg, ExosciWarning, stacklevel=5)


def c_source() -> str:
    """The C engine's source: the formula table's right-hand side and outputs, then the driver
    (``_kernel.py`` in C, :mod:`exosci.model.cengine`)."""
    key = (PK_STATES, LESION_STATES, INTERMEDIATES, tuple(PARAMS), tuple(INPUTS))
    if key not in _c_sources:
        _c_sources.clear()
        _c_sources[key] = _render_c()
    return _c_sources[key]


_c_sources: dict[Any, str] = {}


def _render_c() -> str:
    from exosci.model import cengine

    _check_structure()
    rate_syms: set[str] = set()
    for st in LESION_STATES:
        rate_syms |= symbols(st.rate)
    used, inter = _closure(rate_syms)
    all_used, all_inter = _closure(set(VALUE_NAMES))
    table = cengine.Table(
        les=LES_NAMES,
        pk=PK_NAMES,
        params=PARAMS,
        values=VALUE_NAMES,
        rates=[st.rate for st in LESION_STATES],
        rhs_used=used,
        rhs_inter=inter,
        val_used=all_used | set(VALUE_NAMES),
        val_inter=all_inter,
        n_inputs=len(INPUTS),
    )
    return cengine.render(table)


def _c_library() -> tuple[str, Path] | None:
    """The compiler and the library path of the C engine, or None where it cannot be built."""
    from exosci.model import cengine

    cc, where = cengine.compiler(), jit_dir()
    if cc is None or where is None:
        if settings.engine == "c":
            why = "no C compiler on the PATH" if cc is None else "no writable cache folder"
            raise RuntimeError(f"EXOSCI_ENGINE=c but {why}")
        return None
    return cc, cengine.library_path(where, cc, c_source())


_c_functions: dict[Path, Any] = {}


def _c_function(choice: str, notify: Callable[[str], None] | None = None) -> Any:
    """The C engine's entry point, or None (``numba`` chosen, no compiler, no writable cache,
    a failed build: then the numba engine runs). Built once per formula table."""
    from exosci.model import cengine

    if choice == "numba":
        return None
    found = _c_library()
    if found is None:
        return None
    cc, lib = found
    with _build_lock:
        if lib in _c_functions:
            return _c_functions[lib]
        try:
            if not lib.exists():
                _notify(compile_message(C_COMPILE_S), notify, str(lib))
            fn = cengine.load(cengine.build(lib.parent, cc, c_source()))
            mark_ready()
        except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
            if choice == "c":
                raise
            logging.getLogger(__name__).warning("C engine unavailable (%s); using numba", exc)
            fn = None
        _c_functions[lib] = fn
        return fn


def start_engine(notify: Callable[[str], None] | None = None) -> threading.Thread | None:
    """Get the engine ready while other work runs: when it must be compiled, say so at once
    (``notify``, else the progress hooks or an ``ExosciWarning``) and compile the C engine in a
    background thread (the compiler is another process: it takes the idle core). Returns the
    thread, or None when nothing needs building."""
    try:
        found = None if settings.engine == "numba" else _c_library()
    except RuntimeError:
        return None  # EXOSCI_ENGINE=c without a compiler: the run itself reports it
    if found is not None:
        if found[1] in _c_functions:
            return None
        if not found[1].exists():
            _notify(compile_message(C_COMPILE_S), notify, str(found[1]))
        th = threading.Thread(
            target=_c_function, args=(settings.engine, notify), name="exosci-engine", daemon=True
        )
        th.start()
        return th
    if not numba_cached():
        _notify(compile_message(NUMBA_COMPILE_S), notify, f"numba:{jit_dir()}")
    return None


def engine_name() -> str:
    """``"c"`` or ``"numba"``: the engine ensembles run on now (compiling it if needed)."""
    return "c" if _c_function(settings.engine) is not None else "numba"


def integrate(
    k: dict[str, np.ndarray],
    record: FloatArray,
    sel: np.ndarray,
    rtol: float,
    atol: float,
    out: FloatArray,
    stats: np.ndarray,
) -> None:
    """Run the stacked kernel arrays on the selected engine (C, else numba)."""
    fn = _c_function(settings.engine)
    if fn is not None:
        from exosci.model import cengine

        cengine.integrate(fn, k, record, sel, PK_ROWS_FOR_LESION, rtol, atol, MAX_STEPS, out, stats)
        return
    if not numba_cached():
        _notify(compile_message(NUMBA_COMPILE_S), None, f"numba:{jit_dir()}")
    engine().integrate_kernel(
        k["par"],
        k["dec"],
        k["y0"],
        k["lam"],
        k["vec"],
        k["vinv"],
        k["bpk"],
        k["dose"],
        k["design_of"],
        k["nseg"],
        k["seg_t"],
        k["seg_u"],
        k["seg_bolus"],
        k["bolus_idx"],
        record,
        sel,
        PK_ROWS_FOR_LESION,
        rtol,
        atol,
        MAX_STEPS,
        out,
        stats,
    )
    mark_ready()


@dataclass(frozen=True)
class Delivery:
    """Eigen-decomposition of each subject's delivery matrix and its input coefficients."""

    lam: FloatArray  # (n, m)
    vec: FloatArray  # (n, m, m)
    vinv: FloatArray  # (n, m, m)
    bpk: FloatArray  # (n, m, n_inputs)


def _pk_rates(pk: FloatArray, u: FloatArray, p: dict[str, Any]) -> FloatArray:
    """The delivery rates (numpy, vectorised): ``pk`` (m, n), ``u`` (n_inputs, n)."""
    ns: dict[str, Any] = {"np": np, "pow": np.power, "exp": np.exp}
    ns.update({n: p[n] for n in PARAMS if n in p})
    ns.update(dict(zip(PK_NAMES, pk, strict=True)))
    ns.update(dict(zip(INPUTS, u, strict=True)))
    return np.array([np.broadcast_to(eval(s.rate, ns), pk.shape[1:]) for s in PK_STATES])  # noqa: S307


def delivery(p: dict[str, Any], n: int) -> Delivery:
    """Read the delivery block's matrix off the formulas (it is linear) and diagonalise it.

    Nearly coincident eigenvalues make the eigenvectors ill-conditioned; those subjects' diagonal
    rates are perturbed by a relative 1e-9 (far below any tolerance) until the basis is sound.
    """
    m, k = len(PK_NAMES), len(INPUTS)
    zero_pk, zero_u = np.zeros((m, n)), np.zeros((k, n))
    base = _pk_rates(zero_pk, zero_u, p)
    a = np.empty((n, m, m))
    for j in range(m):
        e = zero_pk.copy()
        e[j] = 1.0
        a[:, :, j] = (_pk_rates(e, zero_u, p) - base).T
        twice = (_pk_rates(2 * e, zero_u, p) - base).T
        if not np.allclose(twice, 2 * a[:, :, j], rtol=1e-12, atol=1e-300):
            raise ValueError(f"the delivery block is not linear in {PK_NAMES[j]}")
    bpk = np.empty((n, m, k))
    for j in range(k):
        e = zero_u.copy()
        e[j] = 1.0
        bpk[:, :, j] = (_pk_rates(zero_pk, e, p) - base).T
    if np.any(base != 0):
        raise ValueError("the delivery block has a constant source; only inputs may feed it")
    lam, vec = np.linalg.eig(a)
    for attempt in range(1, 6):
        cond = np.linalg.cond(vec)
        bad = ~np.isfinite(cond) | (cond > 1e8)
        if not bad.any():
            break
        scale = 1.0 + 1e-9 * attempt * np.arange(1, m + 1)
        lam[bad], vec[bad] = np.linalg.eig(a[bad] * np.where(np.eye(m) > 0, scale, 1.0))
    if np.iscomplexobj(lam):
        if np.abs(lam.imag).max() > 0:
            raise ValueError(
                "the delivery block has complex eigenvalues (a compartment cycle of 3 or more); "
                "the compiled engine handles real spectra only"
            )
        lam, vec = lam.real.copy(), vec.real.copy()
    vinv = np.linalg.inv(vec)
    # Entries that are zero in exact arithmetic (e.g. a left eigenvector of the nasal mode has
    # no plasma component) come out as rounding noise; zeroing them lets the integrator skip
    # modes a route never excites.
    for mat in (vec, vinv):
        tiny = np.abs(mat) < 1e-13 * np.abs(mat).max(axis=(1, 2), keepdims=True)
        mat[tiny] = 0.0
    return Delivery(lam, vec, vinv, bpk)


@dataclass(frozen=True)
class Schedule:
    """A design's event segments on the hour grid (per unit dose)."""

    t: FloatArray  # (K+1,) segment bounds, days
    u: FloatArray  # (K, n_inputs) input rate per unit dose in each segment
    bolus: FloatArray  # (K,) bolus per unit dose at each segment start
    record: FloatArray  # recorded times, days (a record at a dose time is before the dose)
    bolus_idx: int  # the delivery state a dose enters


def schedule(design: Design, record_per_day: int) -> Schedule:
    if STEPS_PER_DAY % record_per_day:
        raise ValueError(f"record_per_day must divide {STEPS_PER_DAY}")
    n_steps = design.horizon_days * STEPS_PER_DAY
    every = STEPS_PER_DAY // record_per_day
    stops = {0, n_steps}
    target, inp = ROUTE_ENTRY[design.route]
    doses = [k for k in design.dose_steps() if 0 <= k < n_steps]
    rates = None
    if design.release is None:
        stops |= set(doses)
    else:
        rates = input_rates(design, n_steps)
        stops |= set(range(n_steps + 1))
    bounds = np.array(sorted(stops))
    k_seg = len(bounds) - 1
    u = np.zeros((k_seg, len(INPUTS)))
    bolus = np.zeros(k_seg)
    if rates is not None:
        u[:, INPUTS.index(inp)] = rates[bounds[:-1]]
    else:
        for k in doses:
            bolus[int(np.searchsorted(bounds, k))] += 1.0
    record = np.arange(0, n_steps + 1, every) / STEPS_PER_DAY
    return Schedule(bounds / STEPS_PER_DAY, u, bolus, record, PK_NAMES.index(target))


@dataclass(frozen=True)
class Run:
    """Recorded outputs ``values[name]`` of shape ``(n_times, n)`` and solver statistics."""

    days: FloatArray
    values: dict[str, FloatArray]
    stats: np.ndarray  # (n, 3): right-hand side evaluations, accepted, rejected steps


@dataclass(frozen=True)
class Inputs:
    """Per-run arrays every engine of this formula table takes (numba here, the C benchmark)."""

    par: np.ndarray  # (n, len(PARAMS))
    dec: np.ndarray  # (n, lesion states): each state's declared constant decay rate, else 0
    y0: np.ndarray  # (n, lesion states)
    dv: Any  # delivery block: eigen-decomposition and input map
    sch: Any  # event schedule: segments, boluses, recorded times
    dose: np.ndarray  # (n,) dose per administration


def _pk_rows_for_lesion() -> np.ndarray:
    """Delivery states the lesion right-hand side reads (a constant of the formula table)."""
    lesion_syms: set[str] = set()
    for st in LESION_STATES:
        lesion_syms |= symbols(st.rate)
    needed = _closure(lesion_syms)[0]
    return np.array([i for i, s in enumerate(PK_NAMES) if s in needed], dtype=np.int64)


PK_ROWS_FOR_LESION = _pk_rows_for_lesion()


def prepare_inputs(design: Design, params: dict[str, Any], n: int, record_per_day: int) -> Inputs:
    """Derived parameters, initial lesion state, delivery block, schedule and doses of a run."""
    p = derive(params, design)
    par = np.empty((n, len(PARAMS)))
    for j, name in enumerate(PARAMS):
        par[:, j] = np.broadcast_to(np.asarray(p[name], dtype=float), (n,))
    pv = {name: par[:, j] for j, name in enumerate(PARAMS)}
    ns: dict[str, Any] = {"np": np, "pow": np.power, "exp": np.exp, **pv}
    dec = np.zeros((n, len(LES_NAMES)))
    for j, st in enumerate(LESION_STATES):
        if st.decay:
            dec[:, j] = eval(st.decay, ns)  # noqa: S307 - formula table, not user input
    if not np.all(np.isfinite(dec) & (dec >= 0)):
        raise ValueError("a declared decay rate is negative or not finite for some subjects")
    y0d = initial_state(p, design, n)
    y0 = np.ascontiguousarray(np.stack([np.broadcast_to(y0d[s], (n,)) for s in LES_NAMES], 1))
    scale = np.broadcast_to(np.asarray(params.get("dose_scale", 1.0), dtype=float), (n,))
    dose = np.ascontiguousarray(design.dose_ug * scale, dtype=float)
    return Inputs(par, dec, y0, delivery(pv, n), schedule(design, record_per_day), dose)


def _stack(inps: list[Inputs]) -> dict[str, np.ndarray]:
    """One set of kernel arrays for several designs' inputs (subjects concatenated, each
    design's event segments padded to the longest)."""
    n_des = len(inps)
    kmax = max(len(x.sch.u) for x in inps)
    n_in = len(INPUTS)
    seg_t = np.zeros((n_des, kmax + 1))
    seg_u = np.zeros((n_des, kmax, n_in))
    seg_b = np.zeros((n_des, kmax))
    for d, x in enumerate(inps):
        k = len(x.sch.u)
        seg_t[d, : k + 1] = x.sch.t
        seg_t[d, k + 1 :] = x.sch.t[-1]
        seg_u[d, :k] = x.sch.u
        seg_b[d, :k] = x.sch.bolus

    def cat(get: Any) -> np.ndarray:
        return np.ascontiguousarray(np.concatenate([get(x) for x in inps]))

    return {
        "par": cat(lambda x: x.par),
        "dec": cat(lambda x: x.dec),
        "y0": cat(lambda x: x.y0),
        "lam": cat(lambda x: x.dv.lam),
        "vec": cat(lambda x: x.dv.vec),
        "vinv": cat(lambda x: x.dv.vinv),
        "bpk": cat(lambda x: x.dv.bpk),
        "dose": cat(lambda x: x.dose),
        "design_of": np.concatenate(
            [np.full(len(x.dose), d, dtype=np.int64) for d, x in enumerate(inps)]
        ),
        "nseg": np.array([len(x.sch.u) for x in inps], dtype=np.int64),
        "seg_t": seg_t,
        "seg_u": seg_u,
        "seg_bolus": seg_b,
        "bolus_idx": np.array([x.sch.bolus_idx for x in inps], dtype=np.int64),
    }


def run_many(
    designs: Sequence[Design],
    params: Sequence[dict[str, Any]],
    n: int,
    *,
    record_per_day: int = 1,
    outputs: Sequence[str] | None = None,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> list[Run]:
    """Integrate ``n`` subjects of each design (with its own parameter dict) in one kernel call.

    Each subject's computation is exactly what :func:`run` does for its design alone; one call
    spares the per-call overhead and lets the threads share the whole batch. Designs must share
    the horizon (the recorded times).
    """
    names = list(VALUE_NAMES) if outputs is None else list(dict.fromkeys(outputs))
    unknown = [x for x in names if x not in VALUE_NAMES]
    if unknown:
        raise ValueError(f"unknown model outputs {unknown}; known: {', '.join(VALUE_NAMES)}")
    if not (rtol > 0 and atol > 0):
        raise ValueError("rtol and atol must be > 0")
    if len(designs) != len(params):
        raise ValueError("run_many needs one parameter dict per design")
    if not designs:
        return []
    if len({d.horizon_days for d in designs}) > 1:
        raise ValueError("run_many needs designs with the same horizon_days")
    inps = [prepare_inputs(d, p, n, record_per_day) for d, p in zip(designs, params, strict=True)]
    k = _stack(inps)
    record = inps[0].sch.record
    sel = np.array([VALUE_NAMES.index(x) for x in names], dtype=np.int64)
    total = n * len(designs)
    out = np.empty((len(names), len(record), total))
    stats = np.zeros((total, 3), dtype=np.int64)
    integrate(k, record, sel, float(rtol), float(atol), out, stats)
    return [
        Run(
            record,
            {x: out[j, :, d * n : (d + 1) * n] for j, x in enumerate(names)},
            stats[d * n : (d + 1) * n],
        )
        for d in range(len(designs))
    ]


def run(
    design: Design,
    params: dict[str, Any],
    n: int,
    *,
    record_per_day: int = 1,
    outputs: Sequence[str] | None = None,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> Run:
    """Integrate ``n`` subjects of one design; record only ``outputs`` (model symbols)."""
    return run_many(
        [design],
        [params],
        n,
        record_per_day=record_per_day,
        outputs=outputs,
        rtol=rtol,
        atol=atol,
    )[0]
