"""Check a vesicle preparation against MISEV2018/MISEV2023 (rules in ``misev.yaml``).

>>> from exosci.qc import check_prep
>>> report = check_prep("examples/prep-example.yaml")     # doctest: +SKIP
>>> report.guidelines["MISEV2018"].missed, report.purity, report.transparency.score  # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict

from exosci.errors import UserInputError
from exosci.kb.names import normalize
from exosci.qc.markers import MarkerHit, resolve_marker
from exosci.qc.nta import NTAReport, read_nta
from exosci.qc.prep import Prep, load_prep, prep_from_dict
from exosci.qc.purity import PurityResult, purity
from exosci.qc.rules import Applies, Rules, misev_rules

Status = Literal["met", "missed", "not applicable"]
_SMALL_EV_TERMS = {
    "exosome",
    "exosomes",
    "smallev",
    "smallevs",
    "sev",
    "sevs",
    "smallextracellularvesicles",
    "smallextracellularvesicle",
}
_EXOSOME_TERMS = {"exosome", "exosomes", "exo", "exos"}


class RequirementResult(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str
    text: str
    guidelines: list[str]
    status: Status
    detail: str
    sources: list[str]


class GuidelineSummary(BaseModel):
    model_config = ConfigDict(frozen=True)
    met: list[str]
    missed: list[str]
    not_applicable: list[str]


class TransparencyItemResult(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str
    text: str
    applicable: bool
    reported: bool


class Transparency(BaseModel):
    model_config = ConfigDict(frozen=True)
    label: str
    score: float | None
    reported: int
    applicable: int
    items: list[TransparencyItemResult]
    sources: list[str]


class Advice(BaseModel):
    model_config = ConfigDict(frozen=True)
    topic: str
    text: str
    sources: list[str]


class MisevReport(BaseModel):
    """Result of ``check_prep``; the JSON of ``exosci qc check`` is this model's dump."""

    model_config = ConfigDict(frozen=True)
    prep: str
    requirements: list[RequirementResult]
    guidelines: dict[str, GuidelineSummary]
    markers: dict[str, Any]
    particles_per_ml: float | None
    particles_total: float | None
    purity: PurityResult | None
    purity_note: str
    transparency: Transparency
    nomenclature: Advice
    storage: list[Advice]
    nta: dict[str, Any] | None
    warnings: list[str]

    def requirements_frame(self) -> pd.DataFrame:
        """Requirements as a DataFrame (one row each)."""
        return pd.DataFrame([r.model_dump() for r in self.requirements])


@dataclass
class _Ctx:
    prep: Prep
    rules: Rules
    detected: list[MarkerHit]
    not_detected: list[MarkerHit]
    particles_per_ml: float | None
    ratio: float | None
    ratio_note: str
    nta: NTAReport | None
    warnings: list[str] = field(default_factory=list)

    def method_in(self, name: str | None, group: str) -> bool:
        if not name:
            return False
        tokens = " " + " ".join(re.findall(r"[a-z0-9]+", name.lower())) + " "
        for known in self.rules.methods[group].names:
            words = " ".join(re.findall(r"[a-z0-9]+", known.lower()))
            if f" {words} " in tokens:
                return True
        return False

    def categories(self, hits: list[MarkerHit]) -> set[str]:
        return {h.category for h in hits}


Check = Callable[[_Ctx, str | None], tuple[bool, str]]


def _source_quantified(c: _Ctx, _: str | None) -> tuple[bool, str]:
    a = c.prep.source.amount
    return (
        a is not None,
        f"{a.value:g} {a.unit} of {c.prep.source.material}"
        if a
        else "give source.amount (volume, cells or tissue mass)",
    )


def _separation_method(c: _Ctx, _: str | None) -> tuple[bool, str]:
    return True, " -> ".join(c.prep.separation.method)


def _separation_settings(c: _Ctx, _: str | None) -> tuple[bool, str]:
    s = c.prep.separation.settings
    return bool(s), ", ".join(f"{k}={v}" for k, v in s.items()) or "give separation.settings"


def _separation_reported(c: _Ctx, _: str | None) -> tuple[bool, str]:
    ok, detail = _separation_settings(c, None)
    return ok, f"{' -> '.join(c.prep.separation.method)}; {detail}"


_G = {"gforce", "g", "rcf", "xg", "speed", "rpm"}
_T = {"time", "minutes", "min", "duration", "hours", "h", "timemin", "timeh"}
_R = {"rotor", "kfactor", "k", "rotortype"}


