"""One registry helper for every pluggable kind: NTA formats, loaders, release models, exporters.

A ``Registry`` is a read-only mapping from name to entry with a description for each
name; ``Registry.get`` fails with the known names and the closest ones. Every registry
created here is listed in ``REGISTRIES``, which ``exosci formats`` prints.

Examples
--------
>>> from exosci.registry import Registry
>>> colours = Registry[str]("colour", description="Colours a plot can use.")
>>> colours.register("teal", "#008080", description="blue-green")
'#008080'
>>> colours.get("teel")
Traceback (most recent call last):
...
exosci.errors.UnknownNameError: Unknown colour 'teel'. Known colours: teal. Closest known: teal.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, ItemsView, Iterator, KeysView, Mapping, ValuesView
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from exosci.errors import UnknownNameError

T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    """One registered name: its description and any metadata (file suffix, instrument, ...)."""

    name: str
    description: str
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """``name``, ``description`` and the metadata as one flat JSON-ready dict."""
        return {"name": self.name, "description": self.description, **self.metadata}


class Registry(Generic[T]):
    """Named entries of one pluggable kind, registered once each (read like a dict).

    Iteration, ``keys``, ``values`` and ``items`` follow registration order; ``reg[name]``
    is the exact lookup and ``get`` the forgiving one that fails with close names.

    Parameters
    ----------
    kind
        What an entry is, in the singular ("NTA format"); used in messages.
    description
        One line on what the registry holds (shown by ``exosci formats``).
    normalize
        Maps a user's spelling to the registered key (e.g. case-folding); identity by default.
    discover
        Called once before the first lookup, to import modules that register themselves.
    listed
        Add the registry to ``REGISTRIES`` (default), which ``exosci formats`` lists.

    Examples
    --------
    >>> r = Registry[int]("unit", description="Units.", listed=False)
    >>> r.register("kg", 1000, description="kilogram")
    1000
    >>> r.names(), r["kg"], r.describe("kg")
    (('kg',), 1000, 'kilogram')
    """

    def __init__(
        self,
        kind: str,
        *,
        description: str,
        normalize: Callable[[str], str] | None = None,
        discover: Callable[[], None] | None = None,
        listed: bool = True,
    ) -> None:
        self.kind = kind
        self.description = description
        self._normalize = normalize
        self._discover = discover
        self._discovered = discover is None
        self._items: dict[str, T] = {}
        self._entries: dict[str, Entry] = {}
        if listed:
            REGISTRIES[kind] = self

    def register(self, name: str, item: T, *, description: str, **metadata: Any) -> T:
        """Add ``item`` as ``name``; a second, different item under one name is an error."""
        if name in self._items and self._items[name] is not item:
            raise ValueError(f"{self.kind} {name!r} registered twice")
        self._items[name] = item
        self._entries[name] = Entry(name, description, dict(metadata))
        return item

    def _ensure(self) -> None:
        if not self._discovered:
            self._discovered = True
            assert self._discover is not None
            self._discover()

    def key(self, name: str) -> str:
        """The registered key ``name`` stands for (after normalisation; may be unknown)."""
        return self._normalize(name) if self._normalize else name

    def get_entry(self, name: str) -> Entry:
        """The ``Entry`` (description, metadata) of a registered name."""
        self.get(name)
        return self._entries[self.key(name)]

    def get(self, name: str) -> T:
        """The entry registered as ``name``; unknown names fail listing known and close names.

        Unlike ``dict.get`` there is no silent default: an unknown name always raises
        ``exosci.errors.UnknownNameError`` (a ``UserInputError``, exit 2 / HTTP 422).
        """
        self._ensure()
        key = self.key(name)
        if key in self._items:
            return self._items[key]
        close = difflib.get_close_matches(key, list(self._items), n=3, cutoff=0.4)
        raise UnknownNameError(name, self.kind, close, known=self.names())

    def names(self) -> tuple[str, ...]:
        """The registered names, in registration order."""
        self._ensure()
        return tuple(self._items)

    def describe(self, name: str) -> str:
        """The one-line description of ``name``."""
        return self.get_entry(name).description

    def entries(self) -> list[Entry]:
        """Every entry (name, description, metadata), in registration order."""
        return [self._entries[n] for n in self.names()]

    def __getitem__(self, name: str) -> T:
        self._ensure()
        return self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def keys(self) -> KeysView[str]:
        self._ensure()
        return self._items.keys()

    def values(self) -> ValuesView[T]:
        self._ensure()
        return self._items.values()

    def items(self) -> ItemsView[str, T]:
        self._ensure()
        return self._items.items()

    def __len__(self) -> int:
        self._ensure()
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        self._ensure()
        return isinstance(name, str) and self.key(name) in self._items

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {list(self.names())})"


#: Every listed registry by kind (filled as the modules that own them are imported).
REGISTRIES: dict[str, Registry[Any]] = {}

#: Modules that create a registry; importing them fills ``REGISTRIES``.
REGISTRY_MODULES = (
    "exosci.qc.nta_formats",
    "exosci.kb.loaders.registry",
    "exosci.release.models",
    "exosci.kb.export",
    "exosci.cargo.enrich",
)


def all_registries() -> dict[str, Registry[Any]]:
    """Every pluggable kind of the package, each with its registered entries.

    Returns
    -------
    dict
        Kind (``"NTA format"``, ``"loader kind"``, ``"release model"``, ``"export format"``,
        ``"enrichment method"``) -> its ``Registry``.

    Examples
    --------
    >>> from exosci.registry import all_registries
    >>> "release model" in all_registries()
    True
    """
    import importlib

    for module in REGISTRY_MODULES:
        importlib.import_module(module)
    return dict(REGISTRIES)
