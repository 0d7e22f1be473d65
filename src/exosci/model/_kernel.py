"""Integrator source for the compiled engine (a template, not imported on its own).

:mod:`exosci.model.compiled` writes one module = this file's text + the right-hand side and
output functions it generates from the formula table (``equations.py``), and compiles it with
numba (``cache=True``). The placeholders ``rhs`` and ``values`` below are replaced by the
generated functions of the same name, which the module defines after this text.

Scheme, per subject (subjects run in parallel, ``prange``):

* the delivery block (``PK_STATES``) is linear with constant coefficients and driven only by
  the dosing inputs, which are constant between events, so it is solved in closed form: with
  ``A = V diag(lam) V^-1`` and a constant input ``b`` over an event segment, the
  eigen-coordinates are ``z(s) = z0 exp(lam s) + beta s phi1(lam s)``,
  ``phi1(x) = expm1(x) / x``. The coordinates at the start of every event segment (a dose, a
  change of a carrier's hourly release rate) are computed once per subject; the state at any
  time is then one closed-form evaluation from its segment's start;
* the lesion block is integrated with ROS34PW2 (Rang & Angermann 2005, BIT 45:761), a
  Rosenbrock-W method of order 3 with an embedded order-2 error estimate (error per step
  against ``atol + rtol |y|``, RMS norm as in Hairer & Wanner, Solving ODEs II, IV.7). A
  W-method keeps its order with any matrix ``W`` in place of the Jacobian; here ``W`` is the
  diagonal of constant first-order losses the formula table declares (``State.decay``: the
  cytokine degradation and the lesion's vesicle clearance, ~11-12 per day, made the lesion
  block stiff for an explicit method), so each stage is one right-hand side and an elementwise
  division, no matrix factorisation. Time dependence through the delivery block enters as an
  extra state whose ``W`` entries are zero (allowed for W-methods), i.e. the stages read the
  delivery states at their own times ``t + c_i h``;
* the lesion block restarts only where its right-hand side jumps: at a dose (a jump in the
  delivery states it reads). A release-rate change is a kink in the delivery states, not a
  jump in the lesion's right-hand side, so steps run across it and the error control sees it;
* the right-hand side, the delivery closed form and the error norm are inlined into the step
  loop at numba's IR level (``inline="always"``): 18 % less time per subject, identical
  numbers, at the price of a first compile twice as long (cached on disk);
* recorded times do not cut steps: the lesion states there come from cubic Hermite
  interpolation between the step's ends (values and derivatives; third order like the method)
  and the delivery states from the closed form.
"""

from __future__ import annotations

from math import exp, expm1, sqrt
from typing import Any

import numpy as np
from numba import njit, prange

# Placeholders: the generated module defines these after this text.
rhs: Any = None
values: Any = None
N_VALUES = 0

# ROS34PW2 (Rang & Angermann 2005), Hairer's convention: (I - GAM h W) k_i =
# h f(t + c_i h, y + sum_j A_ij k_j) + h W sum_j G_ij k_j;  y1 = y + sum_i B_i k_i.
GAM = 4.3586652150845900e-01
A21 = 8.7173304301691801e-01
A31, A32 = 8.4457060015369423e-01, -1.1299064236484185e-01
G21 = -8.7173304301691801e-01
G31, G32 = -9.0338057013044082e-01, 5.4180672388095326e-02
G41, G42, G43 = 2.4212380706095346e-01, -1.2232505839045147e00, 5.4526025533510214e-01
B1, B2, B3, B4 = (
    2.4212380706095346e-01,
    -1.2232505839045147e00,
    1.5452602553351023e00,
    4.3586652150845900e-01,
)
BH1, BH2, BH3, BH4 = (
    3.7810903145819369e-01,
    -9.6042292212423178e-02,
    5.0000000000000000e-01,
    2.1793326075422950e-01,
)
C2 = A21
C3 = A31 + A32
# stage 4 evaluates at y + k3, time t + h (A41 = A42 = 0, A43 = 1)


# A delivery mode that has decayed by exp(-50) (2e-22 of its value at the segment start) is
# dropped: far below any tolerance (a 1e4 ug dose leaves < 2e-18 ug), and it spares the
# exponentials of long-gone modes (the plasma phases are minutes to hours) for the rest of a run.
DECAYED = -50.0


