"""Compare several designs on the same virtual subjects (same seed, same parameter draws)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from exosci.kb.store import KnowledgeBase, default_kb
from exosci.model.simulate import LABEL, ensemble
from exosci.therapy import TherapySpec, resolve_spec


def compare_specs(
    specs: list[TherapySpec],
    *,
    kb: KnowledgeBase | None = None,
    samples: int = 500,
    seed: int = 0,
    plot: Path | None = None,
) -> dict[str, Any]:
    """Final score, paired gain, lesion exposure and evidence count for each spec."""
    kb = kb or default_kb()
    rows: list[dict[str, Any]] = []
    curves: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = []
    for spec in specs:
        res = resolve_spec(spec, kb)
        sim = ensemble(res.design, samples=samples, seed=seed, outputs=("score", "lesion_auc"))
        tr, ct = sim.treated["score"], sim.control["score"]
        gain = tr[-1] - ct[-1]
        q = np.quantile(gain, [0.5, 0.05, 0.95])
        ids = set(res.evidence_entities())
        rows.append(
            {
                "name": spec.name,
                "species": res.design.species,
                "score_name": res.design.score_name,
                "treated_final": float(np.median(tr[-1])),
                "control_final": float(np.median(ct[-1])),
                "gain": {"median": float(q[0]), "p05": float(q[1]), "p95": float(q[2])},
                "lesion_auc_ug_day": float(np.median(sim.treated["lesion_auc"][-1])),
                "mechanisms": {} if res.profile is None else res.profile.scores(),
                "evidence_statements": sum(
                    1 for s in kb.curated.statements if s.subject in ids or s.object in ids
                ),
            }
        )
        curves.append((spec.name, sim.days, np.median(tr, axis=1), np.median(ct, axis=1)))
    if plot is not None:
        _plot(curves, rows, plot)
    return {"label": LABEL, "samples": samples, "seed": seed, "designs": rows}


def _plot(
    curves: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]],
    rows: list[dict[str, Any]],
    path: Path,
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4))
    for name, days, tr, _ in curves:
        ax.plot(days, tr, lw=2, label=name)
    shown: set[str] = set()
    for (_, days, _, ct), row in zip(curves, rows, strict=True):
        if row["species"] not in shown:
            ax.plot(days, ct, color="#888", ls="--", label=f"control ({row['species']})")
            shown.add(row["species"])
    ax.set_xlabel("days after injury")
    ax.set_ylabel("locomotor score (median)")
    ax.set_title("Designs compared — MODEL PREDICTION")
    ax.legend(frameon=False, fontsize=8)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
