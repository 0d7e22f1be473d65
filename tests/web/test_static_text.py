"""The page's own words for model outputs and predicates stay in step with the library."""

from __future__ import annotations

import re
from importlib import resources

from exosci.model.simulate import OUTPUTS
from exosci.vocabulary import PREDICATES
from exosci.web.evidence import PREDICATE_WORDS


def _static(name: str) -> str:
    return (resources.files("exosci.web") / "static" / name).read_text(encoding="utf-8")


def test_simulate_outputs_are_named_with_the_models_units() -> None:
    """Issue 23 item 8: "Simulate only" listed m1, csf, lesion auc without units."""
    js = _static("runs.js")
    block = js[js.index("const OUTPUT_WORDS") : js.index("const outputName")]
    named = dict(re.findall(r'(\w+): \["[^"]+", "([^"]+)"\]', block))
    assert set(named) == set(OUTPUTS)
    for key, (_, unit) in OUTPUTS.items():
        assert named[key] == unit.split(" (")[0] or unit.startswith(named[key]), (key, unit)


def test_every_predicate_has_words() -> None:
    assert set(PREDICATE_WORDS) == set(PREDICATES)
