"""Regenerate the parameter table of docs/model.md from parameters.yaml and the shipped posterior.

Run after recalibrating (``exosci calibrate --write``) or editing the parameter table:

    PYTHONPATH=src python scripts/update_model_docs.py

tests/model/test_model_parameters.py checks the file against this generator.
"""

from __future__ import annotations

import re
from pathlib import Path

from exosci.model.posterior import parameters_markdown

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- parameter-table:start -->", "<!-- parameter-table:end -->"


def main() -> None:
    path = ROOT / "docs" / "model.md"
    text = path.read_text("utf-8")
    block = f"{START}\n{parameters_markdown()}\n{END}"
    new, count = re.subn(re.escape(START) + r".*?" + re.escape(END), block, text, flags=re.S)
    if count != 1:
        raise SystemExit(f"docs/model.md: expected one {START} ... {END} block, found {count}")
    path.write_text(new, encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
