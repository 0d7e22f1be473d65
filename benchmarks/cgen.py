"""A hand-written C loop of exosci's scheme, generated from the formula table, for benchmarking.

The C right-hand side is printed from ``equations.py`` (the strings that also make the numba
engine and the SBML); the driver is the same algorithm as ``model/_kernel.py`` line by line
(closed-form delivery block, Dormand-Prince 5(4), same step-size control, same segments), one
subject after another on one thread. It is compiled with ``gcc -O3 -march=native`` into a
temporary directory when the benchmark runs; no C file is kept in the repository.
"""

from __future__ import annotations

import ctypes
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from exosci.model.compiled import (
    INTER_NAMES,
    LES_NAMES,
    PARAMS,
    PK_NAMES,
    PK_ROWS_FOR_LESION,
    VALUE_NAMES,
    _closure,
    prepare_inputs,
)
from exosci.model.equations import (
    INPUTS,
    INTERMEDIATES,
    LESION_STATES,
    symbols,
)

_INT = re.compile(r"(?<![A-Za-z_0-9.])(\d+)(?![\d.eE])")


def c_expr(expr: str) -> str:
    """A formula as C: integer literals become doubles (``1 / 2`` must not be integer division)."""
    return _INT.sub(r"\1.0", expr)


def _decls(used: set[str]) -> list[str]:
    out = [f"    const double {n} = y[{i}];" for i, n in enumerate(LES_NAMES) if n in used]
    out += [f"    const double {n} = pk[{i}];" for i, n in enumerate(PK_NAMES) if n in used]
    out += [f"    const double {n} = u[{i}];" for i, n in enumerate(INPUTS) if n in used]
    out += [f"    const double {n} = p[{i}];" for i, n in enumerate(PARAMS) if n in used]
    return out


