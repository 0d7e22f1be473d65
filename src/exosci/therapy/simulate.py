"""``ex.simulate(spec)``: a therapy spec through the model, as a tidy DataFrame."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from exosci.therapy.spec import TherapySpec


def simulate_spec(
    spec: TherapySpec | Mapping[str, Any] | str | Path,
    *,
    samples: int = 1000,
    seed: int = 0,
    outputs: Sequence[str] = ("score",),
    kb: Any = None,
    scheduler: Any = None,
) -> pd.DataFrame:
    """Simulate a therapy and its untreated control on the same virtual subjects.

    Parameters
    ----------
    spec
        A therapy spec: YAML/JSON path, dict of fields, or :class:`~exosci.therapy.TherapySpec`.
    samples, seed
        Virtual subjects (paired treated/control) and the ensemble's seed.
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
