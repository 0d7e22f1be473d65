"""The report's fixed costs: what `exosci evaluate` imports, reads and resolves, and that each
shortcut gives the same numbers as the long way (no timing assertions here; the timing is
``benchmarks/bench_evaluate.py``)."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
import yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MAIN = EXAMPLES / "hypoxia-bmsc-ha-hydrogel-rat.yaml"


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running ``code``."""
    script = code + "\nimport sys\nprint('\\n'.join(sorted(sys.modules)))\n"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=600
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return set(out.stdout.split())


def test_evaluate_command_and_package_import_neither_calibration_nor_scipy_stats() -> None:
    """scipy.stats alone costs about 0.4 s: the report's import path must not pull it in."""
    mods = _modules_after(
        "import exosci.evaluate, exosci.cli.evaluate, exosci.model.sensitivity\n"
        "from typer.testing import CliRunner\nfrom exosci.cli import app\n"
        "assert CliRunner().invoke(app, ['evaluate', '--help']).exit_code == 0"
    )
    assert "scipy.stats" not in mods
    assert "exosci.model.calibrate" not in mods


@pytest.fixture(scope="module")
def warm_kb_cache() -> None:
    """The first use of a fresh cache builds the knowledge-base store (that imports pandas, as
    building a store may) and draws the report's Morris design with SALib (kept after); the
    measured runs below are warm, as a user's are."""
    _modules_after(
        "from exosci.kb.store import default_kb; default_kb()\n"
        "from exosci.evaluate import evaluate_design\n"
        f"evaluate_design({str(MAIN)!r}, samples=20, alternative_samples=10, "
        "sensitivity_trajectories=2)\n"
        f"evaluate_design({str(MAIN)!r}, samples=20)\n"
    )


#: What the report never needs: scipy.stats (~0.4 s), pandas and the pyarrow it loads (~0.25
#: s; the effect layer reads the outcome studies as plain records, the Morris design SALib
#: drew is read from the cache), the calibration, and pyplot's global figure registry.
NEVER_ON_THE_REPORT_PATH = (
    "scipy.stats",
    "pandas",
    "pyarrow",
    "SALib",
    "exosci.model.calibrate",
    "matplotlib.pyplot",
)


@pytest.mark.slow
def test_a_whole_evaluation_never_imports_scipy_stats_pandas_or_the_calibration(
    tmp_path: Path, warm_kb_cache: None
) -> None:
    """The run itself (ensembles, alternatives, Morris screen, plots, HTML) stays off them, and
    drawing the plots leaves the caller's matplotlib alone (a notebook keeps its backend)."""
    out = tmp_path / "r.html"
    mods = _modules_after(
        "import matplotlib\nmatplotlib.use('pdf')\n"
        "from exosci.evaluate import evaluate_design\n"
        f"ev = evaluate_design({str(MAIN)!r}, samples=20, alternative_samples=10, "
        "sensitivity_trajectories=2)\n"
        f"ev.to_html({str(out)!r})\n"
        "assert ev.to_dict()['sensitivity']['top']\n"
        "assert matplotlib.get_backend() == 'pdf', matplotlib.get_backend()"
    )
    assert out.is_file()
    pngs = sorted(p.name for p in (tmp_path / "r_files").iterdir())
    assert pngs == ["delivery.png", "mechanisms.png", "recovery.png", "sensitivity.png"]
    assert not mods & set(NEVER_ON_THE_REPORT_PATH), sorted(mods & set(NEVER_ON_THE_REPORT_PATH))


@pytest.mark.slow
def test_the_evaluate_command_never_imports_pandas_scipy_stats_or_the_calibration(
    tmp_path: Path, warm_kb_cache: None
) -> None:
    """The README's main job as typed (`exosci evaluate <example> -o report.html`), through the
    real entry point: report and JSON written, none of those modules loaded."""
    out = tmp_path / "report.html"
    mods = _modules_after(
        "import contextlib, io, sys\nfrom exosci.cli import main\n"
        f"sys.argv = ['exosci', 'evaluate', {str(MAIN)!r}, '-o', {str(out)!r}, '--samples', '20']\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"  # only the module list on stdout
        "    try:\n        main()\n    except SystemExit as exc:\n        assert not exc.code\n"
    )
    assert out.is_file() and out.with_suffix(".json").is_file()
    assert not mods & set(NEVER_ON_THE_REPORT_PATH), sorted(mods & set(NEVER_ON_THE_REPORT_PATH))


