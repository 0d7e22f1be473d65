"""The ensemble engine as C: generated from the formula table, compiled by the system compiler.

The numba engine (:mod:`exosci.model.compiled`) compiles for 25-40 s the first time it runs on
a machine (two cores, busy); that is the first ``exosci evaluate`` after an install. This module
prints the same model -- the right-hand side and every output from ``equations.py``, the same
strings the numba module and the SBML export read -- as C, followed by a driver that is
``_kernel.py`` line by line (closed-form delivery block, ROS34PW2 Rosenbrock-W, same step
control, same segments), and compiles it with ``cc -O2`` in a second or two into the cache folder,
under a name that hashes the source, the compiler and the machine type. It is loaded with
:mod:`ctypes`; threads share the subjects (a foreign call releases the GIL).

Floating point: ``-O2 -ffp-contract=off`` without ``-march=native``, so no fused multiply-add
changes a rounding and the shared library suits any machine of the same architecture; the
numba engine does not contract either, and the two agree to rounding on bolus designs (the
engine tests compare them). Nothing here writes a formula by hand.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

_INT = re.compile(r"(?<![A-Za-z_0-9.])(\d+)(?![\d.eE])")
FLAGS = ("-O2", "-ffp-contract=off", "-fno-math-errno", "-shared", "-fPIC")


def c_expr(expr: str) -> str:
    """A formula as C: integer literals become doubles (``1 / 2`` must not be integer division)."""
    return _INT.sub(r"\1.0", expr)


DRIVER = r"""
static long pk_segments(const double *lam, const double *vinv, const double *g, double dose,
                        long nseg, const double *seg_t, const double *seg_u,
                        const double *seg_bolus, long bolus_idx, const int *used, long *act,
                        double *zs, double *bs) {
    double z[EXO_M] = {0}, ex[EXO_M] = {0}, p1[EXO_M] = {0};
    double last = -1.0;
    long n_act = 0;
    for (long k = 0; k < EXO_M; k++) {
        int on = used[EXO_NIN] && vinv[k * EXO_M + bolus_idx] != 0.0;
        for (long j = 0; j < EXO_NIN; j++)
            if (used[j] && g[k * EXO_NIN + j] != 0.0) on = 1;
        if (on && dose != 0.0) act[n_act++] = k;
        for (long s = 0; s < nseg; s++) zs[s * EXO_M + k] = bs[s * EXO_M + k] = 0.0;
    }
    for (long s = 0; s < nseg; s++) {
        double amt = seg_bolus[s] * dose;
        double span = seg_t[s + 1] - seg_t[s];
        if (span != last) {
            for (long a = 0; a < n_act; a++) {
                long k = act[a];
                double x = lam[k] * span;
                ex[k] = x > -700.0 ? exp(x) : 0.0;
                p1[k] = span * (fabs(x) < 1e-5 ? 1.0 + x * (0.5 + x / 6.0) : expm1(x) / x);
            }
            last = span;
        }
        for (long a = 0; a < n_act; a++) {
            long k = act[a];
            if (amt != 0.0) z[k] += vinv[k * EXO_M + bolus_idx] * amt;
            double b = 0.0;
            for (long j = 0; j < EXO_NIN; j++) b += g[k * EXO_NIN + j] * seg_u[s * EXO_NIN + j];
            b *= dose;
            zs[s * EXO_M + k] = z[k];
            bs[s * EXO_M + k] = b;
            z[k] = z[k] * ex[k] + b * p1[k];
        }
    }
    return n_act;
}

