"""Published pooled effects (``published.yaml``) and the summary flags that compare a prediction
with them: a design predicted beyond the published range is flagged, with the reason."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from exosci._yaml import load_package_file
from exosci.therapy import ResolvedTherapy


@cache
def published() -> dict[str, Any]:
    return load_package_file(resources.files("exosci.evaluate") / "published.yaml")  # type: ignore[no-any-return]


@cache
def fitted_effects() -> tuple[dict[str, Any], ...]:
    """The pooled treatment effects the model was calibrated to (``kind: effect`` targets of
    ``exosci/model/calibration_targets.yaml``): id, day, value and 95 % CI, in file order.

    Read here rather than through :mod:`exosci.model.calibrate`, which the report does not
    otherwise need (it imports the MCMC machinery and scipy.stats); a test checks both agree.
    """
    files = resources.files("exosci.model")
    doc = load_package_file(files / "calibration_targets.yaml")
    out = [
        {
            "id": str(t["id"]),
            "day": int(t["day"]),
            "value": float(t["value"]),
            "low": float(t["ci"][0]),
            "high": float(t["ci"][1]),
        }
        for t in doc["targets"]
        if t["kind"] == "effect"
    ]
    return tuple(out)


@cache
def validation_target(target_id: str) -> dict[str, Any]:
    """One record of ``exosci/model/validation_targets.yaml`` (what ``exosci validate`` checks),
    read without importing the validation module."""
    doc = load_package_file(resources.files("exosci.model") / "validation_targets.yaml")
    return next(dict(t) for t in doc["targets"] if t["id"] == target_id)


def cite(rec: dict[str, Any]) -> str:
    doi = rec.get("doi")
    return " ".join(rec["citation"].split()) + (f", doi:{doi}" if doi else "")


def atypical_features(res: ResolvedTherapy) -> list[str]:
    """How ``res`` differs from the design most pooled studies used (why it may not compare)."""
    typ = published()["typical_design"]
    spec, d = res.spec, res.design
    out: list[str] = []
    if d.route != typ["route"]:
        out.append(f"route {spec.route} (pooled studies: mostly tail-vein injection)")
    if spec.carrier_name:
        out.append(f"carrier {spec.carrier_name} (pooled studies: free vesicles)")
    if spec.timing.doses != typ["doses"]:
        out.append(f"{spec.timing.doses} doses (pooled studies: mostly one)")
    lo, hi = typ["dose_ug"]
    if not lo <= d.dose_ug <= hi:
        out.append(f"{d.dose_ug:g} ug per dose (pooled studies: {lo}-{hi} ug protein)")
    lo, hi = typ["start_hours"]
    start = spec.timing.start_hours_post_injury
    if not lo <= start <= hi:
        out.append(f"first dose at {start:g} h (pooled studies: {lo:g}-{hi:g} h after injury)")
    src = res.entities.get("exosome.source", [])
    if src and src[0].id.startswith("src:") and src[0].id not in typ["sources"]:
        out.append(f"source {src[0].name} (pooled studies: MSC- or NSC-derived vesicles)")
    ex = spec.exosome
    if ex is not None:
        mods = [*ex.preconditioning, *ex.engineering, *ex.cargo, *ex.co_therapies]
        if mods:
            out.append("modified vesicles or add-ons: " + ", ".join(mods))
    return out


def published_range_flags(
    gain_by_day: dict[int, dict[str, float]],
    *,
    res: ResolvedTherapy,
    horizon_days: int,
) -> list[dict[str, Any]]:
    """Flags for the summary when the predicted median gain lies outside the published 95 % CIs.

    ``gain_by_day`` maps day -> gain quantiles (median/p05/p95) of the paired treated - control
    difference. Only rat BBB has published pooled effects in score points; for mouse BMS the
    meta-analyses report standardised differences, which the model's points cannot be held to.
    """
    if res.design.dose_ug <= 0:
        return []
    if res.design.species != "rat":
        return [
            {
                "kind": "no_published_range",
                "severity": "info",
                "text": "No pooled effect in BMS points has been published to compare this "
                "prediction with (meta-analyses of mouse studies report standardised mean "
                "differences); judge the predicted gain against the untreated course instead.",
            }
        ]
    nma = next(p for p in published()["pooled"] if p["id"] == "nma-stem-cell-exosomes-rat")
    by_day = {int(k): v for k, v in nma["by_day"].items()}
    above: list[str] = []
    below: list[str] = []
    for day, (wmd, lo, hi) in sorted(by_day.items()):
        if day in gain_by_day and day <= horizon_days:
            g = gain_by_day[day]["median"]
            text = (
                f"week {day // 7}: model {g:+.1f} vs pooled {wmd:.2f} (95 % CI {lo:.2f}-{hi:.2f})"
            )
            (above if g > hi else below if g < lo else []).append(text)
    last = max(by_day)
    if horizon_days > last and horizon_days in gain_by_day:
        wmd, lo, hi = by_day[last]
        g = gain_by_day[horizon_days]["median"]
        if g > hi:
            above.append(
                f"day {horizon_days}: model {g:+.1f}, beyond the week-{last // 7} upper bound "
                f"{hi:.2f} "
                "(the pooled effect levels off between weeks 3 and 4; none is pooled later)"
            )
    flags: list[dict[str, Any]] = []
    why = atypical_features(res)
    because = (
        " This design differs from the typical pooled design in: " + "; ".join(why) + "."
        if why
        else " This design is close to the typical pooled design, so the excess is the model's, "
        "not the design's: treat the number with caution."
    )
    if above:
        flags.append(
            {
                "kind": "beyond_published_range",
                "severity": "warning",
                "text": "Predicted gain beyond the published range, i.e. above the upper 95 % "
                f"confidence bound of the pooled effect of stem-cell exosomes ({nma['studies']} "
                "rat studies): " + "; ".join(above) + "." + because,
                "source": cite(nma),
                "reasons": why,
            }
        )
    if below:
        flags.append(
            {
                "kind": "below_published_range",
                "severity": "info",
                "text": "Predicted gain below the pooled effect of exosome therapy: "
                + "; ".join(below)
                + ".",
                "source": cite(nma),
                "reasons": why,
            }
        )
    return flags
