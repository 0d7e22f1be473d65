"""PNG of a simulation: score and key lesion states over time, treated vs control, with bands."""

from __future__ import annotations

from pathlib import Path

from exosci.model.simulate import SimulationResult, summarise

PANELS = (
    ("score", None),
    ("exposure", "cargo exposure (Emax response)"),
    ("neurons", "surviving at-risk tissue"),
    ("m1", "M1 macrophages/microglia"),
    ("barrier", "BSCB integrity"),
    ("axons", "regrown axons"),
)


def plot_simulation(result: SimulationResult, path: str | Path) -> Path:
    """Write a 2x3 panel figure; every panel is labelled as a model prediction."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(13, 7), constrained_layout=True)
    d = result.days
    for ax, (name, title) in zip(axes.flat, PANELS, strict=True):
        for arm, data, color in (
            ("treated", result.treated, "C0"),
            ("control", result.control, "C7"),
        ):
            if name not in data:
                continue
            s = summarise(data[name])
            ax.plot(d, s.median, color=color, label=arm)
            if result.n_samples > 1:
                ax.fill_between(d, s.p05, s.p95, color=color, alpha=0.2, lw=0)
        label = f"{result.design.score_name} score" if name == "score" else title
        ax.set_title(label)
        ax.set_xlabel("days after injury")
        if name == "score":
            ax.set_ylim(0, result.design.score_max)
            ax.legend(loc="lower right")
    band = "median, 5-95 % band" if result.n_samples > 1 else "nominal parameters"
    fig.suptitle(
        f"MODEL PREDICTION - {result.design.label or 'therapy'} ({result.design.species}; "
        f"{band}; n={result.n_samples})",
        fontsize=11,
    )
    out = Path(path)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
