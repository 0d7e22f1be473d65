"""Any bytes fed to the meta readers give a table or a clear UserInputError, never a traceback."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exosci.errors import UserInputError
from exosci.meta import analyze, read_effects, read_outcomes, read_syrf

FRAGMENTS = st.sampled_from(
    ["study,yi,vi\n", "n1,mean1,sd1,n2,mean2,sd2\n", "ai,bi,ci,di\n", "row_id,study_id,kind\n",
     "StudyId,CohortLabel\n", ",", "\t", "\n", "0", "-1", "1e308", "nan", "x", "\"", "é", "\ufeff"]
)  # fmt: skip
pytestmark = pytest.mark.slow  # hypothesis runs ~100 analyses

CONTENT = st.one_of(st.binary(max_size=200), st.lists(FRAGMENTS, max_size=40).map("".join))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CONTENT)
def test_readers_never_crash_on_arbitrary_input(content):
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        path.write_bytes(data)
        for reader in (read_effects, read_outcomes, read_syrf, analyze):
            with contextlib.suppress(UserInputError):
                reader(path)


ROWS = st.lists(
    st.tuples(
        st.floats(-50, 50, allow_nan=False),
        st.floats(1e-6, 100, allow_nan=False),
        st.integers(1, 30),
        st.sampled_from(["IV", "IT", "local"]),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ROWS)
def test_any_valid_effect_table_analyses_or_says_why(rows):
    import pandas as pd

    frame = pd.DataFrame(rows, columns=["yi", "vi", "n", "route"])
    frame.insert(0, "study", [f"s{i}" for i in range(len(rows))])
    for kwargs in ({}, {"by": "route"}, {"mods": ["n"], "knha": True}, {"method": "PM"}):
        try:
            res = analyze(frame, **kwargs)
        except UserInputError:
            continue
        doc = res.to_dict()
        assert doc["k"] == len(rows)
        for block in doc.get("subgroups", {}).values():
            assert block["ci_low"] <= block["estimate"] <= block["ci_high"]
        assert doc["ci_low"] <= doc["estimate"] <= doc["ci_high"]
        assert doc["tau2"] >= 0
