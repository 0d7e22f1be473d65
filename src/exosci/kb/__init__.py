"""The knowledge graph of the review: curated records, schema, embedded store."""

from __future__ import annotations

from exosci.kb.curated import Curated, load_curated
from exosci.kb.names import closest, normalize
from exosci.kb.query import outcome_studies, profile, search, show, statements
from exosci.kb.store import KnowledgeBase, build, default_kb, open_store, update_store

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
