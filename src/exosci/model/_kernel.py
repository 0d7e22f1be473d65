"""Integrator source for the compiled engine (a template, not imported on its own).

:mod:`exosci.model.compiled` writes one module = this file's text + the right-hand side and
output functions it generates from the formula table (``equations.py``), and compiles it with
numba (``cache=True``). The placeholders ``rhs`` and ``values`` below are replaced by the
generated functions of the same name, which the module defines after this text.

Scheme, per subject (subjects run in parallel, ``prange``):

* the delivery block (``PK_STATES``) is linear with constant coefficients between events, so it
  is evaluated in closed form at any time: with ``A = V diag(lam) V^-1`` and a constant input
  ``b``, the eigen-coordinates are ``z(s) = z0 exp(lam s) + beta s phi1(lam s)``,
  ``phi1(x) = expm1(x) / x``;
* the lesion block is integrated with Dormand-Prince 5(4) (FSAL, error per step against
  ``atol + rtol |y|``, RMS norm as in Hairer, Norsett & Wanner, Solving ODEs I, II.4), reading
  plasma/CSF from the closed form at every stage time;
* the time axis is cut into segments at every dose and release-rate change; each segment
  restarts the method (fresh first stage), so dose discontinuities are exact;
* recorded times do not cut steps: the lesion states there come from the method's continuous
  extension (4th order, Hairer's dense output for DOPRI5) and the delivery states from the
  closed form.
"""

from __future__ import annotations

from math import expm1, sqrt
from typing import Any

import numpy as np
from numba import njit, prange

# Placeholders: the generated module defines these after this text.
rhs: Any = None
values: Any = None
N_VALUES = 0

# Dormand-Prince 5(4) coefficients (Dormand & Prince 1980).
C2, C3, C4, C5 = 1 / 5, 3 / 10, 4 / 5, 8 / 9
A21 = 1 / 5
A31, A32 = 3 / 40, 9 / 40
A41, A42, A43 = 44 / 45, -56 / 15, 32 / 9
A51, A52, A53, A54 = 19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729
A61, A62, A63, A64, A65 = 9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656
A71, A73, A74, A75, A76 = 35 / 384, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84
# Dense output: y(t + th h) = y + h sum_j k_j sum_c D[j][c] th^(c+1) (Hairer's DOPRI5).
D1 = (1.0, -8048581381 / 2820520608, 8663915743 / 2820520608, -12715105075 / 11282082432)
D3 = (0.0, 131558114200 / 32700410799, -68118460800 / 10900136933, 87487479700 / 32700410799)
D4 = (0.0, -1754552775 / 470086768, 14199869525 / 1410260304, -10690763975 / 1880347072)
D5 = (0.0, 127303824393 / 49829197408, -318862633887 / 49829197408, 701980252875 / 199316789632)
D6 = (0.0, -282668133 / 205662961, 2019193451 / 616988883, -1453857185 / 822651844)
D7 = (0.0, 40617522 / 29380423, -110615467 / 29380423, 69997945 / 29380423)
E1, E3, E4, E5, E6, E7 = (
    71 / 57600,
    -71 / 16695,
    71 / 1920,
    -17253 / 339200,
    22 / 525,
    -1 / 40,
)


@njit(cache=True, error_model="numpy")
def pk_at(s, z0, beta, lam, vec, rows, out):  # type: ignore[no-untyped-def]
    """Delivery states ``rows`` at time ``s`` into the segment (closed form)."""
    m = lam.shape[0]
    for r in rows:
        out[r] = 0.0
    for k in range(m):
        x = lam[k] * s
        zk = 0.0
        if z0[k] != 0.0 and x > -700.0:  # a mode that is absent or has decayed below 1e-304
            zk = z0[k] * np.exp(x)
        if beta[k] != 0.0:
            phi1 = 1.0 + x * (0.5 + x / 6.0) if abs(x) < 1e-5 else expm1(x) / x
            zk += beta[k] * s * phi1
        if zk != 0.0:
            for r in rows:
                out[r] += vec[r, k] * zk


@njit(cache=True, error_model="numpy")
def err_norm(y, y1, err, rtol, atol):  # type: ignore[no-untyped-def]
    acc = 0.0
    for j in range(y.shape[0]):
        sc = atol + rtol * max(abs(y[j]), abs(y1[j]))
        acc += (err[j] / sc) ** 2
    return sqrt(acc / y.shape[0])