@njit(cache=True, error_model="numpy")
def pk_segments(lam, vinv, g, dose, seg_t, seg_u, seg_bolus, bolus_idx, used, act, zs, bs):  # type: ignore[no-untyped-def]
    """Eigen-coordinates ``zs[s]`` at the start of each event segment (after its dose) and the
    input terms ``bs[s]`` (``g`` = V^-1 B, the input map in eigen-coordinates), for the modes
    the doses excite (``act``; the rest stay zero). ``used[j]``: input j is ever nonzero
    (j = n_in: some segment starts with a bolus). Returns how many modes are active."""
    m = lam.shape[0]
    n_seg = seg_u.shape[0]
    n_in = seg_u.shape[1]
    n_act = 0
    for k in range(m):
        on = used[n_in] and vinv[k, bolus_idx] != 0.0
        for j in range(n_in):
            if used[j] and g[k, j] != 0.0:
                on = True
        if on and dose != 0.0:
            act[n_act] = k
            n_act += 1
        for s in range(n_seg):
            zs[s, k] = 0.0
            bs[s, k] = 0.0
    z = np.zeros(m)
    ex = np.zeros(m)
    p1 = np.zeros(m)
    last = -1.0
    for s in range(n_seg):
        amt = seg_bolus[s] * dose
        span = seg_t[s + 1] - seg_t[s]
        if span != last:
            for a in range(n_act):
                k = act[a]
                x = lam[k] * span
                ex[k] = exp(x) if x > -700.0 else 0.0
                p1[k] = span * (1.0 + x * (0.5 + x / 6.0) if abs(x) < 1e-5 else expm1(x) / x)
            last = span
        for a in range(n_act):
            k = act[a]
            if amt != 0.0:
                z[k] += vinv[k, bolus_idx] * amt
            b = 0.0
            for j in range(n_in):
                b += g[k, j] * seg_u[s, j]
            b *= dose
            zs[s, k] = z[k]
            bs[s, k] = b
            z[k] = z[k] * ex[k] + b * p1[k]
    return n_act


@njit(cache=True, error_model="numpy", inline="always")
def pk_at(t, sa, sb, seg_t, zs, bs, lam, vec, act, n_act, rows, out):  # type: ignore[no-untyped-def]
    """Delivery states ``rows`` at time ``t`` (closed form from the start of the event segment
    holding ``t``, searched among segments ``sa .. sb - 1``: a time at ``seg_t[sb]`` reads the
    left limit, before a dose there). Only the active modes ``act[:n_act]`` are summed."""
    lo = sa
    hi = sb - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if seg_t[mid] <= t:
            lo = mid
        else:
            hi = mid - 1
    s = t - seg_t[lo]
    for r in rows:
        out[r] = 0.0
    for a in range(n_act):
        k = act[a]
        x = lam[k] * s
        zk = 0.0
        z0 = zs[lo, k]
        if z0 != 0.0 and x > DECAYED:
            zk = z0 * exp(x)
        beta = bs[lo, k]
        if beta != 0.0:
            if x < DECAYED:  # expm1(x) is -1 to double precision
                zk -= beta * s / x
            else:
                phi1 = 1.0 + x * (0.5 + x / 6.0) if abs(x) < 1e-5 else expm1(x) / x
                zk += beta * s * phi1
        if zk != 0.0:
            for r in rows:
                out[r] += vec[r, k] * zk


