"""Regenerate the README validation table and docs/credibility.md from one `exosci validate` run.

Run after recalibrating (``exosci calibrate --write``) or changing the model:

    PYTHONPATH=src python scripts/update_validation_docs.py

Both files are checked against their generator by tests/model/test_validate.py.
"""

from __future__ import annotations

import re
from pathlib import Path

from exosci.evaluate.dossier import DOSSIER_DRAWS, DOSSIER_SEED, write_dossier
from exosci.evaluate.validation import power, table_markdown, validate

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- validation-table:start -->", "<!-- validation-table:end -->"


def main() -> None:
    doc = validate(n=DOSSIER_DRAWS, seed=DOSSIER_SEED)
    readme = ROOT / "README.md"
    text = readme.read_text("utf-8")
    block = f"{START}\n{table_markdown(doc)}\n{END}"
    new, count = re.subn(re.escape(START) + r".*?" + re.escape(END), block, text, flags=re.S)
    if count != 1:
        raise SystemExit(f"README.md: expected one {START} ... {END} block, found {count}")
    readme.write_text(new, encoding="utf-8")
    print(f"wrote {readme}")
    wrong = power(n=DOSSIER_DRAWS, seed=DOSSIER_SEED, shipped=doc)
    dossier = write_dossier(ROOT / "docs" / "credibility.md", validation=doc, power=wrong)
    print(f"wrote {dossier}")


if __name__ == "__main__":
    main()