def test_for_scale_figures_are_the_calibration_targets() -> None:
    """The report reads the fitted effects itself; they must be the calibration's own."""
    from exosci.evaluate.published import fitted_effects
    from exosci.model.calibrate import effect_targets

    mine = [(t["id"], t["day"], t["value"], t["low"], t["high"]) for t in fitted_effects()]
    theirs = [(t.id, t.day, t.value, t.low, t.high) for t in effect_targets()]
    assert mine == theirs and len(mine) >= 4


def test_validation_figure_is_the_validation_target() -> None:
    from exosci.evaluate.published import validation_target
    from exosci.evaluate.validation import targets_doc

    want = next(t for t in targets_doc()["targets"] if t["id"] == "bmsc_vs_control")
    assert validation_target("bmsc_vs_control") == want
    with pytest.raises(StopIteration):
        validation_target("no-such-target")


@pytest.mark.parametrize(
    ("package", "name"),
    [
        ("exosci.evaluate", "published.yaml"),
        ("exosci.evaluate", "risks.yaml"),
        ("exosci.model", "calibration_targets.yaml"),
        ("exosci.model", "validation_targets.yaml"),
        ("exosci.model", "parameters.yaml"),
        ("exosci.model", "posterior.yaml"),
    ],
)
def test_fast_yaml_reader_builds_what_the_safe_loader_builds(package: str, name: str) -> None:
    from exosci._yaml import load_package_file

    path = resources.files(package) / name
    assert load_package_file(path) == yaml.safe_load(path.read_text(encoding="utf-8"))


def test_fast_yaml_reader_is_safe() -> None:
    from exosci._yaml import package_loader

    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.load("!!python/object/apply:os.system ['true']", Loader=package_loader())


# -- Morris screen: the report's own arithmetic equals SALib's analysis ----------------------


def _ishigami_like(u: np.ndarray) -> np.ndarray:
    return (
        np.sin(6 * u[:, 0] - 3)
        + 7 * np.sin(6 * u[:, 1] - 3) ** 2
        + 0.1 * (6 * u[:, 2] - 3) ** 4 * np.sin(6 * u[:, 0] - 3)
        - 2 * u[:, 4]  # decreasing factor: a sign error in the step direction shows here
    )


