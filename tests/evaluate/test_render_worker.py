"""`exosci evaluate` draws its figures in a forked worker: the same report as drawing them
in-process, the same report when the worker dies, and no process outlives the command.

Each test runs the command in a fresh interpreter: the worker is forked only from a process
with a single thread, which pytest's own process (numpy loaded, engine threads) is not.
No timing assertions (the timing is ``benchmarks/bench_evaluate.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="the plot worker is forked on Linux only"
    ),
]

MAIN = Path(__file__).resolve().parents[2] / "examples" / "hypoxia-bmsc-ha-hydrogel-rat.yaml"
FAST = ["--samples", "10"]


def _python(script: str, *, worker: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("EXOSCI_PLOT_WORKER", None)
    if not worker:
        env["EXOSCI_PLOT_WORKER"] = "0"
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


# Runs `exosci evaluate ARGS` in this interpreter and prints, as JSON, the exit code and what
# each PlotWorker.report call returned (figure names, or null: rendered in-process).
_CLI = """
import json, sys
from exosci.cli import _plot_worker as pw
answers = []
real_report = pw.PlotWorker.report
def report(self, *a, **k):
    got = real_report(self, *a, **k)
    answers.append(None if got is None else sorted(k for k, v in got[0].items() if v))
    return got
pw.PlotWorker.report = report
{setup}
from exosci.cli import app
try:
    code = app({args!r}, standalone_mode=False)
except SystemExit as exc:
    code = exc.code
print(json.dumps({{"code": code or 0, "answers": answers}}))
"""


def _evaluate(out: Path, *, worker: bool = True, setup: str = "") -> dict[str, object]:
    args = ["evaluate", str(MAIN), "-o", str(out), *FAST]
    proc = _python(_CLI.format(args=args, setup=setup), worker=worker)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["code"] == 0, proc.stderr[-3000:]
    return result


def _report(out: Path) -> dict[str, bytes]:
    """Every file of a report (HTML, JSON, PNGs) by name."""
    files = [out, out.with_suffix(".json"), *sorted(out.with_name(out.stem + "_files").iterdir())]
    return {f.name: f.read_bytes() for f in files}


@pytest.fixture(scope="module")
def in_process(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The report drawn in-process (worker switched off)."""
    out = tmp_path_factory.mktemp("in-process") / "r.html"
    result = _evaluate(out, worker=False)
    assert result["answers"] == []  # no worker was asked
    return _report(out)


def _assert_same_report(out: Path, in_process: dict[str, bytes], when: str) -> None:
    """Every figure, the page and the JSON of ``out`` equal the in-process report's bytes."""
    mine = _report(out)
    assert sorted(mine) == sorted(in_process)
    for name in in_process:
        assert mine[name] == in_process[name], f"{name} differs {when}"


def test_figures_drawn_by_the_worker_are_byte_identical_to_in_process(
    tmp_path: Path, in_process: dict[str, bytes]
) -> None:
    out = tmp_path / "r.html"
    result = _evaluate(out)
    everything = ["delivery", "mechanisms", "recovery", "sensitivity"]
    assert result["answers"] == [everything]  # the worker drew all four figures
    _assert_same_report(out, in_process, "from in-process drawing")


def test_a_worker_killed_mid_drawing_gives_the_same_report(
    tmp_path: Path, in_process: dict[str, bytes]
) -> None:
    """The worker (and its helper) die after the first figure: the parent draws them."""
    setup = """
    import os, signal
    real_module = pw._render_module
    def dying_module():
        render = real_module()
        def die(doc):
            os.kill(os.getpid(), signal.SIGKILL)
        render.PLOTTERS["delivery"] = die
        render.PLOTTERS["sensitivity"] = die
        return render
    pw._render_module = dying_module
    """
    out = tmp_path / "r.html"
    result = _evaluate(out, setup=textwrap.dedent(setup))
    assert result["answers"] == [None]  # the worker was asked and gave nothing back
    _assert_same_report(out, in_process, "after the fallback")


def test_a_stuck_worker_is_abandoned_and_the_report_is_the_same(
    tmp_path: Path, in_process: dict[str, bytes]
) -> None:
    """A worker that never answers: after the timeout the parent kills it and renders."""
    setup = """
    import time
    pw.TIMEOUT_S = 2.0
    real_module = pw._render_module
    def stuck_module():
        render = real_module()
        render.PLOTTERS["mechanisms"] = lambda doc: time.sleep(3600)
        return render
    pw._render_module = stuck_module
    """
    out = tmp_path / "r.html"
    result = _evaluate(out, setup=textwrap.dedent(setup))
    assert result["answers"] == [None]
    assert _report(out) == in_process


LIES = {
    "a figure that is not a PNG": 'render.PLOTTERS["recovery"] = lambda doc: b"not a png"',
    "a page without the figures": 'render.render_html = lambda doc, plots: "<html></html>"',
}


