"""Parameter draws for every Monte Carlo run: the calibrated posterior, not the raw priors.

``exosci calibrate`` writes ``posterior.yaml`` (shipped in the package): draws of the free
parameters and of the between-animal SD from an MCMC run on the calibration targets. Every run
that samples parameters asks :func:`parameter_draws` for them:

* calibrated parameters (every uncertain population parameter that moves a calibration output):
  resampled posterior draws (jointly, so their correlations are kept);
* parameters that do not touch the calibration outputs (other routes, carriers, mouse, the
  timing window's effect on designs outside the mix): their posterior is their prior, so they
  are sampled from it;
* per-design effect draws (``role: design``): sampled in every band;
* per-animal effects (``role: animal``): sampled in the ``animal`` band; the ``mean`` band is
  by definition the typical animal (effect 0);
* a posterior may still list parameters it was *conditioned* on (held at nominal by an older
  calibration); the shipped one lists none, and ``tests/model`` checks it.

Two bands, both available and labelled:

* ``mean``: uncertainty of the mean effect: each draw is a *typical animal* of one plausible
  population;
* ``animal``: between-animal spread: each draw is one animal, i.e. a posterior draw plus that
  animal's deviation (its functional threshold x exp(sd x z)).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml

from exosci._yaml import load_text
from exosci.model.parameters import FloatArray, ParameterTable, default_parameters

Band = Literal["mean", "animal"]
BANDS: dict[str, str] = {
    "mean": "uncertainty of the mean effect (posterior of the population parameters; "
    "each draw is a typical animal)",
    "animal": "between-animal spread (posterior plus animal-to-animal variation in lesion "
    "size; each draw is one animal)",
}
SD_NAME = "animal_sd"
POSTERIOR_FILE = "posterior.yaml"


@dataclass(frozen=True)
class Posterior:
    """Posterior draws of the free parameters (and the between-animal SD) plus their context."""

    free: tuple[str, ...]
    draws: dict[str, FloatArray]
    animal_parameters: tuple[str, ...]
    conditioned: frozenset[str]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(next(iter(self.draws.values())))

    def to_doc(self) -> dict[str, Any]:
        return {
            **self.meta,
            "free": list(self.free),
            "between_animal": {"parameters": list(self.animal_parameters), "sd_name": SD_NAME},
            "conditioned_at_nominal": sorted(self.conditioned),
            "draws": {k: [float(f"{x:.6g}") for x in v] for k, v in self.draws.items()},
        }


def parse_posterior(doc: dict[str, Any]) -> Posterior:
    draws = {k: np.asarray(v, dtype=float) for k, v in doc["draws"].items()}
    sizes = {len(v) for v in draws.values()}
    if len(sizes) != 1 or SD_NAME not in draws:
        raise ValueError(f"posterior file: draws must have equal lengths and include {SD_NAME}")
    meta = {
        k: v
        for k, v in doc.items()
        if k not in ("free", "between_animal", "conditioned_at_nominal", "draws")
    }
    return Posterior(
        free=tuple(doc["free"]),
        draws=draws,
        animal_parameters=tuple(doc["between_animal"]["parameters"]),
        conditioned=frozenset(doc.get("conditioned_at_nominal", [])),
        meta=meta,
    )


def write_posterior(post: Posterior, path: str | Path) -> Path:
    out = Path(path)
    header = (
        "# Posterior draws of the exosci therapy model, written by `exosci calibrate`.\n"
        "# Regenerate with: exosci calibrate --write (seeded; settings below). Do not edit.\n"
    )
    text = yaml.safe_dump(post.to_doc(), sort_keys=False, width=100, default_flow_style=None)
    out.write_text(header + text, encoding="utf-8")
    return out


def shipped_posterior_path() -> Path:
    return Path(str(resources.files("exosci.model").joinpath(POSTERIOR_FILE)))


@cache
def load_posterior() -> Posterior | None:
    """The shipped posterior, or None if the package has none yet."""
    path = shipped_posterior_path()
    if not path.is_file():
        return None
    return parse_posterior(load_text(path.read_text("utf-8")))


def calibrated_table(table: ParameterTable | None = None) -> ParameterTable:
    """Return the parameter table of the calibrated model.

    Every parameter the posterior infers is at its posterior median, the rest at their table
    values: what deterministic runs, the SBML export and structural checks use (the prior
    table stays the calibration's input).
    """
    table = table or default_parameters()
    post = load_posterior()
    if post is None:
        return table
    medians = {
        n: float(np.median(post.draws[n]))
        for n in post.free
        if n in table.params and n in post.draws
    }
    return table.with_values(medians, source="posterior median (exosci calibrate)")


def posterior_status(table: ParameterTable | None = None) -> dict[str, Any]:
    """Which parameters come from the posterior, which are held, which sampled from priors."""
    table = table or default_parameters()
    post = load_posterior()
    uncertain = [n for n in table.uncertain]
    if post is None:
        return {"posterior": False, "prior_sampled": uncertain, "from_posterior": []}
    from_post = [n for n in post.free if n in table.params]
    held = sorted(n for n in post.conditioned if n in table.params and n not in from_post)
    role = {n: getattr(p, "role", "population") for n, p in table.params.items()}
    effects = [n for n in uncertain if role[n] in ("animal", "design")]
    skip = set(from_post) | set(held) | set(effects)
    return {
        "posterior": True,
        "draws": post.size,
        "from_posterior": from_post,
        "held_at_nominal": held,
        "design_effect_draws": [n for n in effects if role[n] == "design"],
        "animal_effects": [n for n in effects if role[n] == "animal"],
        "prior_sampled": [n for n in uncertain if n not in skip],
        "between_animal": list(post.animal_parameters),
        "settings": post.meta.get("settings", {}),
    }


def parameter_draws(
    n: int,
    rng: np.random.Generator,
    *,
    table: ParameterTable | None = None,
    band: Band = "mean",
    posterior: Posterior | None = None,
    hold: Collection[str] = (),
) -> dict[str, FloatArray]:
    """``n`` parameter sets, one array per parameter name (see the module docstring).

    ``hold``: names held at their median (posterior median if calibrated, else the prior's)
    while everything else is drawn exactly as without it - the same random streams, so a run
    with ``hold`` is nested in the run without it (:mod:`exosci.model.uncertainty`).
    Without a posterior (none shipped) every uncertain parameter is sampled from its prior.
    """
    if band not in BANDS:
        raise ValueError(f"band {band!r}: accepted: {', '.join(BANDS)}")
    table = table or default_parameters()
    post = posterior if posterior is not None else load_posterior()
    if post is None:
        prior = table.sample(n, rng)
        for name in hold:
            if name in table.params:
                prior[name] = np.full(n, float(table.params[name].ppf(np.array([0.5]))[0]))
        return prior
    pick = rng.integers(0, post.size, size=n)
    u = rng.random((len(table.params), n))  # one stream per parameter, fixed order
    out: dict[str, FloatArray] = {}
    animal_effects = []
    for i, (name, p) in enumerate(table.params.items()):
        role = getattr(p, "role", "population")
        if role == "animal":  # per-animal effect: only in the between-animal band
            animal_effects.append(name)
            out[name] = p.ppf(u[i]) if band == "animal" else np.full(n, p.value)
        elif name in post.draws:
            out[name] = post.draws[name][pick].copy()
        elif role == "design":  # the design's own effect draw: part of the mean's uncertainty
            out[name] = p.ppf(u[i])
        elif name in post.conditioned or p.dist == "fixed":
            out[name] = np.full(n, p.value)
        else:
            out[name] = p.ppf(u[i])
    for name in hold:
        if name in post.draws:
            out[name] = np.full(n, float(np.median(post.draws[name])))
        elif name in table.params:
            out[name] = np.full(n, float(table.params[name].ppf(np.array([0.5]))[0]))
    z = rng.standard_normal(n)
    if band == "animal" and not animal_effects:  # the model has no animal effect: apply it here
        factor = np.exp(post.draws[SD_NAME][pick] * z)
        for name in post.animal_parameters:
            if name in out:
                out[name] = out[name] * factor
    return out


def band_role(name: str, table: ParameterTable, post: Posterior | None) -> str:
    """How a parameter enters the Monte Carlo bands (one phrase, for tables and reports)."""
    p = table.params[name]
    if p.dist == "fixed":
        return "fixed (no prior)"
    if p.role == "animal":
        return "per-animal draw (animal band; 0 in the mean band)"
    if p.role == "design":
        return "per-design effect draw (every band)"
    if post is not None and name in post.free:
        return "calibrated (posterior draws, every band)"
    if post is not None and name in post.conditioned:
        return "HELD at nominal (conditioned)"
    return "prior draws (every band; the targets do not inform it)"


def parameters_markdown(table: ParameterTable | None = None) -> str:
    """The parameter table of ``docs/model.md`` (generated: ``scripts/update_model_docs.py``)."""
    table = table or default_parameters()
    post = load_posterior()

    def cell(text: str) -> str:
        return " ".join(str(text).split()).replace("|", "\\|")

    rows = [
        "| parameter | group | value | unit | prior | in the bands | source |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, p in table.params.items():
        value = f"{p.value:.4g}"
        if post is not None and name in post.draws:
            lo, med, hi = np.quantile(post.draws[name], [0.05, 0.5, 0.95])
            value = f"{med:.3g} ({lo:.3g}-{hi:.3g})"
        rows.append(
            f"| `{name}` | {p.group} | {value} | {cell(p.unit)} | {cell(p.prior_text)} | "
            f"{band_role(name, table, post)} | {cell(p.source)} |"
        )
    if post is not None and SD_NAME not in table.params:
        rows.append(f"| `{SD_NAME}` | outcome | posterior | 1 | lognormal | calibrated | - |")
    return "\n".join(rows)
