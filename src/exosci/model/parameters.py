"""The parameter table (``parameters.yaml``): values, units, priors and sources, and sampling."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from exosci._yaml import load_text

FloatArray = NDArray[np.float64]
Dist = Literal["lognormal", "uniform", "normal", "fixed"]
Role = Literal["population", "animal", "design"]
_Z95 = 1.6448536269514722  # standard-normal 95th percentile


@dataclass(frozen=True)
class Parameter:
    """One model parameter with its nominal value, prior and provenance."""

    name: str
    value: float
    unit: str
    dist: Dist
    low: float | None
    high: float | None
    group: str
    source: str
    description: str
    free: bool = False  # inferred by the Bayesian calibration
    role: Role = "population"  # animal: per-animal random effect; design: per-design effect draw

    def ppf(self, u: FloatArray) -> FloatArray:
        """Quantile function of the prior (``u`` in (0, 1)); fixed parameters ignore ``u``."""
        u = np.asarray(u, dtype=float)
        if self.dist == "fixed" or self.low is None or self.high is None:
            return np.full(u.shape, self.value)
        if self.dist == "uniform":
            return self.low + (self.high - self.low) * u
        from scipy.special import ndtri  # the standard-normal quantile (scipy.stats is slow)

        if self.dist == "normal":  # low holds the SD
            return np.asarray(self.value + self.low * ndtri(u), dtype=float)
        # lognormal with the nominal as median and [low, high] as its 5-95 % range

        sigma = (np.log(self.high) - np.log(self.low)) / (2 * _Z95)
        return np.asarray(self.value * np.exp(sigma * ndtri(u)), dtype=float)

    @property
    def prior_text(self) -> str:
        if self.dist == "fixed":
            return "fixed"
        if self.dist == "normal":
            return f"normal(mean {self.value:g}, sd {self.low:g})"
        kind = "5-95 %" if self.dist == "lognormal" else "bounds"
        return f"{self.dist} [{self.low:g}, {self.high:g}] ({kind})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "prior": self.prior_text,
            "group": self.group,
            "source": self.source,
            "description": self.description,
            "free": self.free,
            "role": self.role,
        }


@dataclass(frozen=True)
class CarrierRelease:
    """Default release of a carrier: a kinetic model of ``exosci.release`` and its source."""

    model: str
    params: dict[str, float]
    retained: float
    source: str


@dataclass(frozen=True)
class ParameterTable:
    """Every parameter of the model, by name, plus per-carrier release defaults."""

    params: dict[str, Parameter]
    carriers: dict[str, CarrierRelease]

    def nominal(self) -> dict[str, float]:
        return {n: p.value for n, p in self.params.items()}

    @property
    def uncertain(self) -> list[str]:
        return [n for n, p in self.params.items() if p.dist != "fixed"]

    @property
    def free(self) -> list[str]:
        """The parameters the Bayesian calibration infers (``free: true`` in the table)."""
        return [n for n, p in self.params.items() if p.free]

    def by_role(self, role: Role) -> list[str]:
        """Parameters of one role: ``animal`` (between-animal) or ``design`` (effect draw)."""
        return [n for n, p in self.params.items() if p.role == role]

    def sample(self, n: int, rng: np.random.Generator) -> dict[str, FloatArray]:
        """``n`` independent draws from every prior (fixed ones repeated), one array per name."""
        out: dict[str, FloatArray] = {}
        for name, p in self.params.items():
            u = rng.random(n) if p.dist != "fixed" else np.zeros(n)
            out[name] = p.ppf(u)
        return out

    def with_values(self, values: dict[str, float], *, source: str) -> ParameterTable:
        """A copy with new nominal values (e.g. after calibration); priors keep their width."""
        new = dict(self.params)
        for name, v in values.items():
            p = new[name]
            ratio = v / p.value if p.value else 1.0
            low = p.low * ratio if (p.low is not None and p.dist == "lognormal") else p.low
            high = p.high * ratio if (p.high is not None and p.dist == "lognormal") else p.high
            new[name] = Parameter(
                p.name,
                float(v),
                p.unit,
                p.dist,
                low,
                high,
                p.group,
                source,
                p.description,
                p.free,
                p.role,
            )
        return ParameterTable(new, self.carriers)

    def records(self) -> list[dict[str, Any]]:
        return [p.to_dict() for p in self.params.values()]


def _parse(doc: dict[str, Any]) -> ParameterTable:
    refs: dict[str, str] = doc.get("references", {})
    params: dict[str, Parameter] = {}
    for rec in doc["parameters"]:
        prior = rec.get("prior", {"dist": "fixed"})
        src = str(rec["source"])
        source = " ".join(refs.get(tok.strip("(),;:"), tok) for tok in src.split(" "))
        if prior["dist"] == "normal":
            prior = {"dist": "normal", "low": prior["sd"], "high": prior["sd"]}
        params[rec["name"]] = Parameter(
            name=rec["name"],
            value=float(rec["value"]),
            unit=str(rec["unit"]),
            dist=prior["dist"],
            low=float(prior["low"]) if "low" in prior else None,
            high=float(prior["high"]) if "high" in prior else None,
            group=str(rec.get("group", "")),
            source=source,
            description=str(rec.get("description", "")),
            free=bool(rec.get("free", False)),
            role=rec.get("role", "population"),
        )
    carriers = {
        cid: CarrierRelease(
            model=c["model"],
            params={k: float(v) for k, v in c["params"].items()},
            retained=float(c.get("retained", 1.0)),
            source=" ".join(refs.get(tok.strip("(),;:"), tok) for tok in str(c["source"]).split()),
        )
        for cid, c in doc.get("carriers", {}).items()
    }
    return ParameterTable(params, carriers)


@cache
def default_parameters() -> ParameterTable:
    """The shipped parameter table (``exosci/model/parameters.yaml``)."""
    text = resources.files("exosci.model").joinpath("parameters.yaml").read_text("utf-8")
    return _parse(load_text(text))
