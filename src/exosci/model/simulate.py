"""Deterministic runs and Monte Carlo ensembles (seeded, batched, optionally on Dask)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from exosci.model.design import Design
from exosci.model.paired import OUTPUTS, check_outputs, paired_run
from exosci.model.parameters import FloatArray, ParameterTable, default_parameters

LABEL = (
    "MODEL PREDICTION (semi-quantitative, hypothesis-generating; not a measurement). "
    "Untreated course anchored to Basso 1996 moderate contusion; treatment size to rodent "
    "meta-analyses; see `parameters` for every value and its source."
)
ASSUMPTIONS = (
    "One average lesion per species; rat and mouse share lesion kinetics (scores differ).",
    "Plasma kinetics from IV studies in mice (Kim 2019), scaled to rat by allometry (BW^-0.25).",
    "Lesion entry from plasma scales with barrier leak; vesicles washed out of the lesion are "
    "lost; lesion uptake is not subtracted from plasma (< 1 % of plasma content).",
    "Effect size: the typical design (IV MSC-type vesicles, 100-200 ug, within 24 h) carries the "
    "pooled meta-analytic effect; a design's potency relative to it comes from its own outcome "
    "evidence, shrunk toward the pooled effect (random effects, wider where evidence is thin).",
    "The mechanism profile decides where the vesicles act (axis weights averaging 1), not how "
    "much; preconditioning, engineering, loaded cargo and co-therapies act through their own "
    "effect terms (centred on no effect); carriers act through retention and release.",
    "A carrier or drug without vesicles carries no vesicle cargo and equals the control.",
    "Dose times snap to a 1-h grid; release enters as the amount released per hour.",
    "Numerical error: adaptive Rosenbrock-W method ROS34PW2, local error per step below 1e-4 "
    "relative (+1e-7 absolute); the BBB score agrees with a tight scipy reference to about "
    "5e-4 points (tested per route and carrier).",
)


@dataclass(frozen=True)
class Summary:
    """Median and 5-95 % band per output and time point."""

    median: FloatArray
    p05: FloatArray
    p95: FloatArray

    def to_dict(self) -> dict[str, list[float]]:
        return {
            "median": np.round(self.median, 6).tolist(),
            "p05": np.round(self.p05, 6).tolist(),
            "p95": np.round(self.p95, 6).tolist(),
        }


def summarise(x: FloatArray) -> Summary:
    q = np.quantile(x, [0.5, 0.05, 0.95], axis=-1)
    return Summary(q[0], q[1], q[2])


@dataclass(frozen=True)
class SimulationResult:
    """Treated and control runs of one design (arrays of shape ``(n_times, n_samples)``)."""

    design: Design
    days: FloatArray
    treated: dict[str, FloatArray]
    control: dict[str, FloatArray]
    table: ParameterTable
    seed: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def n_samples(self) -> int:
        return int(self.treated["score"].shape[1])

    def to_dict(self, *, every_days: float = 1.0) -> dict[str, Any]:
        """The ``simulate`` JSON document (daily by default)."""
        step = self.days[1] - self.days[0] if len(self.days) > 1 else 1.0
        stride = max(1, round(every_days / step))
        idx = slice(None, None, stride)
        d = self.design
        return {
            "label": LABEL,
            "assumptions": list(ASSUMPTIONS),
            "days": self.days[idx].tolist(),
            "species": d.species,
            "score_name": d.score_name,
            "score_max": d.score_max,
            "samples": self.n_samples,
            "seed": self.seed,
            "design": design_dict(d),
            "treated": {k: summarise(v[idx]).to_dict() for k, v in self.treated.items()},
            "control": {k: summarise(v[idx]).to_dict() for k, v in self.control.items()},
            "difference": {
                "score": summarise((self.treated["score"] - self.control["score"])[idx]).to_dict()
            },
            "parameters": self.table.records(),
            **self.extra,
            **uncertainty_block(d, self.n_samples, self.seed, "band" in self.extra),
        }


DECOMPOSE_SAMPLES = 300  # subjects per nested run of the band decomposition


def uncertainty_block(
    design: Design, samples: int, seed: int | None, monte_carlo: bool
) -> dict[str, Any]:
    """``{"uncertainty": ...}``: how much of the gain's band comes from the mean effect, from
    assumed pharmacokinetics and from animals (:func:`exosci.model.uncertainty.decompose`);
    empty for a deterministic run or a design without vesicles."""
    if not monte_carlo or design.dose_ug <= 0 or samples < 10:
        return {}
    from exosci.model.uncertainty import decompose

    n = min(samples, DECOMPOSE_SAMPLES)
    return {"uncertainty": decompose(design, samples=n, seed=seed or 0)}


def design_dict(d: Design) -> dict[str, Any]:
    return {
        "label": d.label,
        "route": d.route,
        "dose_ug": d.dose_ug,
        "dose_times_days": list(d.dose_times_days),
        "release": None if d.release is None else vars(d.release),
        "axis_scores": d.axis_scores,
        "targeted": d.targeted,
        "severity": d.severity,
        "potency": d.potency,
        "effect": [vars(t) for t in d.effect],  # each term with its own draw (model.effect)
    }


def simulate(
    design: Design,
    *,
    table: ParameterTable | None = None,
    record_per_day: int = 4,
) -> SimulationResult:
    """One deterministic run of the calibrated model (posterior medians, else table values)."""
    if table is None:
        from exosci.model.posterior import calibrated_table

        table = calibrated_table()
    nominal = {k: np.asarray([v]) for k, v in table.nominal().items()}
    days, tr, ct = paired_run(design, nominal, 1, record_per_day=record_per_day)
    return SimulationResult(design, days, tr, ct, table)


def run_batch(
    design: Design,
    table: ParameterTable,
    size: int,
    seed: np.random.SeedSequence,
    outputs: Sequence[str] = tuple(OUTPUTS),
    band: str = "mean",
) -> tuple[FloatArray, dict[str, FloatArray], dict[str, FloatArray]]:
    """One seeded batch of the ensemble (a top-level function so Dask can ship it)."""
    params = batch_params(table, size, seed, band=band)
    return paired_run(design, params, size, outputs=outputs)


def batch_params(
    table: ParameterTable, size: int, seed: np.random.SeedSequence, *, band: str = "mean"
) -> dict[str, FloatArray]:
    """The parameter draws of one batch: the only place an ensemble's subjects are drawn, so
    other runs on the same subjects (the report's alternatives) re-draw them here.

    Draws come from the calibrated posterior (:func:`exosci.model.posterior.parameter_draws`):
    band ``mean`` = uncertainty of the mean effect, ``animal`` = between-animal spread."""
    from exosci.model.posterior import parameter_draws

    return parameter_draws(size, np.random.default_rng(seed), table=table, band=band)  # type: ignore[arg-type]


def batch_plan(
    samples: int, seed: int, batch_size: int
) -> list[tuple[int, np.random.SeedSequence]]:
    """Batch sizes and their seeds: the same for local and distributed runs."""
    n_batches = max(1, -(-samples // batch_size))
    seeds = np.random.SeedSequence(seed).spawn(n_batches)
    sizes = [min(batch_size, samples - i * batch_size) for i in range(n_batches)]
    return list(zip(sizes, seeds, strict=True))


def ensemble(
    design: Design,
    *,
    samples: int = 1000,
    seed: int = 0,
    table: ParameterTable | None = None,
    batch_size: int = 2500,
    scheduler: Any = None,
    outputs: Sequence[str] = tuple(OUTPUTS),
    progress: Callable[[int], None] | None = None,
    band: str = "mean",
) -> SimulationResult:
    """Monte Carlo over the posterior: ``samples`` virtual subjects, treated and control (paired).

    ``band``: ``mean`` (uncertainty of the mean effect) or ``animal`` (between-animal spread).

    Samples are split into batches with seeds from ``SeedSequence(seed).spawn``; with
    ``scheduler`` (a Dask address or ``distributed.Client``) the batches run on the cluster and
    the result is identical to the local run for the same seed.
    """
    if samples < 1:
        raise ValueError("samples must be >= 1")
    table = table or default_parameters()
    plan = batch_plan(samples, seed, batch_size)
    if scheduler is None:
        results = []
        for size, ss in plan:
            results.append(run_batch(design, table, size, ss, outputs, band=band))
            if progress:
                progress(size)
    else:
        from exosci.model.distributed import map_batches

        results = map_batches(
            scheduler, design, table, plan, outputs, progress=progress,
            fn=partial(run_batch, band=band),
        )  # fmt: skip
    days = results[0][0]
    treated = {k: np.concatenate([r[1][k] for r in results], axis=1) for k in outputs}
    control = {k: np.concatenate([r[2][k] for r in results], axis=1) for k in outputs}
    return SimulationResult(design, days, treated, control, table, seed=seed, extra={"band": band})


QUANTILES = (0.5, 0.05, 0.95)


@dataclass(frozen=True)
class EnsembleSummary:
    """Quantiles of a streamed ensemble (no trajectories kept): ``arm -> output -> Summary``.

    ``arms`` holds ``treated``, ``control`` and ``difference`` (treated - control, paired).
    Each quantile's rank is within ``rank_error * samples`` of the exact sample quantile
    (``numpy.quantile(..., method="inverted_cdf")``).
    """

    design: Design
    days: FloatArray
    arms: dict[str, dict[str, Summary]]
    samples: int
    rank_error: float
    table: ParameterTable
    seed: int | None = None
    band: str = "mean"

    def to_dict(self) -> dict[str, Any]:
        d = self.design
        return {
            "label": LABEL,
            "assumptions": list(ASSUMPTIONS),
            "days": self.days.tolist(),
            "species": d.species,
            "score_name": d.score_name,
            "score_max": d.score_max,
            "samples": self.samples,
            "seed": self.seed,
            "quantile_rank_error": self.rank_error,
            "band": self.band,
            "design": design_dict(d),
            **{arm: {k: s.to_dict() for k, s in v.items()} for arm, v in self.arms.items()},
            "parameters": self.table.records(),
            **uncertainty_block(d, self.samples, self.seed, True),
        }


def _columns(tr: dict[str, FloatArray], ct: dict[str, FloatArray], names: Sequence[str]) -> Any:
    """Treated, control and difference of every output: ``3 x k`` row blocks ``(times, batch)``
    (a list, not one stacked array: the summary reads the blocks in place)."""
    return [tr[k] for k in names] + [ct[k] for k in names] + [tr[k] - ct[k] for k in names]


def run_summary_batch(
    design: Design,
    table: ParameterTable,
    size: int,
    seed: np.random.SeedSequence,
    outputs: Sequence[str],
    *,
    band: str = "mean",
) -> tuple[FloatArray, Any]:
    """One seeded batch reduced to a rank summary (what a Dask worker sends back)."""
    from exosci.model.quantiles import RankSummary

    days, tr, ct = run_batch(design, table, size, seed, outputs, band=band)
    return days, RankSummary.exact(_columns(tr, ct, outputs))


def ensemble_summary(
    design: Design,
    *,
    samples: int = 1000,
    seed: int = 0,
    table: ParameterTable | None = None,
    batch_size: int = 2500,
    scheduler: Any = None,
    outputs: Sequence[str] = ("score",),
    progress: Callable[[int], None] | None = None,
    band: str = "mean",
) -> EnsembleSummary:
    """:func:`ensemble` without trajectories: quantiles streamed batch by batch.

    Memory is bounded by one batch plus a quantile summary of fixed size per output and day
    (not by ``samples``). The draws equal those of :func:`ensemble` for the same seed and batch
    size; with ``scheduler`` the workers return summaries and the result is identical.
    """
    from exosci.model.quantiles import StreamingQuantiles

    if samples < 1:
        raise ValueError("samples must be >= 1")
    check_outputs(outputs)
    table = table or default_parameters()
    plan = batch_plan(samples, seed, batch_size)
    stream = StreamingQuantiles()
    days: FloatArray | None = None
    if scheduler is None:
        for size, ss in plan:
            days, tr, ct = run_batch(design, table, size, ss, tuple(outputs), band=band)
            stream.add(_columns(tr, ct, outputs))  # merged block by block, nothing stacked
            del tr, ct  # not kept alive through the next batch
            if progress:
                progress(size)
    else:
        from exosci.model.distributed import map_batches

        results = map_batches(
            scheduler,
            design,
            table,
            plan,
            outputs,
            progress=progress,
            fn=partial(run_summary_batch, band=band),
        )
        for summary in (r[1] for r in results):
            stream.add(summary)
        days = results[0][0]
    assert days is not None
    total = stream.result()
    q, err = total.quantiles(QUANTILES)
    n_t, k = len(days), len(outputs)
    arms: dict[str, dict[str, Summary]] = {}
    for a, arm in enumerate(("treated", "control", "difference")):
        arms[arm] = {}
        for j, name in enumerate(outputs):
            sl = slice((a * k + j) * n_t, (a * k + j + 1) * n_t)
            arms[arm][name] = Summary(q[0, sl], q[1, sl], q[2, sl])
    return EnsembleSummary(design, days, arms, samples, err, table, seed=seed, band=band)