def _uc_details(c: _Ctx, _: str | None) -> tuple[bool, str]:
    keys = {normalize(k) for k in c.prep.separation.settings}
    missing = [
        n for n, s in (("g-force", _G), ("time", _T), ("rotor or k-factor", _R)) if not keys & s
    ]
    return not missing, "complete" if not missing else "missing " + ", ".join(missing)


def _quantities(c: _Ctx) -> list[str]:
    p = c.prep
    out = []
    if p.particles and (c.particles_per_ml or p.particles.total):
        out.append(f"particles ({p.particles.method})")
    if p.protein and (p.protein.ug_per_ml or p.protein.total_ug):
        out.append(f"protein ({p.protein.method})")
    if p.lipid and p.lipid.amount:
        out.append(f"lipid ({p.lipid.method})")
    return out


def _two_quantifications(c: _Ctx, _: str | None) -> tuple[bool, str]:
    q = _quantities(c)
    return len(q) >= 2, ", ".join(q) or "no quantification with a value"


def _particles_quantified(c: _Ctx, _: str | None) -> tuple[bool, str]:
    q = [x for x in _quantities(c) if x.startswith("particles")]
    return bool(q), q[0] if q else "no particle count"


def _protein_quantified(c: _Ctx, _: str | None) -> tuple[bool, str]:
    q = [x for x in _quantities(c) if x.startswith("protein")]
    return bool(q), q[0] if q else "no protein amount"


def _ratio(c: _Ctx, _: str | None) -> tuple[bool, str]:
    return c.ratio is not None, c.ratio_note


def _category_detected(c: _Ctx, category: str | None) -> tuple[bool, str]:
    hits = [h.given for h in c.detected if h.category == category]
    return bool(hits), ", ".join(hits) or f"no {category} marker among markers.detected"


def _category_assessed(c: _Ctx, category: str | None) -> tuple[bool, str]:
    det = [h.given for h in c.detected if h.category == category]
    nd = [h.given for h in c.not_detected if h.category == category]
    parts = ([f"detected: {', '.join(det)}"] if det else []) + (
        [f"not detected: {', '.join(nd)}"] if nd else []
    )
    return bool(det or nd), "; ".join(parts) or f"no {category} protein assessed"


def _positive_markers(c: _Ctx, _: str | None) -> tuple[bool, str]:
    cats = c.categories(c.detected)
    return {"transmembrane", "cytosolic"} <= cats, ", ".join(h.given for h in c.detected) or "none"


def _negative_markers(c: _Ctx, _: str | None) -> tuple[bool, str]:
    hits = [h for h in c.detected + c.not_detected if h.category in ("co_isolate", "intracellular")]
    return bool(hits), ", ".join(h.given for h in hits) or "none assessed"


def _imaging(c: _Ctx, _: str | None) -> tuple[bool, str]:
    ok = [i.method for i in c.prep.imaging if c.method_in(i.method, "single_vesicle_imaging")]
    other = [i.method for i in c.prep.imaging if i.method not in ok]
    detail = ", ".join(ok) if ok else "no single-vesicle imaging (e.g. TEM, cryo-EM, AFM)"
    return bool(ok), detail + (f"; not single-vesicle imaging: {', '.join(other)}" if other else "")


def _particle_counter(c: _Ctx, _: str | None) -> tuple[bool, str]:
    p = c.prep.particles
    if p is None:
        return False, "no particle measurement"
    ok = c.method_in(p.method, "particle_counter") or c.nta is not None
    return ok, p.method if ok else f"{p.method} is not a single-particle counter (e.g. NTA, TRPS)"


def _storage_reported(c: _Ctx, _: str | None) -> tuple[bool, str]:
    s = c.prep.storage
    return s is not None, (f"{s.temperature_c:g} °C" if s else "no storage section")


def _nomenclature(c: _Ctx, _: str | None) -> tuple[bool, str]:
    term = normalize(c.prep.claims.term)
    if term in _EXOSOME_TERMS and not c.prep.claims.endosomal_origin_shown:
        return False, f'"{c.prep.claims.term}" without evidence of endosomal origin'
    return True, f'"{c.prep.claims.term}"'


def _antibodies(c: _Ctx, _: str | None) -> tuple[bool, str]:
    ok = c.prep.markers.antibodies_reported
    return (
        ok,
        "reported"
        if ok
        else "set markers.antibodies_reported once clones/catalogue numbers are given",
    )