@pytest.mark.parametrize(("k", "n", "seed"), [(5, 16, 0), (12, 8, 3), (3, 1, 11)])
def test_morris_design_is_salibs_and_its_cached_copy_equals_it_to_the_last_bit(
    k: int, n: int, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report's Morris trajectories are SALib's; the cached copy that spares later runs
    the SALib import must be the same bytes, and a damaged cache file is drawn again."""
    from SALib.sample import morris as morris_sample

    from exosci.model.sensitivity import MORRIS_LEVELS
    from exosci.model.sensitivity import morris_sample as mine

    monkeypatch.setenv("EXOSCI_CACHE_DIR", str(tmp_path))
    problem = {"num_vars": k, "names": [f"x{i}" for i in range(k)], "bounds": [[0, 1]] * k}
    ref = morris_sample.sample(problem, n, num_levels=MORRIS_LEVELS, seed=seed)
    first = mine(k, n, num_levels=MORRIS_LEVELS, seed=seed)
    cached = list((tmp_path / "jit").glob(f"morris-k{k}-n{n}-*.npy"))
    assert len(cached) == 1
    again = mine(k, n, num_levels=MORRIS_LEVELS, seed=seed)
    for u in (first, again):
        assert u.dtype == ref.dtype and u.shape == ref.shape
        assert u.tobytes() == ref.tobytes()
    cached[0].write_bytes(b"not an array")
    assert mine(k, n, num_levels=MORRIS_LEVELS, seed=seed).tobytes() == ref.tobytes()


def test_morris_indices_refuse_rows_that_are_not_trajectories() -> None:
    from exosci.model.sensitivity import morris_indices

    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="exactly once"):
        morris_indices(rng.random((12, 3)), rng.random(12))


# -- spec resolution: the alternatives share the design's look-ups ----------------------------


def test_shared_resolution_cache_gives_the_same_resolutions_and_reuses_the_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import exosci.model.effect as effect_mod
    import exosci.reason.profile as profile_mod
    from exosci.errors import UserInputError
    from exosci.evaluate import variants
    from exosci.kb import default_kb
    from exosci.therapy import ResolveCache, load_spec, resolve_spec

    kb = default_kb()
    spec = load_spec(MAIN)
    specs = [spec] + [v.spec for v in variants(spec)]
    alone = []
    for s in specs:
        try:
            alone.append(resolve_spec(s, kb))
        except UserInputError as exc:
            alone.append(str(exc))  # type: ignore[arg-type]
    calls = {"profile": 0, "studies": 0}
    real_profile, real_studies = profile_mod.mechanism_profile, effect_mod.outcome_records

    def counting_profile(*a: object, **k: object) -> object:
        calls["profile"] += 1
        return real_profile(*a, **k)  # type: ignore[arg-type]

    def counting_studies(*a: object, **k: object) -> object:
        calls["studies"] += 1
        return real_studies(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(profile_mod, "mechanism_profile", counting_profile)
    monkeypatch.setattr(effect_mod, "outcome_records", counting_studies)
    cache = ResolveCache(kb)
    shared = []
    for s in specs:
        try:
            shared.append(resolve_spec(s, kb, cache=cache))
        except UserInputError as exc:
            shared.append(str(exc))  # type: ignore[arg-type]
    assert shared == alone  # same entities, profile, effect, design and notes
    distinct_vesicles = {
        (r.product.id if r.product else None, tuple(r.profile_entities()))
        for r in shared
        if not isinstance(r, str)
    }
    assert calls["studies"] == 1  # the outcome table is read once for all of them
    assert calls["profile"] == len(distinct_vesicles) < len(specs)


def test_a_resolution_cache_serves_only_its_own_knowledge_base() -> None:
    from exosci.kb import default_kb
    from exosci.therapy import ResolveCache, load_spec, resolve_spec

    with pytest.raises(ValueError, match="another knowledge base"):
        resolve_spec(load_spec(MAIN), default_kb(), cache=ResolveCache(object()))


# -- the outcome-study table: plain records on the report path, same terms as the DataFrame ---


def test_store_serves_the_outcome_table_as_records_equal_to_its_dataframe() -> None:
    import math

    from exosci.kb import default_kb

    kb = default_kb()
    rows, frame = kb.study_rows(), kb.studies()
    assert len(rows) == len(frame) > 50
    for rec, row in zip(rows, frame.to_dict("records"), strict=True):
        for col, want in row.items():
            got = rec[col]
            if got is None:  # the frame stores a missing number as NaN / <NA>
                assert want is None or want != want or str(want) == "<NA>", (col, want)
            elif isinstance(want, float) and math.isnan(want):
                raise AssertionError((col, got))
            else:
                assert got == want, (rec["id"], col, got, want)
    rows[0]["product"] = "changed"  # callers get copies: the store's own table is untouched
    assert kb.study_rows()[0]["product"] == frame["product"][0]


def test_effect_terms_from_records_equal_those_from_the_dataframe_table() -> None:
    """The report path reads the outcome studies as records; the notebook/`kb studies` path
    as a DataFrame. Every product's and every modification's term must be the same."""
    from exosci.kb import default_kb
    from exosci.model import effect

    kb = default_kb()
    records = effect.outcome_records(kb)
    frame = effect.normalise_studies(kb.studies())  # the DataFrame route, via pandas
    assert records.to_frame().equals(frame)
    assert len(records.outcome_rows()) < len(records)  # deduplicated per study, not per row
    products = sorted({r.product for r in records})
    modifiers = sorted(set().union(*(r.modifiers for r in records)))
    assert len(products) > 10 and len(modifiers) > 5
    for p in products:
        for src in ("src:bmsc", None):
            a = effect.product_term(records, p, source=src)
            assert a == effect.product_term(frame, p, source=src), p
    parent = effect.product_term(records, "exo:bmsc", source="src:bmsc")
    assert parent.studies  # BMSC exosomes have outcome studies of their own
    for m in modifiers:
        for cargo in (False, True):
            kw = {"modified_products": products[:3], "parent": parent, "cargo": cargo}
            a = effect.modifier_term(records, m, **kw)  # type: ignore[arg-type]
            assert a == effect.modifier_term(frame, m, **kw), m  # type: ignore[arg-type]
            assert a.studies or a.mean == 0.0
