"""Shared CLI plumbing: JSON output, rich console, and the error -> exit-code contract."""

from __future__ import annotations

import functools
import json
import sys
import traceback
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from exosci.errors import UserInputError

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")

JSON_OPTION = typer.Option(False, "--json", help="Print one JSON document on stdout, nothing else.")


def _default(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return obj.model_dump()
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if hasattr(obj, "item"):
        return obj.item()
    if isinstance(obj, set | frozenset):
        return sorted(obj)
    return str(obj)


def emit_json(doc: Any) -> None:
    """Write exactly one JSON document to stdout."""
    sys.stdout.write(json.dumps(doc, default=_default, ensure_ascii=False, indent=2) + "\n")


def cli_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Map exceptions to the CLI contract: bad input -> exit 2, internal failure -> exit 1."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except UserInputError as exc:
            err_console.print(
                f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True
            )
            raise typer.Exit(2) from None
        except Exception as exc:  # noqa: BLE001 - the contract: internal failure -> exit 1
            err_console.print(
                f"[bold red]internal error:[/] {type(exc).__name__}: {escape(str(exc))}",
                highlight=False,
            )
            if "--debug" in sys.argv:
                traceback.print_exc()
            raise typer.Exit(1) from None

    return wrapper
