"""Issue 21, item 5: the TherapySpec reference page is generated from the pydantic schema and
stays in step with it (regenerate with scripts/update_spec_docs.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _renderer() -> object:
    spec = importlib.util.spec_from_file_location(
        "update_spec_docs", ROOT / "scripts/update_spec_docs.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_therapy_spec_page_matches_the_schema_and_lists_every_field() -> None:
    from exosci.therapy.spec import TherapySpec

    module = _renderer()
    page = (ROOT / "docs/reference/therapy-spec.md").read_text(encoding="utf-8")
    assert page == module.render()  # type: ignore[attr-defined]
    for field in TherapySpec.model_fields:
        assert f"| `{field}` |" in page
    assert ":func:" not in page and ":mod:" not in page and "``" not in page


def test_the_docs_install_from_the_repository_not_an_index() -> None:
    index = (ROOT / "docs/index.md").read_text(encoding="utf-8")
    assert "pip install exosci " not in index and "git+https://" in index


def test_the_api_reference_renders_no_raw_sphinx_roles_and_no_merged_parameters() -> None:
    import re

    targets = set()
    for page in (ROOT / "docs/reference").glob("*.md"):
        for line in page.read_text(encoding="utf-8").splitlines():
            if line.startswith("::: "):
                targets.add(line.split()[1])
    files = set()
    for target in targets:
        parts = target.split(".")
        for i in range(len(parts), 0, -1):
            path = ROOT / "src" / Path(*parts[:i]).with_suffix(".py")
            if path.is_file():
                files.add(path)
                break
    assert len(files) >= 10
    role = re.compile(r":(?:class|func|meth|mod|attr):`")
    merged = re.compile(r"^\s+(samples, seed|seed, samples)$", re.M)  # numpy style: one per line
    for path in sorted(files):
        text = path.read_text(encoding="utf-8")
        assert not role.search(text), path
        assert not merged.search(text), path


def test_the_api_reference_titles_the_notebook_calls_by_their_ex_names() -> None:
    api = (ROOT / "docs/reference/api.md").read_text(encoding="utf-8")
    for name in ("ex.evaluate", "ex.simulate", "ex.explain", "ex.release.fit", "ex.kb.rank"):
        assert f'heading: "{name}"' in api, name


def test_the_docs_notebook_is_stored_with_its_outputs_and_figures() -> None:
    import json

    nb = json.loads((ROOT / "docs/tutorials/notebook.ipynb").read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 3  # plots a reader sees
    assert sum("text/html" in o.get("data", {}) for o in outputs) >= 5
    code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "parents[" not in code  # sample files from ex.datasets, not a checkout path


def test_each_tutorial_block_is_followed_by_its_real_output() -> None:
    import re

    for name in ("evaluate.md", "evidence.md", "cargo.md", "qc-release.md"):
        text = (ROOT / "docs/tutorials" / name).read_text(encoding="utf-8")
        blocks = re.findall(r"```python\n.*?```\n\n<!-- outputs: generated", text, flags=re.S)
        assert blocks and len(blocks) == text.count("```python"), name
        machine = ("/" + "work/", "/" + "tmp/")  # no path of the machine that wrote them
        assert not any(m in text for m in machine), name
        for image in re.findall(r"\]\((img/[^)]+\.png)\)", text):
            assert (ROOT / "docs/tutorials" / image).is_file(), image
