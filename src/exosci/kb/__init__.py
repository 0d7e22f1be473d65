"""The knowledge graph of the review: curated records, schema, embedded store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from exosci._lazy import lazy_dir, lazy_getattr

if TYPE_CHECKING:  # the names as mypy sees them; at run time they load on first use
    from exosci.kb.curated import Curated, load_curated
    from exosci.kb.names import closest, normalize
    from exosci.kb.query import outcome_studies, search, show, statements
    from exosci.kb.store import KnowledgeBase, build, default_kb, open_store, update_store
    from exosci.reason.query import profile, rank

# Everything is imported on first use, so importing a submodule (the CLI's ``kb`` commands and
# ``explain`` do) loads neither DuckDB nor pandas unless a query needs them.
_EXPORTS = {
    "Curated": "exosci.kb.curated",
    "load_curated": "exosci.kb.curated",
    "closest": "exosci.kb.names",
    "normalize": "exosci.kb.names",
    "KnowledgeBase": "exosci.kb.store",
    "build": "exosci.kb.store",
    "default_kb": "exosci.kb.store",
    "open_store": "exosci.kb.store",
    "update_store": "exosci.kb.store",
    # the DataFrame queries load pandas
    "outcome_studies": "exosci.kb.query",
    "search": "exosci.kb.query",
    "show": "exosci.kb.query",
    "statements": "exosci.kb.query",
    # needs the reasoner: defined one layer up, in exosci.reason, and only named here for
    # ``ex.kb.profile`` (a notebook entry point, resolved lazily at run time)
    "profile": "exosci.reason.query",
    "rank": "exosci.reason.query",
}


__getattr__ = lazy_getattr(__name__, _EXPORTS)


__all__ = [
    "profile",
    "rank",
    "rank",
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

__dir__ = lazy_dir([*_EXPORTS, *__all__])