@njit(cache=True, error_model="numpy", inline="always")
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
    dec_all,
    y0,
    lam_all,
    vec_all,
    vinv_all,
    bpk,
    dose_all,
    design_of,
    nseg_all,
    seg_t_all,
    seg_u_all,
    seg_bolus_all,
    bolus_all,
    used_all,
    rec_t,
    sel,
    rows,
    rtol,
    atol,
    max_steps,
    out,
    stats,
):
    dd = design_of[i]
    n_seg = nseg_all[dd]
    seg_t = seg_t_all[dd, : n_seg + 1]
    seg_u = seg_u_all[dd, :n_seg]
    seg_bolus = seg_bolus_all[dd, :n_seg]
    bolus_idx = bolus_all[dd]
    used = used_all[dd]
    n_les = y0.shape[1]
    m = lam_all.shape[1]
    n_in = seg_u.shape[1]
    p = par[i]
    dec = dec_all[i]
    lam = lam_all[i]
    vec = vec_all[i]
    vinv = vinv_all[i]
    dose = dose_all[i]
    y = y0[i].copy()
    allrows = np.arange(m)
    g = np.zeros((m, n_in))
    for k in range(m):
        for j in range(n_in):
            acc_g = 0.0
            for r in range(m):
                acc_g += vinv[k, r] * bpk[i, r, j]
            g[k, j] = acc_g
    zs = np.empty((n_seg, m))
    bs = np.empty((n_seg, m))
    act = np.empty(m, dtype=np.int64)
    n_act = pk_segments(lam, vinv, g, dose, seg_t, seg_u, seg_bolus, bolus_idx, used, act, zs, bs)
    k1 = np.zeros(n_les)
    k2 = np.zeros(n_les)
    k3 = np.zeros(n_les)
    k4 = np.zeros(n_les)
    f0 = np.zeros(n_les)  # f at the step start
    f1 = np.zeros(n_les)  # f at the step end (the next step's f0)
    yt = np.zeros(n_les)
    y1 = np.zeros(n_les)
    er = np.zeros(n_les)
    den = np.zeros(n_les)
    pks = np.zeros(m)
    pkr = np.zeros(m)
    tmp = np.zeros(N_VALUES)
    ydense = np.zeros(n_les)
    n_rhs = 0
    n_acc = 0
    n_rej = 0
    rec = 0
    failed = False
    n_rec = rec_t.shape[0]
    while rec < n_rec and rec_t[rec] <= seg_t[0]:
        values(y, pks, p, tmp)  # before any dose: no vesicles yet
        for j in range(sel.shape[0]):
            out[j, rec, i] = tmp[sel[j]]
        rec += 1
    h = 0.0
    sa = 0
    while sa < n_seg:
        # The lesion block restarts only at a dose this subject receives (a zero dose sees
        # none: its steps equal those of a control).
        sb = sa + 1
        while sb < n_seg and seg_bolus[sb] * dose == 0.0:
            sb += 1
        if seg_bolus[sa] * dose != 0.0:
            h = 0.0  # a jump in the delivery states: choose the step afresh
        t0g = seg_t[sa]
        span = seg_t[sb] - t0g
        t = 0.0
        pk_at(t0g, sa, sb, seg_t, zs, bs, lam, vec, act, n_act, rows, pks)
        rhs(y, pks, p, f0)
        n_rhs += 1
        if h == 0.0:
            # Initial step (Hairer, Norsett & Wanner, Solving ODEs I, II.4), order 3
            d0 = 0.0
            d1 = 0.0
            for j in range(n_les):
                sc = atol + rtol * abs(y[j])
                d0 += (y[j] / sc) ** 2
                d1 += (f0[j] / sc) ** 2
            d0 = sqrt(d0 / n_les)
            d1 = sqrt(d1 / n_les)
            h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
            h0 = min(h0, span)
            for j in range(n_les):
                yt[j] = y[j] + h0 * f0[j]
            pk_at(t0g + h0, sa, sb, seg_t, zs, bs, lam, vec, act, n_act, rows, pks)
            rhs(yt, pks, p, k1)
            n_rhs += 1
            d2 = 0.0
            for j in range(n_les):
                sc = atol + rtol * abs(y[j])
                d2 += ((k1[j] - f0[j]) / sc) ** 2
            d2 = sqrt(d2 / n_les) / h0
            dm = max(d1, d2)
            h1 = max(1e-6, h0 * 1e-3) if dm <= 1e-15 else (0.01 / dm) ** 0.25
            h = min(100.0 * h0, h1)
        while t < span and not failed:
            hh = h
            last = False
            if t + hh >= span * (1.0 - 1e-12):
                hh = span - t
                last = True
            tg = t0g + t
            for j in range(n_les):
                den[j] = 1.0 / (1.0 + GAM * hh * dec[j])  # (I - GAM h W)^-1, W = -diag(dec)
            for j in range(n_les):
                k1[j] = hh * f0[j] * den[j]
            for j in range(n_les):
                yt[j] = y[j] + A21 * k1[j]
            pk_at(tg + C2 * hh, sa, sb, seg_t, zs, bs, lam, vec, act, n_act, rows, pks)
            rhs(yt, pks, p, k2)
            for j in range(n_les):
                k2[j] = (hh * k2[j] - hh * dec[j] * (G21 * k1[j])) * den[j]
            for j in range(n_les):
                yt[j] = y[j] + A31 * k1[j] + A32 * k2[j]
            pk_at(tg + C3 * hh, sa, sb, seg_t, zs, bs, lam, vec, act, n_act, rows, pks)
            rhs(yt, pks, p, k3)
            for j in range(n_les):
                k3[j] = (hh * k3[j] - hh * dec[j] * (G31 * k1[j] + G32 * k2[j])) * den[j]
            for j in range(n_les):
                yt[j] = y[j] + k3[j]
            pk_at(tg + hh, sa, sb, seg_t, zs, bs, lam, vec, act, n_act, rows, pks)
            rhs(yt, pks, p, k4)
            for j in range(n_les):
                k4[j] = (
                    hh * k4[j] - hh * dec[j] * (G41 * k1[j] + G42 * k2[j] + G43 * k3[j])
                ) * den[j]
            for j in range(n_les):
                y1[j] = y[j] + B1 * k1[j] + B2 * k2[j] + B3 * k3[j] + B4 * k4[j]
                er[j] = (
                    (B1 - BH1) * k1[j]
                    + (B2 - BH2) * k2[j]
                    + (B3 - BH3) * k3[j]
                    + (B4 - BH4) * k4[j]
                )
            n_rhs += 3
            en = err_norm(y, y1, er, rtol, atol)
            if en <= 1.0:
                n_acc += 1
                t_new = span if last else t + hh
                rhs(y1, pks, p, f1)  # pks still holds the delivery states at t + hh
                n_rhs += 1
                while rec < n_rec and rec_t[rec] <= t0g + t_new + 1e-12 * span:
                    th = min(1.0, (rec_t[rec] - tg) / hh)
                    # cubic Hermite on [y, y1] with slopes f0, f1
                    h00 = (1.0 + 2.0 * th) * (1.0 - th) ** 2
                    h10 = th * (1.0 - th) ** 2
                    h01 = th * th * (3.0 - 2.0 * th)
                    h11 = th * th * (th - 1.0)
                    for j in range(n_les):
                        ydense[j] = h00 * y[j] + h01 * y1[j] + hh * (h10 * f0[j] + h11 * f1[j])
                    pk_at(tg + th * hh, sa, sb, seg_t, zs, bs, lam, vec, act, n_act, allrows, pkr)
                    values(ydense, pkr, p, tmp)
                    for j in range(sel.shape[0]):
                        out[j, rec, i] = tmp[sel[j]]
                    rec += 1
                t = t_new
                for j in range(n_les):
                    y[j] = y1[j]
                    f0[j] = f1[j]
                fac = 5.0 if en == 0.0 else min(5.0, max(0.2, 0.9 * en ** (-1.0 / 3.0)))
                h = max(h, hh * fac) if last else hh * fac
            elif en != en:  # NaN: shrink hard
                n_rej += 1
                h = hh * 0.1
            else:
                n_rej += 1
                h = hh * max(0.2, 0.9 * en ** (-1.0 / 3.0))
            if n_acc + n_rej > max_steps or h < 1e-14:
                failed = True
        if failed:
            break
        sa = sb
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
    dec,
    y0,
    lam,
    vec,
    vinv,
    bpk,
    dose,
    design_of,
    nseg,
    seg_t,
    seg_u,
    seg_bolus,
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
    """All subjects of one or more designs (subject ``i`` follows design ``design_of[i]``;
    design ``d``'s event segments are the first ``nseg[d]`` rows of its padded arrays)."""
    n_des = nseg.shape[0]
    n_in = seg_u.shape[2]
    used = np.zeros((n_des, n_in + 1), dtype=np.bool_)  # inputs ever active; [n_in]: a bolus
    for d in range(n_des):
        for s in range(nseg[d]):
            for j in range(n_in):
                if seg_u[d, s, j] != 0.0:
                    used[d, j] = True
            if seg_bolus[d, s] != 0.0:
                used[d, n_in] = True
    for i in prange(par.shape[0]):
        one_subject(
            i,
            par,
            dec,
            y0,
            lam,
            vec,
            vinv,
            bpk,
            dose,
            design_of,
            nseg,
            seg_t,
            seg_u,
            seg_bolus,
            bolus_idx,
            used,
            rec_t,
            sel,
            rows,
            rtol,
            atol,
            max_steps,
            out,
            stats,
        )
