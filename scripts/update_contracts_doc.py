"""Regenerate the model tables of docs/contracts.md from exosci.evaluate.document."""

from __future__ import annotations

from pathlib import Path

from exosci.evaluate.document import contract_markdown

PAGE = Path(__file__).resolve().parents[1] / "docs" / "contracts.md"
START, END = "<!-- contract: generated from exosci.evaluate.document -->\n", "<!-- /contract -->"


def main() -> None:
    """Replace the generated block of the page with the models' current tables."""
    text = PAGE.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    PAGE.write_text(head + START + contract_markdown() + END + tail, encoding="utf-8")


if __name__ == "__main__":
    main()