CHECKS: dict[str, Check] = {
    "source_quantified": _source_quantified,
    "separation_reported": _separation_reported,
    "separation_method": _separation_method,
    "separation_settings": _separation_settings,
    "uc_details": _uc_details,
    "two_quantifications": _two_quantifications,
    "quantification_ratio": _ratio,
    "particles_quantified": _particles_quantified,
    "protein_quantified": _protein_quantified,
    "category_detected": _category_detected,
    "category_assessed": _category_assessed,
    "positive_markers": _positive_markers,
    "negative_markers": _negative_markers,
    "single_vesicle_imaging": _imaging,
    "particle_counter": _particle_counter,
    "storage_reported": _storage_reported,
    "nomenclature": _nomenclature,
    "antibodies_reported": _antibodies,
}


def _applies(c: _Ctx, rule: Applies) -> bool:
    if rule == "always":
        return True
    if rule == "small_ev_claim":
        return normalize(c.prep.claims.term) in _SMALL_EV_TERMS
    if rule == "uses_ultracentrifugation":
        return any(c.method_in(m, "ultracentrifugation") for m in c.prep.separation.method)
    return bool(c.prep.markers.detected or c.prep.markers.not_detected) and c.method_in(
        c.prep.markers.method, "antibody_detection"
    )


def _resolve_markers(prep: Prep) -> tuple[list[MarkerHit], list[MarkerHit]]:
    detected = [
        resolve_marker(m, field=f"markers.detected[{i}]")
        for i, m in enumerate(prep.markers.detected)
    ]
    not_detected = [
        resolve_marker(m, field=f"markers.not_detected[{i}]")
        for i, m in enumerate(prep.markers.not_detected)
    ]
    both = {h.canonical for h in detected} & {h.canonical for h in not_detected}
    if both and not (both <= {"integrins", "histones", "mitochondrial proteins", "MHC class I"}):
        raise UserInputError(
            f"markers: {', '.join(sorted(both))} listed as both detected and not detected."
        )
    return detected, not_detected


def _particles(
    prep: Prep, warnings: list[str], nta: NTAReport | None
) -> tuple[float | None, NTAReport | None]:
    p = prep.particles
    if p is None:
        return None, nta
    per_ml = p.per_ml
    if nta is None and p.nta_file is not None:
        nta = read_nta(p.nta_file)
    if nta is not None and nta.concentration_per_ml is not None:
        if not nta.concentration_corrected_for_dilution:
            warnings.append(f"{nta.file}: NTA concentration is not dilution-corrected")
        if per_ml is None:
            per_ml = nta.concentration_per_ml
        elif abs(per_ml / nta.concentration_per_ml - 1) > 0.1:
            warnings.append(
                f"particles.per_ml {per_ml:.3g} differs from the NTA file's "
                f"{nta.concentration_per_ml:.3g} by more than 10 %"
            )
    return per_ml, nta


def _purity_ratio(prep: Prep, per_ml: float | None) -> tuple[float | None, str]:
    p, q = prep.particles, prep.protein
    if p is None or q is None:
        return None, "needs both particles and protein"
    if per_ml is not None and q.ug_per_ml is not None:
        return per_ml / q.ug_per_ml, "particles.per_ml / protein.ug_per_ml"
    if p.total is not None and q.total_ug is not None:
        return p.total / q.total_ug, "particles.total / protein.total_ug"
    return None, (
        "give particles and protein on the same basis: per_ml with ug_per_ml, "
        "or total with total_ug"
    )


def _nomenclature_advice(c: _Ctx) -> Advice:
    cite = c.rules.cite(["misev2023"])
    claims = c.prep.claims
    term = normalize(claims.term)
    size = ""
    if c.nta is not None and c.nta.fraction_below_200_nm is not None:
        size = (
            f" Your NTA puts {c.nta.fraction_below_200_nm:.0%} of particles below 200 nm "
            f"(D90 {c.nta.d90_nm:.0f} nm)."
        )
    if term in _EXOSOME_TERMS and not claims.endosomal_origin_shown:
        text = (
            f'Call them "small EVs" (if you define the size range) or "EVs", not '
            f'"{claims.term}": MISEV2023 keeps "exosome" for vesicles shown to be of '
            f"endosomal origin.{size}"
        )
    elif term in _EXOSOME_TERMS:
        text = (
            '"Exosomes" is acceptable because endosomal origin is stated as shown; cite the '
            "evidence (e.g. endosomal markers with imaging of multivesicular bodies)."
        )
    elif term in _SMALL_EV_TERMS:
        text = (
            '"Small EVs" follows MISEV2023; state the size range you mean (e.g. < 200 nm) '
            f"and how it was measured.{size}"
        )
    else:
        text = f'"{claims.term}" is fine; MISEV2023 uses "EVs" as the generic term.{size}'
    return Advice(topic="nomenclature", text=text, sources=cite)


