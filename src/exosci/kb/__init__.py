"""The knowledge graph of the review: curated records, schema, embedded store."""

from __future__ import annotations

from typing import Any

from exosci.kb.curated import Curated, load_curated
from exosci.kb.names import closest, normalize
from exosci.kb.store import KnowledgeBase, build, default_kb, open_store, update_store

_QUERIES = ("outcome_studies", "profile", "search", "show", "statements")


def __getattr__(name: str) -> Any:
    """The DataFrame queries (``exosci.kb.query``) load pandas: import them on first use only,
    so the CLI's ``kb`` commands and ``explain`` do not pay for pandas."""
    if name in _QUERIES:
        from exosci.kb import query

        return getattr(query, name)
    raise AttributeError(f"module 'exosci.kb' has no attribute {name!r}")


__all__ = [
    "profile",
    "search",
    "show",
    "statements",
    "outcome_studies",
    "Curated",
    "KnowledgeBase",
    "build",
    "closest",
    "default_kb",
    "load_curated",
    "normalize",
    "open_store",
    "update_store",
]
