"""YAML and JSON for small user documents (specs, preparations): safe types, few aliases,
bounded nesting (:data:`exosci.limits.MAX_NESTING_DEPTH`), short errors."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import Node

from exosci.errors import FileFormatError
from exosci.limits import MAX_NESTING_DEPTH, depth_message, json_depth


class _BudgetLoader(yaml.SafeLoader):
    """``SafeLoader`` that refuses more aliases than its budget (alias bombs) and nesting
    deeper than :data:`MAX_NESTING_DEPTH` (the composer recurses once per level)."""

    max_aliases = 0
    aliases_seen = 0
    depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:  # type: ignore[override]
        if self.depth >= MAX_NESTING_DEPTH:
            mark = self.peek_event().start_mark
            raise _TooDeep(f"line {mark.line + 1}")
        if self.check_event(AliasEvent):
            self.aliases_seen += 1
            if self.aliases_seen > self.max_aliases:
                mark = self.peek_event().start_mark
                raise yaml.YAMLError(
                    f"more than {self.max_aliases} YAML aliases (*name) at line {mark.line + 1}; "
                    "write the values out instead"
                )
        self.depth += 1
        try:
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self.depth -= 1


class _TooDeep(Exception):
    """Nesting past the limit (not a ``YAMLError``: its message names the limit, not YAML)."""


# YAML 1.2 floats: PyYAML (YAML 1.1) reads ``2.4e11`` (no dot, unsigned exponent) as a string.
_BudgetLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


def load_yaml(text: str, *, where: str, max_aliases: int) -> Any:
    """Parse one YAML document with at most ``max_aliases`` aliases; errors name the line."""
    loader: _BudgetLoader | None = None
    try:
        loader = _BudgetLoader(text)  # the reader rejects non-printable characters here
        loader.max_aliases = max_aliases
        return loader.get_single_data()
    except _TooDeep as exc:
        raise FileFormatError(depth_message(f"{where}, {exc}")) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise FileFormatError(f"{where}{line}: not valid YAML ({str(problem)[:200]}).") from None
    finally:
        if loader is not None:
            loader.dispose()


def load_json(text: str, *, where: str) -> Any:
    """Parse one JSON document nested at most :data:`MAX_NESTING_DEPTH` deep."""
    depth = json_depth(text)
    if depth > MAX_NESTING_DEPTH:
        raise FileFormatError(depth_message(where, depth))
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise FileFormatError(f"{where}: not valid JSON ({str(exc)[:200]}).") from None


def load_document(text: str, *, where: str, max_aliases: int, as_json: bool = False) -> Any:
    """The one reader of user YAML/JSON documents: JSON when ``as_json``, else YAML."""
    if as_json:
        return load_json(text, where=where)
    return load_yaml(text, where=where, max_aliases=max_aliases)
