"""YAML for small user documents (specs, preparations): safe types, few aliases, short errors."""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import Node

from exosci.errors import FileFormatError


class _BudgetLoader(yaml.SafeLoader):
    """``SafeLoader`` that refuses a document with more aliases than its budget (alias bombs)."""

    max_aliases = 0
    aliases_seen = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:  # type: ignore[override]
        if self.check_event(AliasEvent):
            self.aliases_seen += 1
            if self.aliases_seen > self.max_aliases:
                mark = self.peek_event().start_mark
                raise yaml.YAMLError(
                    f"more than {self.max_aliases} YAML aliases (*name) at line {mark.line + 1}; "
                    "write the values out instead"
                )
        return super().compose_node(parent, index)  # type: ignore[no-any-return]


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
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise FileFormatError(f"{where}{line}: not valid YAML ({str(problem)[:200]}).") from None
    finally:
        if loader is not None:
            loader.dispose()