def _storage_advice(c: _Ctx) -> list[Advice]:
    facts = c.rules.storage
    s = c.prep.storage

    def advice(key: str) -> Advice:
        return Advice(topic=key, text=facts[key].text, sources=c.rules.cite(facts[key].sources))

    if s is None:
        return [advice("not_reported")]
    out = []
    if s.temperature_c > 0:
        out.append(advice("fridge_loss"))
        if s.tube in ("standard", "unknown"):
            out.append(advice("tubes"))
    long = s.duration_days is None or s.duration_days > 2
    if s.temperature_c > -70 and long:
        out.append(advice("long_term"))
    protected = {normalize(a) for a in s.additives} & {"trehalose", "sucrose", "5sucrose"}
    if s.temperature_c <= 0 and not protected:
        out.append(advice("cryoprotectant"))
    if s.freeze_thaw_cycles is not None and s.freeze_thaw_cycles > 1:
        out.append(advice("freeze_thaw"))
    return out


def check_prep(
    prep: Prep | Mapping[str, Any] | str | Path, *, nta: NTAReport | None = None
) -> MisevReport:
    """Check a preparation (model, mapping or YAML path) against MISEV2018/2023.

    Parameters
    ----------
    prep
        The preparation: a YAML path (see ``examples/prep-example.yaml``), a mapping of its
        fields or a ``Prep``.
    nta
        An NTA export already read (an upload); otherwise ``particles.nta_file`` is read.

    Returns
    -------
    MisevReport
        Each requirement with its status (met, missing, ...) and the guideline it comes
        from, per-guideline summaries, marker and purity checks, nomenclature and storage
        advice; ``.requirements_frame()`` as a DataFrame.

    Examples
    --------
    >>> from exosci.qc import check_prep
    >>> report = check_prep("examples/prep-example.yaml")
    >>> report.requirements_frame().loc[0, "status"]
    'met'
    """
    if isinstance(prep, str | Path):
        prep = load_prep(prep)
    elif not isinstance(prep, Prep):
        prep = prep_from_dict(dict(prep))
    rules = misev_rules()
    warnings: list[str] = []
    detected, not_detected = _resolve_markers(prep)
    per_ml, nta = _particles(prep, warnings, nta)
    ratio, ratio_note = _purity_ratio(prep, per_ml)
    c = _Ctx(prep, rules, detected, not_detected, per_ml, ratio, ratio_note, nta, warnings)

    results = []
    for r in rules.requirements:
        applicable = _applies(c, r.applies)
        ok, detail = CHECKS[r.check](c, r.category)
        status: Status = "not applicable" if not applicable else ("met" if ok else "missed")
        results.append(
            RequirementResult(
                id=r.id,
                text=r.text,
                guidelines=list(r.guidelines),
                status=status,
                detail=detail if applicable else f"applies only when: {r.applies}",
                sources=rules.cite(r.sources),
            )
        )
    guidelines = {
        g: GuidelineSummary(
            met=[r.id for r in results if g in r.guidelines and r.status == "met"],
            missed=[r.id for r in results if g in r.guidelines and r.status == "missed"],
            not_applicable=[
                r.id for r in results if g in r.guidelines and r.status == "not applicable"
            ],
        )
        for g in ("MISEV2018", "MISEV2023")
    }
    items = []
    for it in rules.transparency.items:
        applicable = _applies(c, it.applies)
        ok = CHECKS[it.check](c, None)[0] if applicable else False
        items.append(
            TransparencyItemResult(id=it.id, text=it.text, applicable=applicable, reported=ok)
        )
    n_app = sum(i.applicable for i in items)
    n_rep = sum(i.reported for i in items)
    transparency = Transparency(
        label=rules.transparency.label,
        score=n_rep / n_app if n_app else None,
        reported=n_rep,
        applicable=n_app,
        items=items,
        sources=rules.cite(rules.transparency.sources),
    )
    pur = purity(ratio, engineered_or_loaded=prep.claims.engineered_or_loaded) if ratio else None

    def by_cat(hits: list[MarkerHit]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for h in hits:
            out.setdefault(h.category, []).append(h.given)
        return out

    return MisevReport(
        prep=prep.name,
        requirements=results,
        guidelines=guidelines,
        markers={
            "detected": by_cat(detected),
            "not_detected": by_cat(not_detected),
            "other": list(prep.markers.other),
        },
        particles_per_ml=per_ml,
        particles_total=prep.particles.total if prep.particles else None,
        purity=pur,
        purity_note=ratio_note,
        transparency=transparency,
        nomenclature=_nomenclature_advice(c),
        storage=_storage_advice(c),
        nta=nta.summary() if nta else None,
        warnings=warnings,
    )