static inline void pk_at(double t, long sa, long sb, const double *seg_t, const double *zs,
                         const double *bs, const double *lam, const double *vec,
                         const long *act, long n_act, const long *rows, long nrows,
                         double *out) {
    long lo = sa, hi = sb - 1;
    while (lo < hi) {
        long mid = (lo + hi + 1) / 2;
        if (seg_t[mid] <= t) lo = mid; else hi = mid - 1;
    }
    double s = t - seg_t[lo];
    for (long r = 0; r < nrows; r++) out[rows[r]] = 0.0;
    for (long a = 0; a < n_act; a++) {
        long k = act[a];
        double x = lam[k] * s;
        double zk = 0.0;
        double z0 = zs[lo * EXO_M + k], beta = bs[lo * EXO_M + k];
        if (z0 != 0.0 && x > -50.0) zk = z0 * exp(x);
        if (beta != 0.0) {
            if (x < -50.0) {
                zk -= beta * s / x;
            } else {
                double phi1 = fabs(x) < 1e-5 ? 1.0 + x * (0.5 + x / 6.0) : expm1(x) / x;
                zk += beta * s * phi1;
            }
        }
        if (zk != 0.0)
            for (long r = 0; r < nrows; r++) out[rows[r]] += vec[rows[r] * EXO_M + k] * zk;
    }
}

static inline double err_norm(const double *y, const double *y1, const double *er, double rtol,
                              double atol) {
    double acc = 0.0;
    for (long j = 0; j < EXO_NL; j++) {
        double a = fabs(y[j]), b = fabs(y1[j]);
        double sc = atol + rtol * (a > b ? a : b);
        acc += (er[j] / sc) * (er[j] / sc);
    }
    return sqrt(acc / EXO_NL);
}

static const double GAM = 4.3586652150845900e-01;
static const double A21 = 8.7173304301691801e-01;
static const double A31 = 8.4457060015369423e-01, A32 = -1.1299064236484185e-01;
static const double G21 = -8.7173304301691801e-01;
static const double G31 = -9.0338057013044082e-01, G32 = 5.4180672388095326e-02;
static const double G41 = 2.4212380706095346e-01, G42 = -1.2232505839045147e00,
                    G43 = 5.4526025533510214e-01;
static const double B1 = 2.4212380706095346e-01, B2 = -1.2232505839045147e00,
                    B3 = 1.5452602553351023e00, B4 = 4.3586652150845900e-01;
static const double BH1 = 3.7810903145819369e-01, BH2 = -9.6042292212423178e-02,
                    BH3 = 5.0000000000000000e-01, BH4 = 2.1793326075422950e-01;