@pytest.mark.parametrize("lie", sorted(LIES))
def test_a_worker_answering_garbage_is_not_trusted(
    tmp_path: Path, in_process: dict[str, bytes], lie: str
) -> None:
    """A worker answering something other than four PNGs and a page holding them: the parent
    renders the report itself."""
    setup = f"""
    real_module = pw._render_module
    def lying_module():
        render = real_module()
        {LIES[lie]}
        return render
    pw._render_module = lying_module
    """
    out = tmp_path / "r.html"
    result = _evaluate(out, setup=textwrap.dedent(setup))
    assert result["answers"] == [None]
    assert _report(out) == in_process


# Runs `exosci evaluate` as a child of a process that is a child subreaper: a process the
# command leaves behind (alive or unreaped) becomes this process's child and is listed.
_REAPER = """
import ctypes, json, os, signal, subprocess, sys, time
assert ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER

def children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{{entry}}/stat").read()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append((int(entry), fields[0]))
    return found

proc = subprocess.Popen({cmd!r}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                        start_new_session=True)
seen, interrupted = set(), False
while proc.poll() is None:
    kids = children(proc.pid)
    seen.update(pid for pid, _ in kids)
    if {interrupt!r} and kids and not interrupted:
        time.sleep(0.5)
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole group
        interrupted = True
    time.sleep(0.005)
err = proc.stderr.read().decode()
time.sleep(0.5)
left = children(os.getpid())
for pid, _ in left:
    os.waitpid(pid, os.WNOHANG)
print(json.dumps({{"code": proc.returncode, "seen": len(seen), "left": left, "err": err[-2000:]}}))
"""


def _under_reaper(
    args: list[str], *, interrupt: bool = False, setup: str = ""
) -> dict[str, object]:
    code = f"{setup}\nfrom exosci.cli import main\nmain()"
    cmd = [sys.executable, "-c", code, *args]
    proc = _python(_REAPER.format(cmd=cmd, interrupt=interrupt))
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_no_process_outlives_a_successful_evaluation(tmp_path: Path) -> None:
    result = _under_reaper(["evaluate", str(MAIN), "-o", str(tmp_path / "r.html"), *FAST])
    assert result["code"] == 0, result["err"]
    assert result["seen"], "no worker was forked: nothing tested"
    assert result["left"] == [], "processes left behind (pid, state)"


def test_no_process_outlives_a_stuck_worker(tmp_path: Path) -> None:
    """The worker hangs while its helper draws: both are gone when the command ends."""
    setup = """
import time
from exosci.cli import _plot_worker as pw
pw.TIMEOUT_S = 2.0
real_module = pw._render_module
def stuck_module():
    render = real_module()
    render.PLOTTERS["mechanisms"] = lambda doc: time.sleep(3600)
    return render
pw._render_module = stuck_module
"""
    out = tmp_path / "r.html"
    result = _under_reaper(["evaluate", str(MAIN), "-o", str(out), *FAST], setup=setup)
    assert result["code"] == 0, result["err"]
    assert result["seen"]
    assert result["left"] == [], "processes left behind (pid, state)"
    assert (tmp_path / "r_files" / "mechanisms.png").is_file()


def test_no_process_outlives_ctrl_c_during_the_evaluation(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    # many subjects: the run is still evaluating when interrupted, however fast the engine
    args = ["evaluate", str(MAIN), "-o", str(out), "--samples", "20000"]
    result = _under_reaper(args, interrupt=True)
    assert result["code"] != 0  # interrupted, not finished
    assert result["seen"]
    assert result["left"] == [], "processes left behind (pid, state)"
    assert not out.exists()


def test_bad_spec_exits_2_and_leaves_no_worker(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MAIN.read_text(encoding="utf-8").replace("species:", "specie:", 1))
    result = _under_reaper(["evaluate", str(bad), "-o", str(tmp_path / "r.html")])
    assert result["code"] == 2, result["err"]
    assert "error:" in str(result["err"]) and "Traceback" not in str(result["err"])
    assert result["left"] == [], "processes left behind (pid, state)"


def test_the_worker_uses_only_idle_cpu_until_the_document_is_ready() -> None:
    """Warm-up must never slow the evaluation: SCHED_IDLE until send(), then normal again."""
    script = """
    import json, os
    from exosci.cli._plot_worker import PlotWorker
    worker = PlotWorker.start()
    before = os.sched_getscheduler(worker.pid)
    doc = {"mechanisms": {}, "sensitivity": None}  # not drawable: the worker just dies
    worker.send(doc)
    after = os.sched_getscheduler(worker.pid)
    worker.close()
    print(json.dumps([before == os.SCHED_IDLE, after == os.SCHED_OTHER]))
    """
    proc = _python(script)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == [True, True]