@njit(cache=True, error_model="numpy")
def one_subject(  # type: ignore[no-untyped-def]
    i,
    par,
    y0,
    lam,
    vec,
    vinv,
    bpk,
    dose,
    seg_t,
    seg_u,
    seg_bolus,
    bolus_pk,
    bolus_idx,
    rec_t,
    sel,
    rows,
    rtol,
    atol,
    max_steps,
    out,
    stats,
):
    n_les = y0.shape[1]
    m = lam.shape[1]
    n_in = seg_u.shape[1]
    p = par[i]
    y = y0[i].copy()
    pk = np.zeros(m)
    pks = np.zeros(m)
    allrows = np.arange(m)
    u = np.zeros(n_in)
    z0 = np.zeros(m)
    beta = np.zeros(m)
    bu = np.zeros(m)
    k1 = np.zeros(n_les)
    k2 = np.zeros(n_les)
    k3 = np.zeros(n_les)
    k4 = np.zeros(n_les)
    k5 = np.zeros(n_les)
    k6 = np.zeros(n_les)
    k7 = np.zeros(n_les)
    yt = np.zeros(n_les)
    y1 = np.zeros(n_les)
    er = np.zeros(n_les)
    tmp = np.zeros(N_VALUES)
    n_rhs = 0
    n_acc = 0
    n_rej = 0
    rec = 0
    failed = False
    n_rec = rec_t.shape[0]
    ydense = np.zeros(n_les)
    pkr = np.zeros(m)
    while rec < n_rec and rec_t[rec] <= seg_t[0]:
        values(y, pk, u, p, tmp)
        for j in range(sel.shape[0]):
            out[j, rec, i] = tmp[sel[j]]
        rec += 1
    h = 0.0
    n_seg = seg_t.shape[0] - 1
    s = 0
    while s < n_seg:
        # This subject's segment runs to the next change it sees (a zero dose sees none: its
        # segments, and so its steps, equal those of a control).
        e = s + 1
        while e < n_seg and seg_bolus[e] * dose[i] == 0.0:
            same = True
            for j in range(n_in):
                if seg_u[e, j] * dose[i] != seg_u[s, j] * dose[i]:
                    same = False
            if not same:
                break
            e += 1
        amt = seg_bolus[s] * dose[i]
        if amt != 0.0:
            if bolus_pk:
                pk[bolus_idx] += amt
            else:
                y[bolus_idx] += amt
            h = 0.0  # a jump in the state: choose the step afresh
        for j in range(n_in):
            u[j] = seg_u[s, j] * dose[i]
        for k in range(m):
            acc_z = 0.0
            for j in range(m):
                acc_z += vinv[i, k, j] * pk[j]
            z0[k] = acc_z
        for r in range(m):
            acc_b = 0.0
            for j in range(n_in):
                acc_b += bpk[i, r, j] * u[j]
            bu[r] = acc_b
        for k in range(m):
            acc_z = 0.0
            for r in range(m):
                acc_z += vinv[i, k, r] * bu[r]
            beta[k] = acc_z
        lam_i = lam[i]
        vec_i = vec[i]
        span = seg_t[e] - seg_t[s]
        t = 0.0
        for j in range(m):
            pks[j] = pk[j]
        rhs(y, pks, u, p, k1)
        n_rhs += 1
        if h == 0.0:
            # Initial step (Hairer, Norsett & Wanner, Solving ODEs I, II.4)
            d0 = 0.0
            d1 = 0.0
            for j in range(n_les):
                sc = atol + rtol * abs(y[j])
                d0 += (y[j] / sc) ** 2
                d1 += (k1[j] / sc) ** 2
            d0 = sqrt(d0 / n_les)
            d1 = sqrt(d1 / n_les)
            h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
            h0 = min(h0, span)
            for j in range(n_les):
                yt[j] = y[j] + h0 * k1[j]
            pk_at(h0, z0, beta, lam_i, vec_i, rows, pks)
            rhs(yt, pks, u, p, k2)
            n_rhs += 1
            d2 = 0.0
            for j in range(n_les):
                sc = atol + rtol * abs(y[j])
                d2 += ((k2[j] - k1[j]) / sc) ** 2
            d2 = sqrt(d2 / n_les) / h0
            dm = max(d1, d2)
            h1 = max(1e-6, h0 * 1e-3) if dm <= 1e-15 else (0.01 / dm) ** 0.2
            h = min(100.0 * h0, h1)
        while t < span and not failed:
            hh = h
            last = False
            if t + hh >= span * (1.0 - 1e-12):
                hh = span - t
                last = True
            for j in range(n_les):
                yt[j] = y[j] + hh * A21 * k1[j]
            pk_at(t + C2 * hh, z0, beta, lam_i, vec_i, rows, pks)
            rhs(yt, pks, u, p, k2)
            for j in range(n_les):
                yt[j] = y[j] + hh * (A31 * k1[j] + A32 * k2[j])
            pk_at(t + C3 * hh, z0, beta, lam_i, vec_i, rows, pks)
            rhs(yt, pks, u, p, k3)
            for j in range(n_les):
                yt[j] = y[j] + hh * (A41 * k1[j] + A42 * k2[j] + A43 * k3[j])
            pk_at(t + C4 * hh, z0, beta, lam_i, vec_i, rows, pks)
            rhs(yt, pks, u, p, k4)
            for j in range(n_les):
                yt[j] = y[j] + hh * (A51 * k1[j] + A52 * k2[j] + A53 * k3[j] + A54 * k4[j])
            pk_at(t + C5 * hh, z0, beta, lam_i, vec_i, rows, pks)
            rhs(yt, pks, u, p, k5)
            for j in range(n_les):
                yt[j] = y[j] + hh * (
                    A61 * k1[j] + A62 * k2[j] + A63 * k3[j] + A64 * k4[j] + A65 * k5[j]
                )
            pk_at(t + hh, z0, beta, lam_i, vec_i, rows, pks)
            rhs(yt, pks, u, p, k6)
            for j in range(n_les):
                y1[j] = y[j] + hh * (
                    A71 * k1[j] + A73 * k3[j] + A74 * k4[j] + A75 * k5[j] + A76 * k6[j]
                )
            rhs(y1, pks, u, p, k7)
            n_rhs += 6
            for j in range(n_les):
                er[j] = hh * (
                    E1 * k1[j] + E3 * k3[j] + E4 * k4[j] + E5 * k5[j] + E6 * k6[j] + E7 * k7[j]
                )
            en = err_norm(y, y1, er, rtol, atol)
            if en <= 1.0:
                n_acc += 1
                t_new = span if last else t + hh
                t0g = seg_t[s]
                while rec < n_rec and rec_t[rec] <= t0g + t_new + 1e-12 * span:
                    th = min(1.0, (rec_t[rec] - t0g - t) / hh)
                    th2 = th * th
                    th3 = th2 * th
                    th4 = th3 * th
                    b1 = D1[0] * th + D1[1] * th2 + D1[2] * th3 + D1[3] * th4
                    b3 = D3[1] * th2 + D3[2] * th3 + D3[3] * th4
                    b4 = D4[1] * th2 + D4[2] * th3 + D4[3] * th4
                    b5 = D5[1] * th2 + D5[2] * th3 + D5[3] * th4
                    b6 = D6[1] * th2 + D6[2] * th3 + D6[3] * th4
                    b7 = D7[1] * th2 + D7[2] * th3 + D7[3] * th4
                    for j in range(n_les):
                        ydense[j] = y[j] + hh * (
                            b1 * k1[j] + b3 * k3[j] + b4 * k4[j] + b5 * k5[j] + b6 * k6[j]
                        )
                        ydense[j] += hh * b7 * k7[j]
                    pk_at(t + th * hh, z0, beta, lam_i, vec_i, allrows, pkr)
                    values(ydense, pkr, u, p, tmp)
                    for j in range(sel.shape[0]):
                        out[j, rec, i] = tmp[sel[j]]
                    rec += 1
                t = t_new
                for j in range(n_les):
                    y[j] = y1[j]
                    k1[j] = k7[j]
                fac = 5.0 if en == 0.0 else min(5.0, max(0.2, 0.9 * en**-0.2))
                h = max(h, hh * fac) if last else hh * fac
            elif en != en:  # NaN: shrink hard
                n_rej += 1
                h = hh * 0.1
            else:
                n_rej += 1
                h = hh * max(0.2, 0.9 * en**-0.2)
            if n_acc + n_rej > max_steps or h < 1e-14:
                failed = True
        if failed:
            break
        pk_at(span, z0, beta, lam_i, vec_i, allrows, pk)
        s = e
    if failed:
        for j in range(sel.shape[0]):
            for r in range(out.shape[1]):
                out[j, r, i] = np.nan
    stats[i, 0] = n_rhs
    stats[i, 1] = n_acc
    stats[i, 2] = n_rej


@njit(parallel=True, cache=True, error_model="numpy")
def integrate_kernel(  # type: ignore[no-untyped-def]
    par,
    y0,
    lam,
    vec,
    vinv,
    bpk,
    dose,
    seg_t,
    seg_u,
    seg_bolus,
    bolus_pk,
    bolus_idx,
    rec_t,
    sel,
    rows,
    rtol,
    atol,
    max_steps,
    out,
    stats,
):
    for i in prange(par.shape[0]):
        one_subject(
            i,
            par,
            y0,
            lam,
            vec,
            vinv,
            bpk,
            dose,
            seg_t,
            seg_u,
            seg_bolus,
            bolus_pk,
            bolus_idx,
            rec_t,
            sel,
            rows,
            rtol,
            atol,
            max_steps,
            out,
            stats,
        )
