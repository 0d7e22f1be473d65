"""``ex.evaluate`` is a plain function like ``ex.simulate``; ``exosci.evaluate`` stays a package."""

from __future__ import annotations

import inspect
import pydoc
import subprocess
import sys
from pathlib import Path

import exosci as ex

SRC = Path(__file__).resolve().parents[2] / "src"


def test_ex_evaluate_is_a_function_with_its_real_signature() -> None:
    assert inspect.isfunction(ex.evaluate)
    params = inspect.signature(ex.evaluate).parameters
    assert {"spec", "samples", "seed", "kb"} <= set(params)
    text = pydoc.render_doc(ex.evaluate, renderer=pydoc.plaintext)
    assert "samples: 'int' = 1000" in text and "Evaluation" in text


def test_importing_the_package_first_leaves_ex_evaluate_the_function() -> None:
    # a fresh interpreter: the import order a notebook may use
    code = (
        "from exosci.evaluate import Evaluation\n"
        "import exosci.evaluate.core, exosci.evaluate.render\n"
        "import inspect, exosci as ex\n"
        "assert inspect.isfunction(ex.evaluate), ex.evaluate\n"
        "assert ex.evaluate.__name__ == 'evaluate_design'\n"
        "assert Evaluation.__name__ == 'Evaluation'\n"
        "import sys; assert sys.modules['exosci.evaluate'].__path__\n"
    )
    env = {"PYTHONPATH": str(SRC)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr


def test_the_package_keeps_its_document_function_and_tab_completion() -> None:
    import sys

    import exosci.evaluate as package_or_function  # noqa: F401 - binds ex.evaluate (the function)

    package = sys.modules["exosci.evaluate"]
    from exosci.evaluate.core import evaluate as document

    assert package.evaluate is document  # the plain JSON document
    assert "Evaluation" in dir(package) and "evaluate_design" in dir(package)
    assert "evaluate" in dir(ex) and "settings" in dir(ex)
