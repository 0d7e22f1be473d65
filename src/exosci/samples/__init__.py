"""Small sample files shipped inside the package (``ex.datasets.list()`` /
``ex.datasets.example(name)``), so every README and tutorial line runs from an installed wheel.

The NTA exports are SYNTHETIC (``scripts/make_sample_data.py``: a log-normal size distribution
written in each instrument's export layout); the other files are the project's own examples.
All are under the project's MIT licence.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

_LICENCE = "MIT (exosci project)"


@dataclass(frozen=True)
class Sample:
    name: str
    file: str
    kind: str
    description: str
    licence: str = _LICENCE


SAMPLES: tuple[Sample, ...] = (
    Sample(
        "nta-nanosight",
        "SYNTHETIC_sEV-ExperimentSummary.csv",
        "NTA export",
        "SYNTHETIC NanoSight NTA 3.x ExperimentSummary.csv (three videos, 1-nm bins, log-normal "
        "sizes, median 110 nm); read with ex.qc.read_nta",
    ),
    Sample(
        "nta-zetaview",
        "SYNTHETIC_sEV_size_488.txt",
        "NTA export",
        "SYNTHETIC ZetaView 8.x size export (5-nm bins, dilution 1000 in the header); read with "
        "ex.qc.read_nta",
    ),
    Sample(
        "mirnas",
        "cargo-bmsc-mirnas.txt",
        "miRNA list",
        "miRNAs reported in BMSC-derived small EVs (illustrative; legacy and current names); "
        "for ex.cargo.enrich",
    ),
    Sample(
        "counts",
        "cargo-counts.csv",
        "count table",
        "small-RNA-seq counts, miRNAs x samples (illustrative numbers); for "
        "ex.cargo.enrich(counts=...)",
    ),
    Sample(
        "release-ha-hydrogel",
        "release-ha-hydrogel.csv",
        "release curve",
        "SYNTHETIC cumulative release from a hyaluronic-acid hydrogel, three replicates; for "
        "ex.release.fit",
    ),
    Sample(
        "release-chitosan-fast",
        "release-chitosan-fast.csv",
        "release curve",
        "SYNTHETIC fast release from a chitosan carrier; for ex.release.fit",
    ),
    Sample(
        "prep-example",
        "prep-example.yaml",
        "EV preparation",
        "an illustrative BMSC small-EV batch for ex.qc.check_prep (MISEV2023 checks)",
    ),
    Sample(
        "design-rat-contusion-lab",
        "design-rat-contusion-lab.yaml",
        "design brief",
        "a rat contusion lab's constraints for `exosci design search`",
    ),
    Sample(
        "iv-bmsc-exos-rat",
        "iv-bmsc-exos-rat.yaml",
        "therapy spec",
        "BMSC exosomes, one intravenous dose, rat T10 contusion; for ex.evaluate",
    ),
    Sample(
        "hypoxia-bmsc-ha-hydrogel-rat",
        "hypoxia-bmsc-ha-hydrogel-rat.yaml",
        "therapy spec",
        "hypoxia-preconditioned BMSC sEV in a hyaluronic-acid hydrogel, rat; for ex.evaluate",
    ),
    Sample(
        "intranasal-bdnf-sev-rat",
        "intranasal-bdnf-sev-rat.yaml",
        "therapy spec",
        "intranasal BDNF-overexpressing MSC sEV, rat; for ex.evaluate",
    ),
    Sample(
        "m2-exos-berberine-mouse",
        "m2-exos-berberine-mouse.yaml",
        "therapy spec",
        "M2 macrophage exosomes loaded with berberine, mouse; for ex.evaluate",
    ),
)
_BY_NAME = {s.name: s for s in SAMPLES}


def sample_names() -> list[str]:
    """The names ``example`` accepts."""
    return [s.name for s in SAMPLES]


def example(name: str) -> Path:
    """The path of one shipped sample file (a real file inside the installed package).

    Parameters
    ----------
    name
        A sample name from ``ex.datasets.list()`` (``"iv-bmsc-exos-rat"``, ``"nta-nanosight"``,
        ...); the file name (``"iv-bmsc-exos-rat.yaml"``) is accepted too.

    Returns
    -------
    Path
        Pass it to ``ex.evaluate``, ``ex.qc.read_nta``, ``ex.release.fit``, ...

    Raises
    ------
    UnknownNameError
        An unknown name (the message lists the closest sample names).

    Examples
    --------
    >>> import exosci as ex
    >>> ex.datasets.example("iv-bmsc-exos-rat").name
    'iv-bmsc-exos-rat.yaml'
    """
    key = name.strip()
    sample = _BY_NAME.get(key) or next((s for s in SAMPLES if s.file == key), None)
    if sample is None:
        from exosci.errors import UnknownNameError
        from exosci.kb.names import closest

        names = sample_names()
        raise UnknownNameError(name, "sample", closest(name, names, limit=3), known=names)
    return Path(str(files("exosci.samples") / "data" / sample.file))


def samples_frame() -> pd.DataFrame:
    """The shipped samples: ``name``, ``kind``, ``file``, ``description``, ``licence``.

    Returns
    -------
    DataFrame
        One row per sample, in the order of ``ex.datasets.list()``.

    Examples
    --------
    >>> import exosci as ex
    >>> "nta-zetaview" in set(ex.datasets.list()["name"])
    True
    """
    import pandas as pd

    cols = ["name", "kind", "file", "description", "licence"]
    return pd.DataFrame([{c: getattr(s, c) for c in cols} for s in SAMPLES], columns=cols)
