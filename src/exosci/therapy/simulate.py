"""``ex.simulate(spec)``: a therapy spec through the model, as a tidy DataFrame."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from exosci.model.design import Design
    from exosci.model.simulate import EnsembleSummary, SimulationResult
    from exosci.reason.graph import HasCurated
    from exosci.therapy.spec import TherapySpec


def simulate_spec(
    spec: TherapySpec | Mapping[str, Any] | str | Path,
    *,
    samples: int = 1000,
    seed: int = 0,
    outputs: Sequence[str] = ("score",),
    kb: HasCurated | None = None,
    scheduler: Any = None,
) -> pd.DataFrame:
    """Simulate a therapy and its untreated control on the same virtual subjects.

    Parameters
    ----------
    spec
        A therapy spec: YAML/JSON path, dict of fields, or ``exosci.therapy.TherapySpec``.
    samples
        Virtual subjects: paired draws of the model's parameters, each simulated with and
        without the therapy.
    seed
        Seed of every random step (default 0: the same call gives the same numbers).
    outputs
        Model outputs to record (``score``, ``exposure``, ...; see ``exosci.model.OUTPUTS``).
        Only these are kept; quantiles are streamed, so memory does not grow with ``samples``.

    Returns
    -------
    DataFrame
        Tidy, one row per day, arm (``treated``, ``control``, ``difference`` = paired
        treated − control) and output, with ``median``, ``p05`` and ``p95`` over subjects.
        ``.attrs`` carries the score name, the model-prediction label and the seed.

    Examples
    --------
    >>> import exosci as ex
    >>> df = ex.simulate("examples/iv-bmsc-exos-rat.yaml", samples=50)  # doctest: +SKIP
    >>> df.query("arm == 'difference' and day == 28")  # doctest: +SKIP
    """
    from exosci.model.simulate import ensemble_summary
    from exosci.therapy.resolve import resolve_spec
    from exosci.therapy.spec import as_spec

    design = resolve_spec(as_spec(spec), kb).design
    summary = ensemble_summary(
        design, samples=samples, seed=seed, outputs=tuple(outputs), scheduler=scheduler
    )
    frames = []
    for arm, per_output in summary.arms.items():
        for output, s in per_output.items():
            frames.append(
                pd.DataFrame(
                    {
                        "day": summary.days,
                        "arm": arm,
                        "output": output,
                        "median": s.median,
                        "p05": s.p05,
                        "p95": s.p95,
                    }
                )
            )
    df = pd.concat(frames, ignore_index=True)
    doc = summary.to_dict()
    df.attrs.update(
        score_name=doc["score_name"], label=doc["label"], seed=seed, samples=summary.samples
    )
    return df


@dataclass(frozen=True)
class SimulationRun:
    """A resolved therapy spec run through the ensemble: the result and its JSON document.

    ``exosci simulate --json`` and ``POST /api/simulate`` both print ``to_dict``, so the
    two documents have the same keys.
    """

    result: SimulationResult | EnsembleSummary
    document: Mapping[str, Any]
    design: Design

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (a deep copy): ensemble summary, band label, spec, notes, mechanisms."""
        return copy.deepcopy(dict(self.document))


def simulate_run(
    spec: TherapySpec | Mapping[str, Any] | str | Path,
    *,
    samples: int = 1000,
    seed: int = 0,
    band: str = "mean",
    kb: HasCurated | None = None,
    scheduler: Any = None,
    progress: Callable[[int], None] | None = None,
    trajectories: bool = False,
) -> SimulationRun:
    """Resolve a therapy spec and simulate it: the document the CLI and the web API return.

    Parameters
    ----------
    spec
        A therapy spec: YAML/JSON path, dict of fields, or ``exosci.therapy.TherapySpec``.
    samples
        Virtual subjects: paired draws of the model's parameters, each simulated with and
        without the therapy.
    seed
        Seed of every random step (default 0: the same call gives the same numbers).
    band
        ``mean`` (uncertainty of the mean effect) or ``animal`` (between-animal spread).
    kb
        Knowledge base (default: the bundled one), Dask scheduler, and a callback given the
        number of subjects finished in each batch.
    scheduler
        Knowledge base (default: the bundled one), Dask scheduler, and a callback given the
        number of subjects finished in each batch.
    progress
        Knowledge base (default: the bundled one), Dask scheduler, and a callback given the
        number of subjects finished in each batch.
    trajectories
        Keep every subject's trajectory (``result`` is a ``SimulationResult``, e.g. to plot);
        by default only quantiles are streamed (an ``EnsembleSummary``; memory does not grow
        with ``samples``). The document is the same either way.

    Returns
    -------
    SimulationRun
        ``.result`` (the ensemble), ``.design`` and ``.to_dict()`` with the keys of
        the ensemble summary plus ``band_label``, ``spec``, ``notes`` and ``mechanisms``.

    Examples
    --------
    >>> from exosci.therapy.simulate import simulate_run
    >>> run = simulate_run("examples/iv-bmsc-exos-rat.yaml", samples=20)  # doctest: +SKIP
    >>> sorted(run.to_dict())  # doctest: +SKIP
    """
    from exosci.errors import UserInputError
    from exosci.model.posterior import BANDS
    from exosci.model.simulate import OUTPUTS, ensemble, ensemble_summary
    from exosci.therapy.resolve import resolve_spec
    from exosci.therapy.spec import as_spec

    if band not in BANDS:
        raise UserInputError(f"band {band!r}: accepted: {' or '.join(BANDS)}.")
    resolved = resolve_spec(as_spec(spec), kb)
    run = ensemble if trajectories else ensemble_summary
    result = run(
        resolved.design,
        samples=samples,
        seed=seed,
        scheduler=scheduler,
        outputs=tuple(OUTPUTS),
        progress=progress,
        band=band,
    )
    doc = result.to_dict()
    doc["band_label"] = "5th-95th percentile over virtual subjects: " + BANDS[band]
    doc["spec"] = resolved.spec.model_dump()
    doc["notes"] = resolved.notes
    doc["mechanisms"] = (
        {
            a: {"score": s.score, "evidence": s.evidence[:5]}
            for a, s in resolved.profile.axes.items()
        }
        if resolved.profile is not None
        else {}
    )
    return SimulationRun(result=result, document=doc, design=resolved.design)