DRIVER = r"""
static void pk_at(double s, const double *z0, const double *beta, const double *lam,
                  const double *vec, const long *rows, long nrows, double *out) {
    for (long r = 0; r < nrows; r++) out[rows[r]] = 0.0;
    for (long k = 0; k < EXO_M; k++) {
        double x = lam[k] * s;
        double zk = 0.0;
        if (z0[k] != 0.0 && x > -700.0) zk = z0[k] * exp(x);
        if (beta[k] != 0.0) {
            double phi1 = fabs(x) < 1e-5 ? 1.0 + x * (0.5 + x / 6.0) : expm1(x) / x;
            zk += beta[k] * s * phi1;
        }
        if (zk != 0.0)
            for (long r = 0; r < nrows; r++) out[rows[r]] += vec[rows[r] * EXO_M + k] * zk;
    }
}

static double err_norm(const double *y, const double *y1, const double *er, double rtol,
                       double atol) {
    double acc = 0.0;
    for (long j = 0; j < EXO_NL; j++) {
        double a = fabs(y[j]), b = fabs(y1[j]);
        double sc = atol + rtol * (a > b ? a : b);
        acc += (er[j] / sc) * (er[j] / sc);
    }
    return sqrt(acc / EXO_NL);
}

#define C2 (1.0 / 5)
#define C3 (3.0 / 10)
#define C4 (4.0 / 5)
#define C5 (8.0 / 9)
static const double A21 = 1.0 / 5;
static const double A31 = 3.0 / 40, A32 = 9.0 / 40;
static const double A41 = 44.0 / 45, A42 = -56.0 / 15, A43 = 32.0 / 9;
static const double A51 = 19372.0 / 6561, A52 = -25360.0 / 2187, A53 = 64448.0 / 6561,
                    A54 = -212.0 / 729;
static const double A61 = 9017.0 / 3168, A62 = -355.0 / 33, A63 = 46732.0 / 5247,
                    A64 = 49.0 / 176, A65 = -5103.0 / 18656;
static const double A71 = 35.0 / 384, A73 = 500.0 / 1113, A74 = 125.0 / 192,
                    A75 = -2187.0 / 6784, A76 = 11.0 / 84;
static const double D1[4] = {1.0, -8048581381.0 / 2820520608, 8663915743.0 / 2820520608,
                            -12715105075.0 / 11282082432};
static const double D3[4] = {0.0, 131558114200.0 / 32700410799, -68118460800.0 / 10900136933,
                            87487479700.0 / 32700410799};
static const double D4[4] = {0.0, -1754552775.0 / 470086768, 14199869525.0 / 1410260304,
                            -10690763975.0 / 1880347072};
static const double D5[4] = {0.0, 127303824393.0 / 49829197408, -318862633887.0 / 49829197408,
                            701980252875.0 / 199316789632};
static const double D6[4] = {0.0, -282668133.0 / 205662961, 2019193451.0 / 616988883,
                            -1453857185.0 / 822651844};
static const double D7[4] = {0.0, 40617522.0 / 29380423, -110615467.0 / 29380423,
                            69997945.0 / 29380423};
static const double E1 = 71.0 / 57600, E3 = -71.0 / 16695, E4 = 71.0 / 1920,
                    E5 = -17253.0 / 339200, E6 = 22.0 / 525, E7 = -1.0 / 40;

int run(long n, const double *par, long npar, const double *y0, const double *lam,
        const double *vec, const double *vinv, const double *bpk, const double *dose,
        long nseg, const double *seg_t, const double *seg_u, const double *seg_bolus,
        int bolus_pk, long bolus_idx, const double *rec_t, long nsel,
        const long *sel, long nrows, const long *rows, double rtol, double atol,
        long max_steps, long nrec, double *out, long *stats) {
    long allrows[EXO_M];
    for (long k = 0; k < EXO_M; k++) allrows[k] = k;
    for (long i = 0; i < n; i++) {
        const double *p = par + i * npar;
        const double *lam_i = lam + i * EXO_M;
        const double *vec_i = vec + i * EXO_M * EXO_M;
        const double *vinv_i = vinv + i * EXO_M * EXO_M;
        double y[EXO_NL], pk[EXO_M] = {0}, pks[EXO_M] = {0}, u[EXO_NIN] = {0}, z0[EXO_M], beta[EXO_M], bu[EXO_M];
        double k1[EXO_NL], k2[EXO_NL], k3[EXO_NL], k4[EXO_NL], k5[EXO_NL], k6[EXO_NL], k7[EXO_NL], yt[EXO_NL], y1[EXO_NL], er[EXO_NL];
        double tmp[EXO_NV], ydense[EXO_NL], pkr[EXO_M];
        long n_rhs = 0, n_acc = 0, n_rej = 0, rec = 0;
        int failed = 0;
        memcpy(y, y0 + i * EXO_NL, sizeof y);
        while (rec < nrec && rec_t[rec] <= seg_t[0]) {
            values(y, pk, u, p, tmp);
            for (long j = 0; j < nsel; j++) out[(j * nrec + rec) * n + i] = tmp[sel[j]];
            rec++;
        }
        double h = 0.0;
        long s = 0;
        while (s < nseg) {
            long e = s + 1;
            while (e < nseg && seg_bolus[e] * dose[i] == 0.0) {
                int same = 1;
                for (long j = 0; j < EXO_NIN; j++)
                    if (seg_u[e * EXO_NIN + j] * dose[i] != seg_u[s * EXO_NIN + j] * dose[i]) same = 0;
                if (!same) break;
                e++;
            }
            double amt = seg_bolus[s] * dose[i];
            if (amt != 0.0) {
                if (bolus_pk) pk[bolus_idx] += amt; else y[bolus_idx] += amt;
                h = 0.0;
            }
            for (long j = 0; j < EXO_NIN; j++) u[j] = seg_u[s * EXO_NIN + j] * dose[i];
            for (long k = 0; k < EXO_M; k++) {
                double a = 0.0;
                for (long j = 0; j < EXO_M; j++) a += vinv_i[k * EXO_M + j] * pk[j];
                z0[k] = a;
            }
            for (long r = 0; r < EXO_M; r++) {
                double a = 0.0;
                for (long j = 0; j < EXO_NIN; j++) a += bpk[(i * EXO_M + r) * EXO_NIN + j] * u[j];
                bu[r] = a;
            }
            for (long k = 0; k < EXO_M; k++) {
                double a = 0.0;
                for (long r = 0; r < EXO_M; r++) a += vinv_i[k * EXO_M + r] * bu[r];
                beta[k] = a;
            }
            double span = seg_t[e] - seg_t[s];
            double t = 0.0;
            memcpy(pks, pk, sizeof pk);
            rhs(y, pks, u, p, k1);
            n_rhs++;
            if (h == 0.0) {
                double d0 = 0, d1 = 0, d2 = 0;
                for (long j = 0; j < EXO_NL; j++) {
                    double sc = atol + rtol * fabs(y[j]);
                    d0 += (y[j] / sc) * (y[j] / sc);
                    d1 += (k1[j] / sc) * (k1[j] / sc);
                }
                d0 = sqrt(d0 / EXO_NL);
                d1 = sqrt(d1 / EXO_NL);
                double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
                if (h0 > span) h0 = span;
                for (long j = 0; j < EXO_NL; j++) yt[j] = y[j] + h0 * k1[j];
                pk_at(h0, z0, beta, lam_i, vec_i, rows, nrows, pks);
                rhs(yt, pks, u, p, k2);
                n_rhs++;
                for (long j = 0; j < EXO_NL; j++) {
                    double sc = atol + rtol * fabs(y[j]);
                    d2 += ((k2[j] - k1[j]) / sc) * ((k2[j] - k1[j]) / sc);
                }
                d2 = sqrt(d2 / EXO_NL) / h0;
                double dm = d1 > d2 ? d1 : d2;
                double h1 = dm <= 1e-15 ? fmax(1e-6, h0 * 1e-3) : pow(0.01 / dm, 0.2);
                h = fmin(100.0 * h0, h1);
            }
            while (t < span && !failed) {
                double hh = h;
                int last = 0;
                if (t + hh >= span * (1.0 - 1e-12)) { hh = span - t; last = 1; }
                for (long j = 0; j < EXO_NL; j++) yt[j] = y[j] + hh * A21 * k1[j];
                pk_at(t + C2 * hh, z0, beta, lam_i, vec_i, rows, nrows, pks);
                rhs(yt, pks, u, p, k2);
                for (long j = 0; j < EXO_NL; j++) yt[j] = y[j] + hh * (A31 * k1[j] + A32 * k2[j]);
                pk_at(t + C3 * hh, z0, beta, lam_i, vec_i, rows, nrows, pks);
                rhs(yt, pks, u, p, k3);
                for (long j = 0; j < EXO_NL; j++)
                    yt[j] = y[j] + hh * (A41 * k1[j] + A42 * k2[j] + A43 * k3[j]);
                pk_at(t + C4 * hh, z0, beta, lam_i, vec_i, rows, nrows, pks);
                rhs(yt, pks, u, p, k4);
                for (long j = 0; j < EXO_NL; j++)
                    yt[j] = y[j] + hh * (A51 * k1[j] + A52 * k2[j] + A53 * k3[j] + A54 * k4[j]);
                pk_at(t + C5 * hh, z0, beta, lam_i, vec_i, rows, nrows, pks);
                rhs(yt, pks, u, p, k5);
                for (long j = 0; j < EXO_NL; j++)
                    yt[j] = y[j] + hh * (A61 * k1[j] + A62 * k2[j] + A63 * k3[j] + A64 * k4[j]
                                         + A65 * k5[j]);
                pk_at(t + hh, z0, beta, lam_i, vec_i, rows, nrows, pks);
                rhs(yt, pks, u, p, k6);
                for (long j = 0; j < EXO_NL; j++)
                    y1[j] = y[j] + hh * (A71 * k1[j] + A73 * k3[j] + A74 * k4[j] + A75 * k5[j]
                                         + A76 * k6[j]);
                rhs(y1, pks, u, p, k7);
                n_rhs += 6;
                for (long j = 0; j < EXO_NL; j++)
                    er[j] = hh * (E1 * k1[j] + E3 * k3[j] + E4 * k4[j] + E5 * k5[j] + E6 * k6[j]
                                  + E7 * k7[j]);
                double en = err_norm(y, y1, er, rtol, atol);
                if (en <= 1.0) {
                    n_acc++;
                    double t_new = last ? span : t + hh, t0g = seg_t[s];
                    while (rec < nrec && rec_t[rec] <= t0g + t_new + 1e-12 * span) {
                        double th = fmin(1.0, (rec_t[rec] - t0g - t) / hh);
                        double th2 = th * th, th3 = th2 * th, th4 = th3 * th;
                        double b1 = D1[0] * th + D1[1] * th2 + D1[2] * th3 + D1[3] * th4;
                        double b3 = D3[1] * th2 + D3[2] * th3 + D3[3] * th4;
                        double b4 = D4[1] * th2 + D4[2] * th3 + D4[3] * th4;
                        double b5 = D5[1] * th2 + D5[2] * th3 + D5[3] * th4;
                        double b6 = D6[1] * th2 + D6[2] * th3 + D6[3] * th4;
                        double b7 = D7[1] * th2 + D7[2] * th3 + D7[3] * th4;
                        for (long j = 0; j < EXO_NL; j++) {
                            ydense[j] = y[j] + hh * (b1 * k1[j] + b3 * k3[j] + b4 * k4[j]
                                                     + b5 * k5[j] + b6 * k6[j]);
                            ydense[j] += hh * b7 * k7[j];
                        }
                        pk_at(t + th * hh, z0, beta, lam_i, vec_i, allrows, EXO_M, pkr);
                        values(ydense, pkr, u, p, tmp);
                        for (long j = 0; j < nsel; j++) out[(j * nrec + rec) * n + i] = tmp[sel[j]];
                        rec++;
                    }
                    t = t_new;
                    memcpy(y, y1, sizeof y);
                    memcpy(k1, k7, sizeof k1);
                    double fac = en == 0.0 ? 5.0 : fmin(5.0, fmax(0.2, 0.9 * pow(en, -0.2)));
                    h = last ? fmax(h, hh * fac) : hh * fac;
                } else if (en != en) {
                    n_rej++;
                    h = hh * 0.1;
                } else {
                    n_rej++;
                    h = hh * fmax(0.2, 0.9 * pow(en, -0.2));
                }
                if (n_acc + n_rej > max_steps || h < 1e-14) failed = 1;
            }
            if (failed) break;
            pk_at(span, z0, beta, lam_i, vec_i, allrows, EXO_M, pk);
            s = e;
        }
        if (failed)
            for (long j = 0; j < nsel; j++)
                for (long r = 0; r < nrec; r++) out[(j * nrec + r) * n + i] = NAN;
        stats[i * 3] = n_rhs;
        stats[i * 3 + 1] = n_acc;
        stats[i * 3 + 2] = n_rej;
    }
    return 0;
}
"""


