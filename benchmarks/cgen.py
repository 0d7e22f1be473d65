"""A hand-written C loop of exosci's scheme, generated from the formula table, for benchmarking.

The C right-hand side is printed from ``equations.py`` (the strings that also make the numba
engine and the SBML); the driver is the same algorithm as ``model/_kernel.py`` line by line
(closed-form delivery block, Rosenbrock-W ROS34PW2, same step-size control, same segments), one
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
    out += [f"    const double {n} = p[{i}];" for i, n in enumerate(PARAMS) if n in used]
    return out


DRIVER = r"""
static long pk_segments(const double *lam, const double *vinv, const double *g, double dose,
                        long nseg, const double *seg_t, const double *seg_u,
                        const double *seg_bolus, long bolus_idx, const int *used, long *act,
                        double *zs, double *bs) {
    double z[EXO_M] = {0}, ex[EXO_M], p1[EXO_M];
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

static void pk_at(double t, long sa, long sb, const double *seg_t, const double *zs,
                  const double *bs, const double *lam, const double *vec, const long *act,
                  long n_act, const long *rows, long nrows, double *out) {
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

int run(long n, const double *par, long npar, const double *dec_all, const double *y0,
        const double *lam, const double *vec, const double *vinv, const double *bpk,
        const double *dose_all, long nseg, const double *seg_t, const double *seg_u,
        const double *seg_bolus, long bolus_idx, const double *rec_t, long nsel,
        const long *sel, long nrows, const long *rows, double rtol, double atol,
        long max_steps, long nrec, double *out, long *stats, double *zs, double *bs) {
    long allrows[EXO_M];
    const double C2 = A21, C3 = A31 + A32;
    int used[EXO_NIN + 1] = {0};
    for (long s = 0; s < nseg; s++) {
        for (long j = 0; j < EXO_NIN; j++) if (seg_u[s * EXO_NIN + j] != 0.0) used[j] = 1;
        if (seg_bolus[s] != 0.0) used[EXO_NIN] = 1;
    }
    for (long k = 0; k < EXO_M; k++) allrows[k] = k;
    for (long i = 0; i < n; i++) {
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
        long n_act = pk_segments(lam_i, vinv_i, g, dose, nseg, seg_t, seg_u, seg_bolus, bolus_idx,
                                 used, act, zs, bs);
        double y[EXO_NL], pks[EXO_M] = {0}, pkr[EXO_M];
        double k1[EXO_NL], k2[EXO_NL], k3[EXO_NL], k4[EXO_NL], f0[EXO_NL], f1[EXO_NL];
        double yt[EXO_NL], y1[EXO_NL], er[EXO_NL], den[EXO_NL], tmp[EXO_NV], ydense[EXO_NL];
        long n_rhs = 0, n_acc = 0, n_rej = 0, rec = 0;
        int failed = 0;
        memcpy(y, y0 + i * EXO_NL, sizeof y);
        while (rec < nrec && rec_t[rec] <= seg_t[0]) {
            values(y, pks, p, tmp);
            for (long j = 0; j < nsel; j++) out[(j * nrec + rec) * n + i] = tmp[sel[j]];
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
                pk_at(t0g + h0, sa, sb, seg_t, zs, bs, lam_i, vec_i, act, n_act, rows, nrows, pks);
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
                pk_at(tg + C2 * hh, sa, sb, seg_t, zs, bs, lam_i, vec_i, act, n_act, rows, nrows, pks);
                rhs(yt, pks, p, k2);
                for (long j = 0; j < EXO_NL; j++)
                    k2[j] = (hh * k2[j] - hh * dec[j] * (G21 * k1[j])) * den[j];
                for (long j = 0; j < EXO_NL; j++) yt[j] = y[j] + A31 * k1[j] + A32 * k2[j];
                pk_at(tg + C3 * hh, sa, sb, seg_t, zs, bs, lam_i, vec_i, act, n_act, rows, nrows, pks);
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
                        double h00 = (1.0 + 2.0 * th) * (1.0 - th) * (1.0 - th);
                        double h10 = th * (1.0 - th) * (1.0 - th);
                        double h01 = th * th * (3.0 - 2.0 * th);
                        double h11 = th * th * (th - 1.0);
                        for (long j = 0; j < EXO_NL; j++)
                            ydense[j] = h00 * y[j] + h01 * y1[j] + hh * (h10 * f0[j] + h11 * f1[j]);
                        pk_at(tg + th * hh, sa, sb, seg_t, zs, bs, lam_i, vec_i, act, n_act, allrows, EXO_M, pkr);
                        values(ydense, pkr, p, tmp);
                        for (long j = 0; j < nsel; j++) out[(j * nrec + rec) * n + i] = tmp[sel[j]];
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
        "static inline void rhs(const double *y, const double *pk, const double *p, double *out) {"
    ]
    lines += _decls(used)
    lines += [f"    const double {n} = {c_expr(e)};" for n, e in inter]
    lines += [f"    out[{i}] = {c_expr(st.rate)};" for i, st in enumerate(LESION_STATES)]
    lines += ["}"]
    all_used, all_inter = _closure(set(VALUE_NAMES))
    lines += [
        "static void values(const double *y, const double *pk, const double *p, double *out) {"
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

        arrays = [par, inp.dec, y0, dv.lam, dv.vec, dv.vinv, dv.bpk]
        arrays = [np.ascontiguousarray(a, dtype=float) for a in arrays]
        seg_t = np.ascontiguousarray(sch.t, dtype=float)
        seg_u = np.ascontiguousarray(sch.u, dtype=float)
        seg_b = np.ascontiguousarray(sch.bolus, dtype=float)
        zs = np.empty((len(seg_u), len(PK_NAMES)))  # one subject's segment coordinates
        bs = np.empty_like(zs)
        self.lib.run(
            ctypes.c_long(n),
            ptr(arrays[0]),
            ctypes.c_long(len(PARAMS)),
            ptr(arrays[1]),
            ptr(arrays[2]),
            ptr(arrays[3]),
            ptr(arrays[4]),
            ptr(arrays[5]),
            ptr(arrays[6]),
            ptr(dose),
            ctypes.c_long(len(seg_t) - 1),
            ptr(seg_t),
            ptr(seg_u),
            ptr(seg_b),
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
            ptr(zs),
            ptr(bs),
        )
        days = sch.record
        return days, {x: out[j] for j, x in enumerate(outputs)}, stats
