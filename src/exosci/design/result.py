"""The result of a design search: the front as a table, JSON, specs and plots."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

COLUMNS = (
    "name",
    "gain_median",
    "delta_median",
    "delta_p05",
    "delta_p95",
    "p_at_least_min",
    "certainty",
    "feasibility",
    "risk",
    "tie_group",
    "outside_domain",
    "surgeries",
    "total_dose_ug",
)


class DesignSearch:
    """What :func:`exosci.design.search` returns (``.to_dict()`` is the ``--json`` document)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc

    @property
    def front(self) -> list[dict[str, Any]]:
        return list(self.doc["front"])

    def to_dict(self) -> dict[str, Any]:
        return self.doc

    def to_frame(self, *, all_candidates: bool = False) -> pd.DataFrame:
        """One row per front design (or per candidate): the objectives and the design fields."""
        rows = self.doc["candidates"] if all_candidates else self.doc["front"]
        out = []
        for r in rows:
            flat = {k: v for k, v in r.items() if k not in ("gain", "delta", "spec", "risks")}
            flat.update({f"gain_{k}": v for k, v in r["gain"].items()})
            flat.update({f"delta_{k}": v for k, v in r["delta"].items()})
            flat["p_at_least_min"] = r["delta"]["p_at_least_min"]
            flat["outside_domain"] = ", ".join(r["outside_domain"])
            out.append(flat)
        frame = pd.DataFrame(out)
        frame.attrs["provenance"] = self.doc["provenance"]
        return frame

    def write_specs(self, directory: str | Path) -> list[Path]:
        """Each front design as a spec file ``exosci evaluate`` reads unchanged."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        written = []
        prov = self.doc["provenance"]
        for i, r in enumerate(self.doc["front"], 1):
            slug = re.sub(r"[^a-z0-9]+", "-", r["name"].lower()).strip("-")[:60]
            p = d / f"{i:02d}-{slug}.yaml"
            head = (
                f"# Front design {i} of `exosci design search` (seed {prov['seed']}, "
                f"{prov['samples']} subjects, exosci {prov['version']}, data {prov['data_hash']}).\n"
                f"# Model prediction: gain over the baseline median {r['delta']['median']:+.2f} "
                f"{self.doc['method']['score_name']}, P(>= min) {r['delta']['p_at_least_min']:.2f}.\n"
            )
            p.write_text(
                head + yaml.safe_dump(r["spec"], sort_keys=False, allow_unicode=True),
                encoding="utf-8",
            )
            written.append(p)
        return written

    def plot(self, path: str | Path) -> Path:
        from exosci.design.plot import plot_front

        return plot_front(self.doc, Path(path))
