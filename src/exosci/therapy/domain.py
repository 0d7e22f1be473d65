"""The model's applicability domain: each design feature in or out of what the model is calibrated on.

The calibrated domain is the design mix of the pooled studies the model is fitted to (rat,
moderate T9-T10 contusion or compression, one intravenous dose of 100-200 ug protein 30 min-24 h
after injury, free vesicles; the course to week 6). It is defined once, with its sources, in
``domain.yaml`` beside this module. ``assess`` checks a spec, a resolved therapy or a model
``exosci.model.design.Design`` against it; the report, the CLI, the JSON document
(``domain``) and ``Evaluation.flags`` all show the result, and alternatives beyond the domain are
marked with it.

Examples
--------
>>> from exosci.therapy.domain import assess
>>> from exosci.model.design import Design
>>> d = assess(Design(severity=1.4, route="intranasal", dose_ug=50.0, dose_times_days=(7.0,)))
>>> d.outside
('severity', 'route', 'dose', 'timing')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

from exosci._yaml import load_package_file

if TYPE_CHECKING:
    from exosci.model.design import Design
    from exosci.reason.graph import HasCurated
    from exosci.therapy.resolve import ResolvedTherapy
    from exosci.therapy.spec import TherapySpec

Status = Literal["in", "out", "ignored"]

LABELS = {
    "species": "species",
    "injury_model": "injury model",
    "severity": "injury severity",
    "level": "injury level",
    "route": "route",
    "carrier": "carrier",
    "dose": "dose",
    "doses": "number of doses",
    "timing": "timing of the first dose",
    "horizon": "horizon",
}
SEVERITY_NAMES = {0.6: "mild", 1.0: "moderate", 1.4: "severe"}
_LEVEL = re.compile(r"^\s*([CTLS])\s*-?\s*(\d{1,2})\b", re.IGNORECASE)
_REGIONS = {"C": "cervical", "T": "thoracic", "L": "lumbar", "S": "sacral"}


@cache
def definition() -> dict[str, Any]:
    """The domain definition (``domain.yaml``): ``sources`` and one record per feature."""
    return load_package_file(resources.files("exosci.therapy") / "domain.yaml")  # type: ignore[no-any-return]


@dataclass(frozen=True)
class FeatureCheck:
    """One design feature against the calibrated domain."""

    feature: str
    value: str
    status: Status
    calibrated: str
    note: str
    modelled: bool
    sources: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return LABELS.get(self.feature, self.feature.replace("_", " "))

    def to_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "label": self.label,
            "value": self.value,
            "status": self.status,
            "calibrated": self.calibrated,
            "note": self.note,
            "modelled": self.modelled,
            "sources": list(self.sources),
        }

    def flag(self) -> dict[str, Any] | None:
        """The summary flag of this feature (``outside_domain:<feature>`` or
        ``ignored_by_model:<feature>``), or None inside the domain."""
        if self.status == "in":
            return None
        srcs = definition()["sources"]
        source = "; ".join(" ".join(str(srcs[s]).split()) for s in self.sources if s in srcs)
        if self.status == "out":
            text = (
                f"Outside the calibrated domain — {self.label}: {self.value} (calibrated: "
                f"{self.calibrated}). {_sentence(self.note)} The prediction is an extrapolation."
            )
            kind, severity = f"outside_domain:{self.feature}", "warning"
        else:
            text = (
                f"Ignored by the model — {self.label}: {self.value} (calibrated: "
                f"{self.calibrated}). {_sentence(self.note)}"
            )
            kind, severity = f"ignored_by_model:{self.feature}", "info"
        return {
            "kind": kind,
            "severity": severity,
            "feature": self.feature,
            "text": text,
            "source": source,
        }


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return (text[0].upper() + text[1:]).rstrip(".") + "." if text else ""


@dataclass(frozen=True)
class Domain:
    """A design's position against the calibrated domain, feature by feature.

    Examples
    --------
    >>> from exosci.model.design import reference_design
    >>> dom = assess(reference_design())  # the calibration's own typical design
    >>> dom.inside, dom["route"].status, dom["dose"].calibrated
    (True, 'in', '100-200 ug protein')
    """

    features: tuple[FeatureCheck, ...]

    def __getitem__(self, feature: str) -> FeatureCheck:
        for f in self.features:
            if f.feature == feature:
                return f
        raise KeyError(feature)

    def __contains__(self, feature: object) -> bool:
        return any(f.feature == feature for f in self.features)

    @property
    def outside(self) -> tuple[str, ...]:
        """The features outside the calibrated domain, in definition order."""
        return tuple(f.feature for f in self.features if f.status == "out")

    @property
    def ignored(self) -> tuple[str, ...]:
        """Features the model does not read whose value differs from the calibrated one."""
        return tuple(f.feature for f in self.features if f.status == "ignored")

    @property
    def inside(self) -> bool:
        return not self.outside

    def flags(self) -> list[dict[str, Any]]:
        """One flag per feature outside the domain (warning) or ignored by the model (info)."""
        return [fl for f in self.features if (fl := f.flag()) is not None]

    def summary(self) -> str:
        """One sentence: inside, or outside on N counts (which), and what the model ignores."""
        if self.outside:
            parts = [f"{self[f].label} {self[f].value}" for f in self.outside]
            text = (
                f"Outside the calibrated domain on {len(parts)} "
                f"count{'s' if len(parts) != 1 else ''}: " + "; ".join(parts) + "."
            )
        else:
            text = "Inside the calibrated domain on every feature checked."
        unread = [f"{f.label} ({f.value})" for f in self.features if not f.modelled]
        if unread:
            text += " Ignored by the model: " + ", ".join(unread) + "."
        return text

    def to_dict(self) -> dict[str, Any]:
        """The JSON ``domain`` block."""
        return {
            "label": "applicability domain of the model (calibrated design mix of the pooled "
            "studies; exosci/therapy/domain.yaml)",
            "summary": self.summary(),
            "outside": list(self.outside),
            "ignored": list(self.ignored),
            "features": [f.to_dict() for f in self.features],
            "sources": {k: " ".join(str(v).split()) for k, v in definition()["sources"].items()},
        }


def _check(feature: str, value: str, status: Status, extra: str = "") -> FeatureCheck:
    rec = definition()["features"][feature]
    note = {
        "out": rec.get("out_note", ""),
        "ignored": rec.get("ignored_note", ""),
        "in": rec.get("in_note", ""),
    }[status]
    note = " ".join(str(note).split())
    if extra:
        note = f"{note}; {extra}" if note else extra
    return FeatureCheck(
        feature=feature,
        value=value,
        status=status,
        calibrated=str(rec["text"]),
        note=note,
        modelled=bool(rec.get("modelled", True)),
        sources=tuple(rec.get("sources", ())),
    )


def _in_range(feature: str, x: float) -> bool:
    lo, hi = definition()["features"][feature]["range"]
    return float(lo) <= x <= float(hi)


def _species(value: str) -> FeatureCheck:
    ok = value in definition()["features"]["species"]["calibrated"]
    return _check("species", value, "in" if ok else "out")


def _injury_model(model: str) -> FeatureCheck:
    rec = definition()["features"]["injury_model"]
    if model == rec["reference"]:
        return _check(
            "injury_model", model, "in", "ignored by the model (the model simulates a contusion)"
        )
    return _check("injury_model", model, "ignored" if model in rec["calibrated"] else "out")


def _severity(name: str) -> FeatureCheck:
    ok = name in definition()["features"]["severity"]["calibrated"]
    return _check("severity", name, "in" if ok else "out")


def _level(level: str) -> FeatureCheck:
    rec = definition()["features"]["level"]
    m = _LEVEL.match(level)
    if m is None:
        return _check(
            "level", level, "out", "not read as a spinal level (expected e.g. T10, C5, L2)"
        )
    seg = f"{m.group(1).upper()}{int(m.group(2))}"
    region = _REGIONS[m.group(1).upper()]
    if seg in rec["calibrated"]:
        return _check("level", level, "in")
    if region == rec["region"]:
        return _check("level", level, "ignored")
    return _check("level", f"{level} ({region})", "out")


def _route(route: str) -> FeatureCheck:
    return _check(
        "route", route, "in" if route in definition()["features"]["route"]["calibrated"] else "out"
    )


def _carrier(name: str | None) -> FeatureCheck:
    return _check("carrier", name or "none", "in" if not name else "out")


def _vesicle_features(dose_ug: float, starts_h: list[float], horizon: int) -> list[FeatureCheck]:
    if dose_ug <= 0:
        none = "no vesicles: the untreated course, which is calibrated"
        return [
            _check("dose", "no vesicles", "in", none),
            _check("doses", "—", "in", none),
            _check("timing", "—", "in", none),
            _horizon(horizon),
        ]
    first = min(starts_h)
    return [
        _check("dose", f"{dose_ug:g} ug per dose", "in" if _in_range("dose", dose_ug) else "out"),
        _check(
            "doses",
            f"{len(starts_h)} dose{'s' if len(starts_h) != 1 else ''}",
            "in" if _in_range("doses", len(starts_h)) else "out",
        ),
        _check("timing", _hours(first), "in" if _in_range("timing", first) else "out"),
        _horizon(horizon),
    ]


def _hours(h: float) -> str:
    if h < 1:
        return f"{h * 60:g} min after injury"
    if h >= 48:
        return f"day {h / 24:g} after injury ({h:g} h)"
    return f"{h:g} h after injury"


def _horizon(days: int) -> FeatureCheck:
    rec = definition()["features"]["horizon"]
    value = f"{days} days"
    if not _in_range("horizon", days):
        return _check("horizon", value, "out")
    check = _check("horizon", value, "in")
    if days <= int(rec.get("in_note_after", days)):
        check = FeatureCheck(**{**vars(check), "note": ""})
    return check


def assess(
    obj: TherapySpec | Mapping[str, Any] | ResolvedTherapy | Design, *, kb: HasCurated | None = None
) -> Domain:
    """Check a design against the calibrated domain, feature by feature.

    Parameters
    ----------
    obj
        A therapy spec (or a mapping of its fields), a resolved therapy, or a model
        ``exosci.model.design.Design``. A design carries no injury model or level (the
        model ignores both), so those two are checked only for specs.
    kb
        Knowledge base through which a spec's route and species names are resolved (default:
        the shipped one).

    Returns
    -------
    Domain
        One ``FeatureCheck`` per feature (``in``, ``out`` or ``ignored``, with the
        calibrated range and a note); ``.outside``, ``.flags()``, ``.to_dict()``.

    Examples
    --------
    >>> from exosci.therapy.domain import assess
    >>> dom = assess({"injury": {"model": "compression", "severity": "severe"},
    ...               "exosome": {"source": "BMSC-Exos"}, "route": "intranasal",
    ...               "dose": {"amount": 50}, "timing": {"start_hours_post_injury": 168}})
    >>> dom.outside, dom.ignored
    (('severity', 'route', 'dose', 'timing'), ('injury_model',))
    >>> [f["kind"] for f in dom.flags()][:2]
    ['ignored_by_model:injury_model', 'outside_domain:severity']
    """
    from exosci.model.design import Design
    from exosci.therapy.resolve import ResolvedTherapy

    if isinstance(obj, Design):
        return _assess_design(obj)
    if isinstance(obj, ResolvedTherapy):
        return _assess_spec(obj.spec, route=obj.design.route, dose_ug=obj.design.dose_ug)
    from exosci.therapy.spec import as_spec

    return _assess_spec(as_spec(obj), kb=kb)


def _assess_design(d: Design) -> Domain:
    sev = SEVERITY_NAMES.get(round(d.severity, 3), f"severity factor {d.severity:g}")
    feats = [
        _species(d.species),
        _severity(sev),
        _route(d.route),
        _carrier(None if d.release is None else f"a carrier ({d.release.model} release)"),
        *_vesicle_features(d.dose_ug, [t * 24.0 for t in d.dose_times_days], d.horizon_days),
    ]
    return Domain(tuple(feats))


def _assess_spec(
    spec: TherapySpec,
    *,
    kb: HasCurated | None = None,
    route: str | None = None,
    dose_ug: float | None = None,
) -> Domain:
    from exosci.therapy.resolve import ROUTES, _dose_ug

    species = spec.species.strip().lower()
    if species not in ("rat", "mouse", "human", "monkey"):
        species = _resolved(kb, spec.species, "species", lambda e: e.id.removeprefix("sp:"))
    if route is None:
        route = _resolved(kb, spec.route, "route", lambda e: ROUTES.get(e.id, e.name))
    dose = _dose_ug(spec) if dose_ug is None else dose_ug
    if spec.exosome is None:
        dose = 0.0
    t0 = spec.timing.start_hours_post_injury
    starts = [t0 + 24.0 * i * spec.timing.interval_days for i in range(spec.timing.doses)]
    feats = [
        _species(species),
        _injury_model(spec.injury.model),
        _severity(spec.injury.severity),
        _level(spec.injury.level),
        _route(route),
        _carrier(spec.carrier_name),
        *_vesicle_features(dose, starts, spec.horizon_days),
    ]
    return Domain(tuple(feats))


def _resolved(kb: HasCurated | None, name: str, field: str, pick: Any) -> str:
    """The canonical value of a spec name (route or species) through the graph; the name as
    given when the graph does not know it (the resolution step refuses it later)."""
    from exosci.errors import UserInputError

    if kb is None:
        from exosci.kb import default_kb

        kb = default_kb()
    try:
        return str(pick(kb.resolve(name, types=(field,))))
    except UserInputError:
        return name