/* Subjects i0 .. i1-1 of integrate_kernel's stacked arrays (same layout, C order). */
int exo_run(long i0, long i1, long ntot, const double *par, long npar, const double *dec_all,
            const double *y0, const double *lam, const double *vec, const double *vinv,
            const double *bpk, const double *dose_all, const long *design_of,
            const long *nseg_all, long kmax, const double *seg_t_all, const double *seg_u_all,
            const double *seg_bolus_all, const long *bolus_all, const int *used_all,
            const double *rec_t, long nrec, long nsel, const long *sel, long nrows,
            const long *rows, double rtol, double atol, long max_steps, double *out,
            long *stats) {
    long allrows[EXO_M];
    const double C2 = A21, C3 = A31 + A32;
    double *zs = (double *)malloc(sizeof(double) * (kmax > 0 ? kmax : 1) * EXO_M);
    double *bs = (double *)malloc(sizeof(double) * (kmax > 0 ? kmax : 1) * EXO_M);
    if (!zs || !bs) { free(zs); free(bs); return 1; }
    for (long k = 0; k < EXO_M; k++) allrows[k] = k;
    for (long i = i0; i < i1; i++) {
        const long dd = design_of[i];
        const long nseg = nseg_all[dd];
        const double *seg_t = seg_t_all + dd * (kmax + 1);
        const double *seg_u = seg_u_all + dd * kmax * EXO_NIN;
        const double *seg_bolus = seg_bolus_all + dd * kmax;
        const long bolus_idx = bolus_all[dd];
        const int *used = used_all + dd * (EXO_NIN + 1);
        const double *p = par + i * npar;
        const double *dec = dec_all + i * EXO_NL;
        const double *lam_i = lam + i * EXO_M;
        const double *vec_i = vec + i * EXO_M * EXO_M;
        const double *vinv_i = vinv + i * EXO_M * EXO_M;
        const double dose = dose_all[i];
        double g[EXO_M * EXO_NIN];
        for (long k = 0; k < EXO_M; k++)
            for (long j = 0; j < EXO_NIN; j++) {
                double a = 0.0;
                for (long r = 0; r < EXO_M; r++)
                    a += vinv_i[k * EXO_M + r] * bpk[(i * EXO_M + r) * EXO_NIN + j];
                g[k * EXO_NIN + j] = a;
            }
        long act[EXO_M];
        long n_act = pk_segments(lam_i, vinv_i, g, dose, nseg, seg_t, seg_u, seg_bolus,
                                 bolus_idx, used, act, zs, bs);
        double y[EXO_NL], pks[EXO_M] = {0}, pkr[EXO_M] = {0};
        double k1[EXO_NL], k2[EXO_NL], k3[EXO_NL], k4[EXO_NL], f0[EXO_NL], f1[EXO_NL];
        double yt[EXO_NL], y1[EXO_NL], er[EXO_NL], den[EXO_NL], tmp[EXO_NV], ydense[EXO_NL];
        long n_rhs = 0, n_acc = 0, n_rej = 0, rec = 0;
        int failed = 0;
        memcpy(y, y0 + i * EXO_NL, sizeof y);
        while (rec < nrec && rec_t[rec] <= seg_t[0]) {
            values(y, pks, p, tmp);
            for (long j = 0; j < nsel; j++) out[(j * nrec + rec) * ntot + i] = tmp[sel[j]];
            rec++;
        }
        double h = 0.0;
        long sa = 0;
        while (sa < nseg) {
            long sb = sa + 1;
            while (sb < nseg && seg_bolus[sb] * dose == 0.0) sb++;
            if (seg_bolus[sa] * dose != 0.0) h = 0.0;
            double t0g = seg_t[sa], span = seg_t[sb] - t0g, t = 0.0;
            pk_at(t0g, sa, sb, seg_t, zs, bs, lam_i, vec_i, act, n_act, rows, nrows, pks);
            rhs(y, pks, p, f0);
            n_rhs++;
            if (h == 0.0) {
                double d0 = 0, d1 = 0, d2 = 0;
                for (long j = 0; j < EXO_NL; j++) {
                    double sc = atol + rtol * fabs(y[j]);
                    d0 += (y[j] / sc) * (y[j] / sc);
                    d1 += (f0[j] / sc) * (f0[j] / sc);
                }
                d0 = sqrt(d0 / EXO_NL);
                d1 = sqrt(d1 / EXO_NL);
                double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
                if (h0 > span) h0 = span;
                for (long j = 0; j < EXO_NL; j++) yt[j] = y[j] + h0 * f0[j];
                pk_at(t0g + h0, sa, sb, seg_t, zs, bs, lam_i, vec_i, act, n_act, rows, nrows,
                      pks);
                rhs(yt, pks, p, k1);
                n_rhs++;
                for (long j = 0; j < EXO_NL; j++) {
                    double sc = atol + rtol * fabs(y[j]);
                    d2 += ((k1[j] - f0[j]) / sc) * ((k1[j] - f0[j]) / sc);
                }
                d2 = sqrt(d2 / EXO_NL) / h0;
                double dm = d1 > d2 ? d1 : d2;
                double h1 = dm <= 1e-15 ? fmax(1e-6, h0 * 1e-3) : pow(0.01 / dm, 0.25);
                h = fmin(100.0 * h0, h1);
            }
            while (t < span && !failed) {
                double hh = h;
                int last = 0;
                if (t + hh >= span * (1.0 - 1e-12)) { hh = span - t; last = 1; }
                double tg = t0g + t;
                for (long j = 0; j < EXO_NL; j++) den[j] = 1.0 / (1.0 + GAM * hh * dec[j]);
                for (long j = 0; j < EXO_NL; j++) k1[j] = hh * f0[j] * den[j];
                for (long j = 0; j < EXO_NL; j++) yt[j] = y[j] + A21 * k1[j];
                pk_at(tg + C2 * hh, sa, sb, seg_t, zs, bs, lam_i, vec_i, act, n_act, rows, nrows,
                      pks);
                rhs(yt, pks, p, k2);
                for (long j = 0; j < EXO_NL; j++)
                    k2[j] = (hh * k2[j] - hh * dec[j] * (G21 * k1[j])) * den[j];
                for (long j = 0; j < EXO_NL; j++) yt[j] = y[j] + A31 * k1[j] + A32 * k2[j];
                pk_at(tg + C3 * hh, sa, sb, seg_t, zs, bs, lam_i, vec_i, act, n_act, rows, nrows,
                      pks);
                rhs(yt, pks, p, k3);
                for (long j = 0; j < EXO_NL; j++)
                    k3[j] = (hh * k3[j] - hh * dec[j] * (G31 * k1[j] + G32 * k2[j])) * den[j];
                for (long j = 0; j < EXO_NL; j++) yt[j] = y[j] + k3[j];
                pk_at(tg + hh, sa, sb, seg_t, zs, bs, lam_i, vec_i, act, n_act, rows, nrows, pks);
                rhs(yt, pks, p, k4);
                for (long j = 0; j < EXO_NL; j++)
                    k4[j] = (hh * k4[j] - hh * dec[j] * (G41 * k1[j] + G42 * k2[j] + G43 * k3[j]))
                            * den[j];
                for (long j = 0; j < EXO_NL; j++) {
                    y1[j] = y[j] + B1 * k1[j] + B2 * k2[j] + B3 * k3[j] + B4 * k4[j];
                    er[j] = (B1 - BH1) * k1[j] + (B2 - BH2) * k2[j] + (B3 - BH3) * k3[j]
                            + (B4 - BH4) * k4[j];
                }
                n_rhs += 3;
                double en = err_norm(y, y1, er, rtol, atol);
                if (en <= 1.0) {
                    n_acc++;
                    double t_new = last ? span : t + hh;
                    rhs(y1, pks, p, f1);
                    n_rhs++;
                    while (rec < nrec && rec_t[rec] <= t0g + t_new + 1e-12 * span) {
                        double th = fmin(1.0, (rec_t[rec] - tg) / hh);
                        double h00 = (1.0 + 2.0 * th) * ((1.0 - th) * (1.0 - th));
                        double h10 = th * ((1.0 - th) * (1.0 - th));
                        double h01 = th * th * (3.0 - 2.0 * th);
                        double h11 = th * th * (th - 1.0);
                        for (long j = 0; j < EXO_NL; j++)
                            ydense[j] = h00 * y[j] + h01 * y1[j] + hh * (h10 * f0[j] + h11 * f1[j]);
                        pk_at(tg + th * hh, sa, sb, seg_t, zs, bs, lam_i, vec_i, act, n_act,
                              allrows, EXO_M, pkr);
                        values(ydense, pkr, p, tmp);
                        for (long j = 0; j < nsel; j++)
                            out[(j * nrec + rec) * ntot + i] = tmp[sel[j]];
                        rec++;
                    }
                    t = t_new;
                    memcpy(y, y1, sizeof y);
                    memcpy(f0, f1, sizeof f0);
                    double fac = en == 0.0 ? 5.0 : fmin(5.0, fmax(0.2, 0.9 * pow(en, -1.0 / 3.0)));
                    h = last ? fmax(h, hh * fac) : hh * fac;
                } else if (en != en) {
                    n_rej++;
                    h = hh * 0.1;
                } else {
                    n_rej++;
                    h = hh * fmax(0.2, 0.9 * pow(en, -1.0 / 3.0));
                }
                if (n_acc + n_rej > max_steps || h < 1e-14) failed = 1;
            }
            if (failed) break;
            sa = sb;
        }
        if (failed)
            for (long j = 0; j < nsel; j++)
                for (long r = 0; r < nrec; r++) out[(j * nrec + r) * ntot + i] = NAN;
        stats[i * 3] = n_rhs;
        stats[i * 3 + 1] = n_acc;
        stats[i * 3 + 2] = n_rej;
    }
    free(zs);
    free(bs);
    return 0;
}
"""


@dataclass(frozen=True)
class Table:
    """What the C file needs from the formula table (:func:`exosci.model.compiled.c_source`
    fills it, so this module imports nothing of the engine above it)."""

    les: list[str]  # lesion states, in y order
    pk: list[str]  # delivery states, in pk order
    params: list[str]  # parameters, in p order
    values: list[str]  # recordable outputs, in order
    rates: list[str]  # each lesion state's rate formula
    rhs_used: set[str]  # symbols the rates need
    rhs_inter: list[tuple[str, str]]  # intermediates the rates need, in table order
    val_used: set[str]
    val_inter: list[tuple[str, str]]
    n_inputs: int


def _decls(t: Table, used: set[str]) -> list[str]:
    out = [f"    const double {n} = y[{i}];" for i, n in enumerate(t.les) if n in used]
    out += [f"    const double {n} = pk[{i}];" for i, n in enumerate(t.pk) if n in used]
    out += [f"    const double {n} = p[{i}];" for i, n in enumerate(t.params) if n in used]
    return out


def render(t: Table) -> str:
    """The whole C file: right-hand side and outputs from the formula table, then the driver."""
    lines = ["#include <math.h>", "#include <stdlib.h>", "#include <string.h>"]
    lines += [
        f"#define EXO_NL {len(t.les)}",  # prefixed: a state may be called M
        f"#define EXO_M {len(t.pk)}",
        f"#define EXO_NIN {t.n_inputs}",
        f"#define EXO_NV {len(t.values)}",
    ]
    lines += [
        "static inline void rhs(const double *y, const double *pk, const double *p, double *out) {"
    ]
    lines += _decls(t, t.rhs_used)
    lines += [f"    const double {n} = {c_expr(e)};" for n, e in t.rhs_inter]
    lines += [f"    out[{i}] = {c_expr(r)};" for i, r in enumerate(t.rates)]
    lines += ["}"]
    lines += [
        "static void values(const double *y, const double *pk, const double *p, double *out) {"
    ]
    lines += _decls(t, t.val_used)
    lines += [f"    const double {n} = {c_expr(e)};" for n, e in t.val_inter]
    lines += [f"    out[{i}] = {n};" for i, n in enumerate(t.values)]
    lines += ["}"]
    return "\n".join(lines) + DRIVER


def compiler() -> str | None:
    """The C compiler to use: ``$CC``, else ``cc``, ``gcc`` or ``clang`` on the PATH."""
    from exosci._engine_stamp import c_compiler

    return c_compiler()


def _compiler_id(cc: str) -> str:
    """The compiler's resolved file, size and time (a stat, not a ``--version`` process: this is
    on the path to the first progress line): a new or upgraded compiler gives a new library."""
    path = shutil.which(cc) or cc
    try:
        real = os.path.realpath(path)
        st = os.stat(real)
    except OSError:
        return cc
    return f"{real} {st.st_size} {st.st_mtime_ns}"


def library_path(where: Path, cc: str, source: str) -> Path:
    """Where the compiled library of ``source`` (the C file) for this compiler and machine lives."""
    key = "\n".join([source, _compiler_id(cc), " ".join(FLAGS), platform.machine()])
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return where / f"exosci_cengine_{digest}.so"


def build(where: Path, cc: str, source: str) -> Path:
    """Compile ``source`` into ``where`` (atomically: a half-written library never loads); the
    existing library when its source hash is there already."""
    lib = library_path(where, cc, source)
    if lib.exists():
        return lib
    src = lib.with_suffix(f".{os.getpid()}.c")
    tmp = lib.with_suffix(f".{os.getpid()}.tmp.so")
    src.write_text(source, "utf-8")
    try:
        res = subprocess.run(
            [cc, *FLAGS, "-o", str(tmp), str(src), "-lm"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if res.returncode != 0:
            raise RuntimeError(f"{cc} failed: {res.stderr.strip()[-2000:]}")
        os.replace(tmp, lib)
    finally:
        src.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)
    return lib


_L = ctypes.c_long
_D = ctypes.c_double
_P = ctypes.c_void_p
ARGTYPES: list[Any] = [
    _L,
    _L,
    _L,
    _P,
    _L,
    _P,
    _P,
    _P,
    _P,
    _P,
    _P,
    _P,
    _P,
    _P,
    _L,
    _P,
    _P,
    _P,
    _P,
    _P,
]
ARGTYPES += [_P, _L, _L, _P, _L, _P, _D, _D, _L, _P, _P]


def load(lib: Path) -> Any:
    """The compiled ``exo_run`` function, with its argument types declared."""
    fn = ctypes.CDLL(str(lib)).exo_run
    fn.argtypes = ARGTYPES
    fn.restype = ctypes.c_int
    return fn


_thread_limit: list[int] = []


def set_threads(n: int) -> None:
    """Use at most ``n`` threads (``numba.set_num_threads`` for this engine; a Dask worker with
    one thread per process sets 1)."""
    _thread_limit[:] = [max(1, int(n))]


def threads() -> int:
    """Threads sharing the subjects: :func:`set_threads`, else the CPUs this process may use."""
    if _thread_limit:
        return _thread_limit[0]
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def integrate(
    fn: Any,
    k: dict[str, np.ndarray],
    record: np.ndarray,
    sel: np.ndarray,
    rows: np.ndarray,
    rtol: float,
    atol: float,
    max_steps: int,
    out: np.ndarray,
    stats: np.ndarray,
    n_threads: int | None = None,
) -> None:
    """``integrate_kernel`` of the numba engine, same arrays, run by ``fn`` (``exo_run``)."""
    f64 = {
        name: np.ascontiguousarray(k[name], dtype=np.float64)
        for name in ("par", "dec", "y0", "lam", "vec", "vinv", "bpk", "dose", "seg_t", "seg_u")
    }
    f64["seg_bolus"] = np.ascontiguousarray(k["seg_bolus"], dtype=np.float64)
    i64 = {
        name: np.ascontiguousarray(k[name], dtype=np.int64)
        for name in ("design_of", "nseg", "bolus_idx")
    }
    seg_u, seg_b = f64["seg_u"], f64["seg_bolus"]
    n_des, kmax, n_in = seg_u.shape
    used = np.zeros((n_des, n_in + 1), dtype=np.int32)
    for d in range(n_des):
        kd = int(i64["nseg"][d])
        used[d, :n_in] = (seg_u[d, :kd] != 0.0).any(axis=0)
        used[d, n_in] = bool((seg_b[d, :kd] != 0.0).any())
    rec = np.ascontiguousarray(record, dtype=np.float64)
    sel = np.ascontiguousarray(sel, dtype=np.int64)
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    assert out.flags.c_contiguous and out.dtype == np.float64
    assert stats.flags.c_contiguous and stats.dtype == np.int64
    ntot = f64["par"].shape[0]
    npar = f64["par"].shape[1]

    def call(i0: int, i1: int) -> int:
        return int(
            fn(i0, i1, ntot, f64["par"].ctypes.data, npar, f64["dec"].ctypes.data,
               f64["y0"].ctypes.data, f64["lam"].ctypes.data, f64["vec"].ctypes.data,
               f64["vinv"].ctypes.data, f64["bpk"].ctypes.data, f64["dose"].ctypes.data,
               i64["design_of"].ctypes.data, i64["nseg"].ctypes.data, kmax,
               f64["seg_t"].ctypes.data, seg_u.ctypes.data, seg_b.ctypes.data,
               i64["bolus_idx"].ctypes.data, used.ctypes.data, rec.ctypes.data, len(rec),
               len(sel), sel.ctypes.data, len(rows), rows.ctypes.data, rtol, atol, max_steps,
               out.ctypes.data, stats.ctypes.data)
        )  # fmt: skip

    n_thr = min(n_threads or threads(), max(1, ntot // 16))
    if n_thr <= 1:
        codes = [call(0, ntot)]
    else:
        # Interleaved chunks balance subjects of different cost (a depot's hourly segments).
        size = max(1, min(64, ntot // (4 * n_thr)))
        bounds = [(a, min(a + size, ntot)) for a in range(0, ntot, size)]
        with ThreadPoolExecutor(n_thr) as pool:
            codes = list(pool.map(lambda b: call(*b), bounds))
    if any(codes):
        raise MemoryError("the C engine could not allocate its segment buffers")
