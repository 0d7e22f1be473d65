"""miRNA name normalisation: miRBase names, MIMAT accessions, exceRpt ids, legacy spellings.

The reference is either a miRBase ``mature.fa`` the user gives (optionally with
``aliases.txt``), or — offline, the default — the shipped miRBase name table (every human,
mouse and rat mature name, accession and previous name of miRBase 22.1; see
:mod:`exosci.cargo.mirbase_table`). A well-formed name that miRBase does not list is unknown;
accepting such names by naming rule is an explicit opt-in (``accept_by_rule=True``), and the
result says so for each name it concerns. The result always says which reference was used.

Rules, in order (``P`` is the species prefix: hsa, mmu, rno):

- ``MIMAT0000076`` and exceRpt ids (``mmu-miR-21a-5p:MIMAT0000530:...``) go by accession.
- Exact name (case-insensitive), with ``P-`` added when the input has no prefix.
- Paralogue letter: ``miR-21`` finds ``mmu-miR-21a`` (mouse renamed it when ``miR-21b`` came),
  and ``mmu-miR-21a-5p`` finds ``mmu-miR-21-5p`` in an older release. Only the letter ``a``.
- Arm-less legacy names (``miR-21``) meant the dominant strand: with sequences, the arm whose
  seed (nt 2-8) matches an arm-less entry of the same miRNA in any species; otherwise the arm
  that exists, or ``-5p`` with a note that it was assumed. Star names (``miR-21*``) are the other
  arm. Conversely ``rno-miR-21-5p`` finds ``rno-miR-21``/``rno-miR-21*`` in old releases.
- Precursors (``hsa-mir-21``, ``MIR21``) give every mature product found.

Every resolved name gets a species-free match ``key`` such as ``mir-21-5p`` (paralogue letter
``a`` dropped, arm always explicit) used to join with target tables across releases/species.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from exosci.cargo.probes import Probe
from exosci.errors import FileFormatError

# the name syntax lives below kb and cargo (exosci.mirna_syntax); re-exported here
from exosci.mirna_syntax import (
    PREFIX,
    SPECIES_OF_PREFIX,
    Parsed,
    _split_prefix,
    key_of,
    parse_name,
)
from exosci.mirna_syntax import (
    match_key as match_key,
)

_MIMAT = re.compile(r"^MIMAT\d{7}$", re.IGNORECASE)
_ARM_END = re.compile(r"(-[35]p|\*)$", re.IGNORECASE)
SUGGEST_AT_MOST = 200  # unknown names per call that get close-name suggestions


def _with_arm(stem: str, arm: str) -> str:
    return f"{stem}*" if arm == "*" else (f"{stem}-{arm}" if arm else stem)


@dataclass(frozen=True)
class Resolved:
    """One input name resolved to a reference name."""

    input: str
    name: str
    accession: str | None
    how: str
    key: str  # species-free match key
    line: int | None = None


@dataclass(frozen=True)
class Unresolved:
    input: str
    suggestions: list[str]
    line: int | None = None


@dataclass
class MirnaReference:
    """Names (by prefix and lower-case rest), accessions and sequences to resolve against."""

    label: str
    by_key: dict[tuple[str, str], str] = field(default_factory=dict)
    any_species: bool = False  # name-only references: a name known in one species counts
    by_rest: dict[str, str] = field(default_factory=dict, repr=False)
    accessions: dict[str, str] = field(default_factory=dict)
    name_accession: dict[str, str] = field(default_factory=dict)
    sequences: dict[str, str] = field(default_factory=dict)
    accept_by_rule: bool = False  # opt-in: keep well-formed names the reference lacks
    legacy: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    removed: dict[str, str] = field(default_factory=dict, repr=False)  # name -> status
    _arm_cache: dict[str, str | None] = field(default_factory=dict, repr=False)
    _suggest_cache: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    _suggested: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _stems: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def add(self, name: str, accession: str | None = None, sequence: str | None = None) -> None:
        prefix, rest = _split_prefix(name)
        self.by_key.setdefault((prefix, rest.lower()), name)
        self.by_rest.setdefault(rest.lower(), rest)
        if accession:
            self.accessions.setdefault(accession.upper(), name)
            self.name_accession.setdefault(name, accession.upper())
        if sequence:
            self.sequences[name] = sequence
        parsed = parse_name(name)
        if parsed is not None:
            self._stems.setdefault(parsed.stem(copy=False).lower(), []).append(name)

    def lookup(self, prefix: str, rest: str) -> str | None:
        hit = self.by_key.get((prefix, rest.lower()))
        if hit is not None:
            return hit
        bare = self.by_key.get(("", rest.lower()))
        if bare is None and self.any_species:
            bare = self.by_rest.get(rest.lower())
        if bare is not None and prefix and not _split_prefix(bare)[0]:
            return f"{prefix}-{bare}"
        return bare

    def names_for(self, prefix: str) -> list[str]:
        if self.any_species:
            return list(self.by_key.values())
        return [n for (p, _), n in self.by_key.items() if p in (prefix, "")]

    def suggest(self, raw: str, prefix: str, *, limit: int = 5) -> list[str]:
        """Close names for an unresolved input (choices normalised once per prefix).

        Plain edit-distance ratio on normalised names: fast (well under a millisecond per
        name against the ~2,700 names of one species) and, for miRNA names, closer than
        word-based scorers; results are cached per normalised query.
        """
        from rapidfuzz import fuzz, process

        from exosci.kb.names import normalize

        query = strip_pipeline_suffix(raw.strip().split(":")[0])[0]
        if prefix and not _split_prefix(query)[0]:
            query = f"{prefix}-{query}"
        # an arm-less query (a precursor or pipeline id) is compared with arm-less names
        armless = _ARM_END.search(query) is None
        cache_key = f"{prefix}\t{armless}"
        choices = self._suggest_cache.get(cache_key)
        if choices is None:
            names = dict.fromkeys(self.names_for(prefix))
            choices = {n: normalize(_ARM_END.sub("", n) if armless else n) for n in names}
            self._suggest_cache[cache_key] = choices
        key = f"{cache_key}\t{normalize(query)}"
        hit = self._suggested.get(key)
        if hit is None:
            found = process.extract(
                key.split("\t", 2)[2], choices, scorer=fuzz.ratio, limit=limit, score_cutoff=50
            )
            hit = [choice for _, _, choice in found]
            self._suggested[key] = hit
        return list(hit)

    def dominant_arm(self, parsed: Parsed) -> str | None:
        """Which arm an arm-less legacy name meant, from seeds across species (None: unknown)."""
        stem = parsed.stem(copy=False).lower()
        if stem in self._arm_cache:
            return self._arm_cache[stem]
        votes = {"5p": 0, "3p": 0}
        names = self._stems.get(stem, [])
        armless = [self.sequences[n] for n in names if n in self.sequences and _arm(n) == ""]
        for n in names:
            arm = _arm(n)
            if arm in votes and n in self.sequences:
                seed = self.sequences[n][1:8]
                votes[arm] += sum(1 for s in armless if s[1:8] == seed)
        result = None if votes["5p"] == votes["3p"] else max(votes, key=lambda a: votes[a])
        self._arm_cache[stem] = result
        return result


def _arm(name: str) -> str:
    parsed = parse_name(name)
    return parsed.arm if parsed else ""


def reference_from_mature_fa(
    mature_fa: Path | str, *, aliases: Path | str | None = None
) -> MirnaReference:
    """A reference from miRBase ``mature.fa`` (and ``aliases.txt``: former names)."""
    from exosci.kb.loaders.mirbase import read_aliases, read_mature_fa

    frame = read_mature_fa(mature_fa)
    ref = MirnaReference(label=f"miRBase {Path(mature_fa).name}")
    for name, acc, seq in frame[["name", "accession", "sequence"]].itertuples(index=False):
        ref.add(name, acc, seq)
    if aliases is not None:
        for acc, names in read_aliases(aliases).items():
            current = ref.accessions.get(acc)
            for old in names:
                if current is not None:
                    prefix, rest = _split_prefix(old)
                    ref.by_key.setdefault((prefix, rest.lower()), current)
        ref.label += f" + {Path(aliases).name}"
    return ref


def reference_from_names(
    names: Iterable[str],
    *,
    accessions: dict[str, str] | None = None,
    label: str,
    accept_by_rule: bool = True,
) -> MirnaReference:
    """A name-only reference (a name known in one species counts for all); rules on request."""
    ref = MirnaReference(label=label, any_species=True, accept_by_rule=accept_by_rule)
    for name in names:
        if parse_name(name) is not None:
            ref.add(name)
    for acc, name in (accessions or {}).items():
        ref.accessions.setdefault(acc.upper(), name)
        ref.name_accession.setdefault(name, acc.upper())
    return ref


@lru_cache(maxsize=2)
def _mirbase_reference(accept_by_rule: bool) -> MirnaReference:
    from exosci.cargo.mirbase_table import legacy_names, load_mirbase_table

    table = load_mirbase_table()
    ref = MirnaReference(label=table.label, accept_by_rule=accept_by_rule)
    frame = table.frame
    current = frame[frame["status"] == "current"]
    for acc, name, seq in current[["accession", "name", "sequence"]].itertuples(index=False):
        ref.add(name, acc, seq or None)
    for acc, name, status in frame.loc[
        frame["status"] != "current", ["accession", "name", "status"]
    ].itertuples(index=False):
        ref.accessions.setdefault(acc, name)
        if name not in ref.name_accession:  # a removed name nobody took over
            ref.add(name, acc)
            ref.removed[name] = status.replace(
                "removed after", "removed from miRBase after release"
            )
    by_acc = dict(zip(frame["accession"], frame["name"], strict=True))
    for old, (acc, how, _) in legacy_names(table).items():
        prefix, rest = _split_prefix(old)
        key = (prefix, rest.lower())
        if key not in ref.by_key:
            ref.by_key[key] = by_acc[acc]
            ref.legacy[key] = how
    if accept_by_rule:
        ref.label += " + naming rules for unlisted names (opt-in)"
    return ref


def mirbase_reference(*, accept_by_rule: bool = False) -> MirnaReference:
    """The offline default: the shipped miRBase table (current, previous and removed names).

    ``accept_by_rule=True`` also keeps well-formed names miRBase does not list (opt-in;
    each such name says so). The object is shared: do not modify it.
    """
    return _mirbase_reference(accept_by_rule)


def kb_reference(
    extra_names: Iterable[str] = (),
    *,
    curated: dict[str, list[str]] | None = None,
    accept_by_rule: bool = False,
) -> MirnaReference:
    """The offline reference: the shipped miRBase table (``extra_names``/``curated`` unused).

    Kept for callers of the former name-only reference; the knowledge graph's miRNA names are
    all miRBase names, so the miRBase table covers them.
    """
    del extra_names, curated
    return mirbase_reference(accept_by_rule=accept_by_rule)


def _find(ref: MirnaReference, prefix: str, p: Parsed, arm: str) -> tuple[str, str] | None:
    """Exact name, then the paralogue-letter fallbacks; returns (name, note)."""
    letters = [p.letter] + (["a"] if p.letter == "" else ([""] if p.letter == "a" else []))
    for letter in letters:
        rest = _with_arm(p.stem(letter=letter), arm)
        hit = ref.lookup(prefix, rest)
        if hit is not None:
            note = (
                ""
                if letter == p.letter
                else f"paralogue letter {'a added' if letter else 'a dropped'}"
            )
            legacy = ref.legacy.get((prefix, rest.lower()))
            if legacy:
                note = f"{note}; {legacy}" if note else legacy
            return hit, note
    return None


def resolve_one(ref: MirnaReference, raw: str, prefix: str) -> list[tuple[str, str, str]] | None:
    """(name, how, arm) for one input; several for precursors; ``None`` when unresolved.

    With ``ref.accept_by_rule`` (an explicit opt-in) a well-formed miRBase-style name that
    the reference lacks is still accepted, spelled by the rules, and says so in ``how``.
    """
    hits = _resolve_known(ref, raw, prefix)
    if hits or not ref.accept_by_rule:
        return hits
    text = raw.strip().split(":")[0]
    p = parse_name(text)
    if p is None:
        return None
    pre = p.prefix or prefix
    if p.precursor:
        return [
            (
                f"{pre}-{_with_arm(p.stem(), arm)}",
                "precursor, by naming rule (arms not checked)",
                arm,
            )
            for arm in ("5p", "3p")
        ]
    arm = p.arm or "5p"
    if p.arm == "*":
        arm = "3p"
    how = f"well-formed name not in {ref.label}; kept by naming rule (opt-in)"
    if p.arm in ("", "*"):
        how += f" ({'arm-less' if p.arm == '' else 'star'}: {arm} arm assumed)"
    name = f"{pre}-{_with_arm(p.stem(), p.arm)}" if pre else _with_arm(p.stem(), p.arm)
    return [(name, how, arm)]


_LONG = re.compile(r"^(?:(?P<sp>[a-z]{2,5})-)?microRNA[- ]?", re.IGNORECASE)


# Suffixes small-RNA pipelines append to miRBase ids (e.g. ``hsa-mir-7-1_mature``): the mature
# products of a precursor, or the precursor/stem-loop itself. Read counts of "_mature" cannot
# say which arm they are, so both arms are kept.
_PIPELINE_SUFFIX = re.compile(r"_(mature|precursor|stem[-_]?loop|hairpin|pre)$", re.IGNORECASE)


def strip_pipeline_suffix(name: str) -> tuple[str, str]:
    """(name without a pipeline suffix, the suffix or "")."""
    m = _PIPELINE_SUFFIX.search(name.strip())
    return (name.strip()[: m.start()], m.group(1).lower()) if m else (name.strip(), "")


def _resolve_known(ref: MirnaReference, raw: str, prefix: str) -> list[tuple[str, str, str]] | None:
    text, suffix = strip_pipeline_suffix(raw)
    note = f"pipeline id (_{suffix}): precursor" if suffix else ""
    text = _LONG.sub(lambda m: f"{m.group('sp')}-miR-" if m.group("sp") else "miR-", text)
    if ":" in text:  # exceRpt: name:MIMAT...:...
        parts = text.split(":")
        acc = next((t for t in parts if _MIMAT.match(t)), None)
        if acc and acc.upper() in ref.accessions:
            name = ref.accessions[acc.upper()]
            return [(name, "exceRpt id, by accession", _arm(name))]
        text = parts[0]
    if _MIMAT.match(text):
        by_acc = ref.accessions.get(text.upper())
        how = "MIMAT accession"
        if by_acc in ref.removed:
            how += f" ({ref.removed[by_acc]})"
        return [(by_acc, how, _arm(by_acc))] if by_acc else None
    p = parse_name(text)
    if p is None:
        own, rest = _split_prefix(text)
        plain = ref.lookup(own or prefix, rest)
        return [(plain, "exact", _arm(plain))] if plain else None
    pre = p.prefix or prefix
    if suffix and not p.arm:
        p = Parsed(p.prefix, p.kind, p.num, p.letter, p.copy, "", True)
    if p.precursor:
        found: list[tuple[str, str, str]] = []
        how = f"{note}: all mature products" if note else "precursor: all mature products"
        for arm in ("5p", "3p", "", "*"):
            # the locus's own arm (hsa-let-7a-2-3p) else the shared mature name (hsa-let-7a-5p)
            for pp in (p, Parsed(p.prefix, p.kind, p.num, p.letter, "", "", False)):
                hit = _find(ref, pre, pp, arm)
                if hit:
                    if hit[0] not in [f[0] for f in found]:
                        found.append((hit[0], how, arm))
                    break
        return found or None
    exact = _find(ref, pre, p, p.arm)
    if exact is not None:
        arm = p.arm
        dominant = None if _arm(exact[0]) in ("5p", "3p") else ref.dominant_arm(p)
        if _arm(exact[0]) in ("5p", "3p"):  # the reference names the arm: it decides
            arm = _arm(exact[0])
        elif arm in ("", "*") and dominant:
            arm = dominant if arm == "" else ("3p" if dominant == "5p" else "5p")
        how = exact[1] or "exact"
        if exact[0] in ref.removed:
            how += f" ({ref.removed[exact[0]]})"
        return [(exact[0], how, arm)]
    dominant = ref.dominant_arm(p)
    if p.arm in ("5p", "3p"):
        if ref.accept_by_rule:
            return None  # keep the arm the user gave (rule-based acceptance follows)
        other = "3p" if p.arm == "5p" else "5p"
        legacy = _find(ref, pre, p, "")
        star = _find(ref, pre, p, "*")
        if legacy and (dominant in (None, p.arm)):
            how = "legacy arm-less name" + ("" if dominant else " (arm not checked: no sequences)")
            return [(legacy[0], how, p.arm)]
        if star and dominant == other:
            return [(star[0], "legacy star name of this arm", p.arm)]
        return None
    if p.arm == "":
        arms = {a: h[0] for a in ("5p", "3p") if (h := _find(ref, pre, p, a)) is not None}
        if dominant and dominant in arms:
            how = f"arm-less legacy name: dominant arm {dominant} by seed"
            return [(arms[dominant], how, dominant)]
        if len(arms) == 1:
            ((arm_, name_),) = arms.items()
            return [(name_, f"arm-less legacy name: only the {arm_} arm known", arm_)]
        if "5p" in arms:
            return [(arms["5p"], "arm-less legacy name: 5p arm assumed (not decidable)", "5p")]
        return None
    # star
    if dominant:
        other = "3p" if dominant == "5p" else "5p"
        found_other = _find(ref, pre, p, other)
        if found_other:
            how = f"star strand: the {other} arm (dominant is {dominant})"
            return [(found_other[0], how, other)]
    three = _find(ref, pre, p, "3p")
    return [(three[0], "star strand: 3p arm assumed (not decidable)", "3p")] if three else None


@dataclass(frozen=True)
class MirnaNames:
    """The outcome of normalisation: what was recognised, what was not, against what."""

    recognized: list[Resolved]
    unrecognized: list[Unresolved]
    species: str
    reference: str
    probes: tuple[Probe, ...] = ()  # control/spike-in probes set aside before resolving

    def names(self) -> list[str]:
        return list(dict.fromkeys(r.name for r in self.recognized))

    def unverified(self) -> list[str]:
        """Inputs kept only because they are well-formed (no reference listed them)."""
        return [r.input for r in self.recognized if "naming rule" in r.how]

    def to_dict(self) -> dict[str, object]:
        return {
            "recognized": [
                {"input": r.input, "name": r.name, "accession": r.accession, "how": r.how}
                for r in self.recognized
            ],
            "unrecognized": [
                {"name": u.input, "suggestions": u.suggestions} for u in self.unrecognized
            ],
            "unverified": self.unverified(),
            "controls": [p.to_dict() for p in self.probes],
            "species": self.species,
            "reference": self.reference,
            **(
                {"suggestions_given_for_first": SUGGEST_AT_MOST}
                if len(self.unrecognized) > SUGGEST_AT_MOST
                else {}
            ),
        }


def infer_species(
    names: Sequence[str], *, source: str = "input", lines: Sequence[int] | None = None
) -> str | None:
    """The species the prefixes name (hsa/mmu/rno); mixed prefixes are an error."""
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        prefix = _split_prefix(name.split(":")[0].strip())[0]
        if prefix:
            seen.setdefault(prefix, lines[i] if lines else i + 1)
    if len(seen) > 1:
        (p1, l1), (p2, l2) = list(seen.items())[:2]
        raise FileFormatError(
            f"{source}, line {l2}: mixed species: {p2!r} here but {p1!r} on line {l1}; "
            "expected one species per profile (hsa, mmu or rno prefixes, or none)"
        )
    if not seen:
        return None
    prefix = next(iter(seen))
    return SPECIES_OF_PREFIX.get(prefix, prefix)


def normalize_mirnas(
    names: Sequence[str],
    *,
    species: str | None = None,
    reference: MirnaReference | None = None,
    lines: Sequence[int] | None = None,
    source: str = "input",
) -> MirnaNames:
    """Resolve user miRNA names; unresolved ones come back with suggestions, never dropped.

    ``species`` (human/mouse/rat) fills in missing prefixes and must agree with prefixes given;
    without it the prefixes decide, else human is assumed (and said in ``species``).
    """
    inferred = infer_species(names, source=source, lines=lines)
    if species is not None and species not in PREFIX:
        raise FileFormatError(f"species {species!r}: expected one of {sorted(PREFIX)}")
    if species and inferred and inferred != species:
        idx = next(i for i, n in enumerate(names) if _split_prefix(n.split(":")[0].strip())[0])
        raise FileFormatError(
            f"{source}, line {lines[idx] if lines else idx + 1}: {names[idx]!r} is a {inferred} "
            f"miRNA but the species asked for is {species}; expected {PREFIX[species]}- names"
        )
    sp = species or inferred or "human"
    prefix = PREFIX.get(sp, sp)
    ref = reference if reference is not None else mirbase_reference()
    recognized: list[Resolved] = []
    unrecognized: list[Unresolved] = []
    resolved: dict[str, list[tuple[str, str, str]] | None] = {}  # each distinct name once
    for i, raw in enumerate(names):
        line = lines[i] if lines else i + 1
        if raw not in resolved:
            resolved[raw] = resolve_one(ref, raw, prefix)
        hits = resolved[raw]
        if not hits:
            # suggestions for the first SUGGEST_AT_MOST unknown names (bounded work)
            close = ref.suggest(raw, prefix) if len(unrecognized) < SUGGEST_AT_MOST else []
            unrecognized.append(Unresolved(raw, close, line))
            continue
        for name, how, arm in hits:
            acc = ref.name_accession.get(name)
            recognized.append(Resolved(raw, name, acc, how, key_of(name, arm), line))
    label = ref.label + ("" if species or inferred else "; species not given: human assumed")
    return MirnaNames(recognized, unrecognized, sp, label)


def target_keys(names: Iterable[str], reference: MirnaReference | None) -> pd.DataFrame:
    """Each target-table miRNA name -> (prefix, key); names the reference lacks keep their own."""
    rows = []
    ref = reference or MirnaReference(label="none")
    for name in names:
        prefix, rest = _split_prefix(name)
        hits = resolve_one(ref, name, prefix) if prefix else None
        if hits:
            rows.append((name, prefix, key_of(hits[0][0], hits[0][2])))
        else:
            rows.append((name, prefix, key_of(name, "")))
    return pd.DataFrame(rows, columns=["mirna", "prefix", "key"])
