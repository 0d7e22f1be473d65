"""Any byte string fed to a parser gives a result or a clear UserInputError, never a crash."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exosci.cargo import read_gmt, read_mirnas
from exosci.errors import UserInputError
from exosci.kb.loaders.exocarta import read_exocarta
from exosci.kb.loaders.mirbase import read_mature_fa
from exosci.kb.loaders.mirtarbase import read_mirtarbase
from exosci.kb.loaders.targetscan import read_targetscan
from exosci.qc import load_prep
from exosci.therapy import load_spec

PARSERS: dict[str, tuple[str, Callable[[Path], Any]]] = {
    "mirna-list": (".txt", read_mirnas),
    "counts": (".csv", read_mirnas),
    "gmt": (".gmt", read_gmt),
    "mature-fa": (".fa", read_mature_fa),
    "mirtarbase": (".csv", read_mirtarbase),
    "targetscan": (".txt", read_targetscan),
    "exocarta": (".txt", read_exocarta),
    "therapy-spec": (".yaml", load_spec),
    "prep": (".yaml", load_prep),
}
# Text shaped like the real formats (tabs, commas, headers, YAML), plus arbitrary bytes.
FRAGMENTS = st.sampled_from(
    [
        "\t",
        ",",
        "\n",
        ":",
        "-",
        "miR-21-5p",
        "hsa-miR-146a-5p",
        "MIMAT0000076",
        ">",
        "NaN",
        "-3",
        "1e400",
        "name:",
        "species: rat",
        "{",
        "[",
        "Target Gene",
        "miRNA",
        "Gene Tax ID",
        "GENE SYMBOL",
        "\x00",
        "é",
        "R-HSA-1",
        "\r\n",
        "  ",
        "exosome:",
        "source: BMSC",
    ]
)
TEXTISH = st.lists(FRAGMENTS, max_size=40).map(lambda parts: "".join(parts).encode("utf-8"))
DATA = st.one_of(st.binary(max_size=300), TEXTISH)


@pytest.mark.parametrize("kind", sorted(PARSERS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=DATA)
def test_parser_gives_result_or_clear_error(kind: str, data: bytes) -> None:
    suffix, parse = PARSERS[kind]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        try:
            parse(path)
        except UserInputError as exc:
            assert str(exc).strip(), "an error must say what was wrong"


def test_yaml_with_a_control_character_is_a_clear_format_error(tmp_path: Path) -> None:
    from exosci.errors import FileFormatError
    from exosci.qc.prep import load_prep

    path = tmp_path / "prep.yaml"
    path.write_text("name: a\x07b\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="not valid YAML"):
        load_prep(path)
