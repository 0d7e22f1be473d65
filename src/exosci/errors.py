"""Exceptions users see. ``UserInputError`` and subclasses map to CLI exit code 2."""

from __future__ import annotations

from collections.abc import Sequence


class ExosciError(Exception):
    """Base class of all exosci errors."""


class ExosciWarning(UserWarning):
    """A caveat a result carries (a prediction beyond the published range, a design outside the
    calibrated domain, a gene universe too small for p-values ...).

    One category for all of them, so a notebook can filter them:
    ``warnings.simplefilter("ignore", ex.ExosciWarning)``. The same texts stay in the result
    (``.flags``, ``.notes``) and in the CLI and report.
    """


def warn_caveats(texts: Sequence[str], *, stacklevel: int = 3) -> None:
    """Issue each caveat as an ``ExosciWarning`` (to the caller of the public function)."""
    import warnings

    for text in texts:
        warnings.warn(text, ExosciWarning, stacklevel=stacklevel)


class UserInputError(ExosciError, ValueError):
    """Bad input from the user: the message says what, where, and what would be accepted."""


class UnknownNameError(UserInputError, LookupError):
    """A name that resolves to nothing; carries the closest known names."""

    def __init__(
        self,
        name: str,
        kind: str,
        suggestions: list[str],
        *,
        known: Sequence[str] | None = None,
    ) -> None:
        self.name = name
        self.kind = kind
        self.suggestions = suggestions
        listed = f" Known {kind}s: {', '.join(known)}." if known else ""
        hint = f" Closest known: {', '.join(suggestions)}." if suggestions else ""
        super().__init__(f"Unknown {kind} {name!r}.{listed}{hint}")


class CurationError(UserInputError):
    """A curated or imported knowledge file failed validation (names file and record)."""


class FileFormatError(UserInputError):
    """An input file is not in the format expected (names file, line, and what was expected)."""


class MissingExtraError(UserInputError, ImportError):
    """An optional feature whose dependencies are not installed (names the extra to install)."""


def require(module: str, *, extra: str, feature: str) -> None:
    """Fail with a clear message when ``module`` (from the ``extra`` extra) is not importable."""
    from importlib.util import find_spec

    if find_spec(module) is None:
        raise MissingExtraError(
            f"{feature} needs the optional dependency {module!r}, which is not installed. "
            f"Install it with: pip install 'exosci[{extra}]'"
        )
