"""Issue 21, item 4: ``ex.datasets`` ships small sample files inside the package (an NTA export
of each supported instrument, synthetic and labelled so; the project's own examples), each listed
with a description and a licence, each readable by the function it is for."""

from __future__ import annotations

from pathlib import Path

import pytest

import exosci as ex
from exosci.errors import UnknownNameError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_every_shipped_file_is_listed_with_a_description_and_a_licence() -> None:
    table = ex.datasets.list()
    data = Path(ex.datasets.example("iv-bmsc-exos-rat")).parent
    assert set(table["file"]) == {p.name for p in data.iterdir() if p.is_file()}
    assert table["description"].str.len().gt(20).all() and table["licence"].str.len().gt(0).all()


def test_each_supported_nta_instrument_has_a_synthetic_export_read_without_complaint() -> None:
    formats = {n: f.instrument for n, f in ex.qc.nta_formats().items()}
    read = {}
    for name in ("nta-nanosight", "nta-zetaview"):
        path = ex.datasets.example(name)
        assert "SYNTHETIC" in path.read_bytes().decode("latin-1")
        rep = ex.qc.read_nta(path)
        assert rep.warnings == [] and 80 < rep.d50_nm < 140  # type: ignore[operator]
        assert rep.concentration_corrected_for_dilution
        read[rep.format] = rep
    instruments = {formats[f] for f in read}
    assert {i for i in instruments if "NanoSight" in i} and {
        i for i in instruments if "ZetaView" in i
    }


def test_the_packaged_examples_are_the_repository_examples() -> None:
    for sample in ex.datasets.list()["file"]:
        mine = EXAMPLES / sample
        if mine.exists():
            assert ex.datasets.example(sample).read_bytes() == mine.read_bytes(), sample
    for spec in EXAMPLES.glob("*.yaml"):
        assert ex.datasets.example(spec.name).exists(), spec.name


def test_sample_files_feed_the_functions_they_are_for() -> None:
    from exosci.cargo import read_mirnas
    from exosci.therapy.spec import load_spec

    assert load_spec(ex.datasets.example("iv-bmsc-exos-rat")).species == "rat"
    assert len(read_mirnas(ex.datasets.example("mirnas")).names) >= 5
    assert ex.release.fit(ex.datasets.example("release-ha-hydrogel")).best is not None


def test_an_unknown_sample_name_lists_the_closest() -> None:
    with pytest.raises(UnknownNameError, match="nta-nanosight"):
        ex.datasets.example("nta-nanosigth")