def c_source() -> str:
    """The whole C file: right-hand side and outputs from the formula table, then the driver."""
    rate_syms: set[str] = set()
    for st in LESION_STATES:
        rate_syms |= symbols(st.rate)
    used, inter = _closure(rate_syms)
    lines = ["#include <math.h>", "#include <string.h>"]
    lines += [
        f"#define EXO_NL {len(LES_NAMES)}",  # prefixed: a state may be called M
        f"#define EXO_M {len(PK_NAMES)}",
        f"#define EXO_NIN {len(INPUTS)}",
        f"#define EXO_NV {len(VALUE_NAMES)}",
    ]
    lines += [
        "static inline void rhs(const double *y, const double *pk, const double *u, "
        "const double *p, double *out) {"
    ]
    lines += _decls(used)
    lines += [f"    const double {n} = {c_expr(e)};" for n, e in inter]
    lines += [f"    out[{i}] = {c_expr(st.rate)};" for i, st in enumerate(LESION_STATES)]
    lines += ["}"]
    all_used, all_inter = _closure(set(VALUE_NAMES))
    lines += [
        "static void values(const double *y, const double *pk, const double *u, "
        "const double *p, double *out) {"
    ]
    lines += _decls(all_used | set(VALUE_NAMES))
    lines += [f"    const double {n} = {c_expr(e)};" for n, e in all_inter]
    lines += [f"    out[{i}] = {n};" for i, n in enumerate(VALUE_NAMES)]
    lines += ["}"]
    assert set(INTER_NAMES) == {n for n, _ in INTERMEDIATES}
    return "\n".join(lines) + DRIVER


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
        self.lib = ctypes.CDLL(str(lib))
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
        par, y0, dv, sch, dose = inp.par, inp.y0, inp.dv, inp.sch, inp.dose
        rows = PK_ROWS_FOR_LESION
        sel = np.array([VALUE_NAMES.index(x) for x in outputs], dtype=np.int64)
        n_rec = len(sch.record)
        out = np.empty((len(outputs), n_rec, n))
        stats = np.zeros((n, 3), dtype=np.int64)
        rec = np.ascontiguousarray(sch.record, dtype=float)

        def ptr(a: np.ndarray) -> ctypes.c_void_p:
            return ctypes.c_void_p(a.ctypes.data)

        arrays = [par, y0, dv.lam, dv.vec, dv.vinv, dv.bpk]
        arrays = [np.ascontiguousarray(a, dtype=float) for a in arrays]
        seg_t = np.ascontiguousarray(sch.t, dtype=float)
        seg_u = np.ascontiguousarray(sch.u, dtype=float)
        seg_b = np.ascontiguousarray(sch.bolus, dtype=float)
        self.lib.run(
            ctypes.c_long(n),
            ptr(arrays[0]),
            ctypes.c_long(len(PARAMS)),
            ptr(arrays[1]),
            ptr(arrays[2]),
            ptr(arrays[3]),
            ptr(arrays[4]),
            ptr(arrays[5]),
            ptr(dose),
            ctypes.c_long(len(seg_t) - 1),
            ptr(seg_t),
            ptr(seg_u),
            ptr(seg_b),
            ctypes.c_int(int(sch.bolus_pk)),
            ctypes.c_long(sch.bolus_idx),
            ptr(rec),
            ctypes.c_long(len(sel)),
            ptr(sel),
            ctypes.c_long(len(rows)),
            ptr(rows),
            ctypes.c_double(rtol),
            ctypes.c_double(atol),
            ctypes.c_long(200_000),
            ctypes.c_long(n_rec),
            ptr(out),
            ptr(stats),
        )
        days = sch.record
        return days, {x: out[j] for j, x in enumerate(outputs)}, stats
