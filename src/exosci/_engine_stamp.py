"""Whether this install's ensemble engine is compiled yet, answered without importing it.

The CLI's first line on a fresh install says the engine is being compiled; to say it within a
second it must not wait for numpy and the model package to import. A stamp file in the cache
folder, named by a hash of the engine's source files, the engine setting, the compiler and the
machine, is written by :mod:`exosci.model.compiled` once an engine has loaded; its absence means
the next ensemble compiles (the library's own source hash stays the authority on what is built).
"""

from __future__ import annotations

import hashlib
import platform
import shutil
from pathlib import Path

from exosci._settings import settings

# A cold compile on a busy 2-core machine (benchmarks/bench_first_run.py measures both).
C_COMPILE_S = 2  # the generated C with -O2
NUMBA_COMPILE_S = 30  # the numba module (the fallback; 23-130 s by load)
_SOURCES = ("equations.py", "compiled.py", "cengine.py", "_kernel.py")


def compile_message(seconds: float) -> str:
    return (
        f"compiling the simulation engine once (~{seconds:.0f} s); later runs start in about "
        "a second"
    )


def c_compiler() -> str | None:
    """The C compiler to use: ``$CC``, else ``cc``, ``gcc`` or ``clang`` on the PATH."""
    cc = settings.c_compiler
    if cc and shutil.which(cc):
        return cc
    for name in ("cc", "gcc", "clang"):
        if shutil.which(name):
            return name
    return None


def stamp_path() -> Path:
    h = hashlib.sha256()
    model = Path(__file__).parent / "model"
    for name in _SOURCES:
        try:
            h.update((model / name).read_bytes())
        except OSError:
            h.update(name.encode())
    h.update(f"{settings.engine}|{c_compiler()}|{platform.machine()}".encode())
    return Path(settings.cache_dir) / "jit" / f"engine-ready-{h.hexdigest()[:16]}"


def expected_compile_seconds() -> int | None:
    """None when the engine is compiled already, else about how long its compile takes."""
    try:
        if stamp_path().exists():
            return None
        engine = settings.engine
    except Exception:  # noqa: BLE001 - a bad setting is reported by the run itself
        return None
    if engine != "numba" and c_compiler() is not None:
        return C_COMPILE_S
    return NUMBA_COMPILE_S


def mark_ready() -> None:
    """Write the stamp (an engine of this install has loaded); a read-only cache is fine."""
    try:
        path = stamp_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    except OSError:
        pass
