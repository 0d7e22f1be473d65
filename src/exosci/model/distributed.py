"""Run ensemble batches on a Dask cluster (``--scheduler``); same batches as the local run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def client_for(scheduler: Any) -> Any:
    """A ``distributed.Client`` for an address, or the given client unchanged."""
    from exosci.errors import require

    require("distributed", extra="dask", feature="running on a Dask cluster (--scheduler)")
    from distributed import Client

    if isinstance(scheduler, Client):
        return scheduler
    return Client(str(scheduler))


def on_worker(fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn`` with as many compiled-engine threads as the worker has (one per process)."""
    try:
        from distributed import get_worker

        threads = int(get_worker().state.nthreads)
    except (ImportError, ValueError, AttributeError):
        threads = 0
    if threads > 0:
        import numba

        from exosci.model.cengine import set_threads

        set_threads(threads)
        numba.set_num_threads(min(threads, int(numba.config.NUMBA_NUM_THREADS)))  # type: ignore[attr-defined]
    return fn(*args)


def map_batches(
    scheduler: Any,
    design: Any,
    table: Any,
    plan: Sequence[tuple[int, np.random.SeedSequence]],
    outputs: Sequence[str],
    *,
    progress: Callable[[int], None] | None = None,
    fn: Callable[..., Any],
) -> list[Any]:
    """Submit ``fn`` once per batch and gather results in batch order.

    ``fn(design, table, size, seed, outputs)`` is one seeded batch
    (:func:`exosci.model.simulate.run_batch` or a summary of it).
    """
    from distributed import as_completed

    client = client_for(scheduler)
    futures = [
        client.submit(on_worker, fn, design, table, size, ss, tuple(outputs), pure=False)
        for size, ss in plan
    ]
    index = {f.key: i for i, f in enumerate(futures)}
    results: list[Any] = [None] * len(futures)
    for fut in as_completed(futures):
        i = index[fut.key]
        results[i] = fut.result()
        if progress:
            progress(plan[i][0])
    if client is not scheduler:
        client.close()
    return results
