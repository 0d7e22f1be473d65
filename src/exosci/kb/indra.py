"""INDRA statement JSON: write our signed statements, read ours and INDRA-assembled files.

Mapping (exosci predicate -> INDRA type): activates/promotes -> Activation,
inhibits/suppresses -> Inhibition, increases_amount/carries/secretes -> IncreaseAmount,
decreases_amount -> DecreaseAmount. Non-causal predicates have no INDRA counterpart and are
not written. Each of our evidence records becomes one INDRA ``Evidence`` whose
``annotations`` keep the review's reference numbers (``review_refs``), their DOIs and the study
context, so a file we wrote reads back to the same statements.

Agents are grounded in INDRA's namespaces where the entity has an identifier: miRNAs to
``MIRBASEM`` (mature, MIMAT) or ``MIRBASE`` (hairpin, MI), genes by HGNC symbol as the agent
name (plus ``HGNC`` when a numeric id is known), GO, CHEBI, CL and UBERON terms; every agent
also carries ``EXOSCI`` (our id) and ``TEXT`` (our name).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from exosci.errors import FileFormatError
from exosci.kb.names import normalize
from exosci.kb.schema import PREDICATES, Entity, Evidence, Paper, Reference, Statement, paper_id
from exosci.vocabulary import PREFIX_TYPE as PREFIX_TYPE
from exosci.vocabulary import SPECIES, STUDY_KINDS, TYPE_PREFIX

TO_INDRA: dict[str, str] = {
    "activates": "Activation",
    "promotes": "Activation",
    "inhibits": "Inhibition",
    "suppresses": "Inhibition",
    "increases_amount": "IncreaseAmount",
    "carries": "IncreaseAmount",
    "secretes": "IncreaseAmount",
    "decreases_amount": "DecreaseAmount",
}
FROM_INDRA: dict[str, str] = {
    "Activation": "activates",
    "Inhibition": "inhibits",
    "IncreaseAmount": "increases_amount",
    "DecreaseAmount": "decreases_amount",
}
_TYPE_PREFIX = TYPE_PREFIX
_TAXON_SPECIES = {"10116": "rat", "10090": "mouse", "9606": "human", "9544": "monkey"}
_SPECIES = frozenset(SPECIES)
_MODELS = frozenset(STUDY_KINDS)
_NAMESPACE = uuid.UUID("5d1f3c8e-8f0a-4d7e-9a53-0e6f3c1b2a47")


# -- writing ------------------------------------------------------------------------------
def agent(ent: Entity) -> dict[str, Any]:
    """An INDRA agent for one entity, grounded where the entity has an identifier."""
    db_refs: dict[str, str] = {"TEXT": ent.name, "EXOSCI": ent.id}
    name = ent.name
    for curie in [c for c in (ent.curie, *ent.xrefs) if c]:
        prefix, _, local = curie.partition(":")
        p = prefix.lower()
        if p in ("mirbase", "mirbase.mature") and local.upper().startswith("MIMAT"):
            db_refs["MIRBASEM"] = local.upper()
        elif p == "mirbase" and local.upper().startswith("MI"):
            db_refs["MIRBASE"] = local.upper()
        elif p == "hgnc.symbol":
            db_refs["HGNC_SYMBOL"] = local
            if ent.type == "gene":
                name = local  # INDRA names gene agents by their HGNC symbol
        elif p == "hgnc" and local.isdigit():
            db_refs["HGNC"] = local
        elif p in ("go", "chebi", "cl", "uberon"):
            db_refs[prefix.upper()] = f"{prefix.upper()}:{local}"
        elif p in ("mesh", "pubchem", "drugbank", "reactome", "kegg"):
            db_refs[prefix.upper()] = local
    return {"name": name, "db_refs": db_refs}


def _evidence(st: Statement, ev: Evidence, references: dict[int, Reference]) -> dict[str, Any]:
    dois = [references[n].doi for n in ev.refs if n in references]
    ann: dict[str, Any] = {
        "review_refs": list(ev.refs),
        "papers": list(ev.papers),
        "dois": dois,
        "species": ev.species,
        "model": ev.model,
        "exosci_statement": st.id,
        "exosci_predicate": st.predicate,
        "grade": ev.grade,
        "randomised": ev.randomised,
        "blinded": ev.blinded,
    }
    if ev.co_therapy:
        ann["co_therapy"] = list(ev.co_therapy)
    if ev.comparator:
        ann["comparator"] = ev.comparator
    for key in ("injury_model", "cell_type", "route", "preconditioning", "engineering"):
        value = getattr(ev, key)
        if value is not None:
            ann[key] = value
    if ev.quantities:
        ann["quantities"] = [q.model_dump(exclude_none=True) for q in ev.quantities]
    if st.section:
        ann["section"] = st.section
    if ev.context:
        ann["context"] = ev.context
    out: dict[str, Any] = {"source_api": "exosci", "text": ev.text, "annotations": ann}
    if dois:
        out["text_refs"] = {"DOI": dois[0]}
    elif ev.papers:  # a paper beyond the review: INDRA's own pmid / text_refs fields
        first = ev.papers[0]
        kind, _, value = first.partition(":")
        out["text_refs"] = {"PMID" if kind == "pmid" else "DOI": value}
        if kind == "pmid":
            out["pmid"] = value
    return out


def to_indra_statements(
    entities: dict[str, Entity],
    statements: Iterable[Statement],
    references: dict[int, Reference],
) -> list[dict[str, Any]]:
    """INDRA statement dicts for every causal statement (non-causal ones are left out)."""
    out = []
    for st in statements:
        kind = TO_INDRA.get(st.predicate)
        if kind is None:
            continue
        doc: dict[str, Any] = {
            "type": kind,
            "subj": agent(entities[st.subject]),
            "obj": agent(entities[st.object]),
            "id": str(uuid.uuid5(_NAMESPACE, st.id)),
            "evidence": [_evidence(st, ev, references) for ev in st.evidence],
        }
        if kind in ("Activation", "Inhibition"):
            doc["obj_activity"] = "activity"
        out.append(doc)
    return out


def write_indra_json(
    path: Path | str,
    entities: dict[str, Entity],
    statements: Iterable[Statement],
    references: dict[int, Reference],
) -> int:
    """Write INDRA statement JSON; returns the number of statements written."""
    docs = to_indra_statements(entities, statements, references)
    Path(path).write_text(json.dumps(docs, indent=1, ensure_ascii=False), encoding="utf-8")
    return len(docs)


# -- reading ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Skipped:
    """A statement (or evidence record) that could not be read, and why."""

    index: int  # position in the file's statement list
    type: str
    reason: str


@dataclass(frozen=True)
class IndraRead:
    """What :func:`load_indra_json` made of a file."""

    entities: list[Entity]
    statements: list[Statement]
    skipped: list[Skipped] = field(default_factory=list)
    papers: list[Paper] = field(default_factory=list)  # papers beyond the review, as cited

    def summary(self) -> str:
        if not self.skipped:
            return f"{len(self.statements)} statements read"
        kinds: dict[str, int] = {}
        for s in self.skipped:
            kinds[s.type] = kinds.get(s.type, 0) + 1
        listed = ", ".join(f"{k} x{n}" for k, n in sorted(kinds.items()))
        return (
            f"{len(self.statements)} statements read, {len(self.skipped)} skipped ({listed}); "
            f"first: #{self.skipped[0].index} {self.skipped[0].reason}"
        )


class IndraImportWarning(UserWarning):
    """Some INDRA statements were not imported; ``.skipped`` lists them."""

    def __init__(self, message: str, skipped: list[Skipped]) -> None:
        super().__init__(message)
        self.skipped = skipped


def read_indra_json(
    path: Path | str,
    *,
    references: dict[int, Reference] | None = None,
    on_unsupported: Literal["warn", "error"] = "warn",
) -> tuple[list[Entity], list[Statement]]:
    """Entities and statements from an INDRA statement JSON file (ours or INDRA-assembled).

    Activation, Inhibition, IncreaseAmount and DecreaseAmount are read; any other statement
    type, and any statement whose evidence cites no paper, is reported: with
    ``on_unsupported="warn"`` as an :class:`IndraImportWarning` (whose ``skipped`` lists each
    one), with ``"error"`` as a :class:`FileFormatError`. Evidence is tied to the review's
    reference numbers through ``annotations.review_refs`` or a DOI that matches one of
    ``references`` (default: the review's list), else to the paper it names by PMID or DOI.
    Use :func:`load_indra_json` to get the skipped statements and the papers as data.
    """
    res = load_indra_json(path, references=references)
    if res.skipped:
        msg = f"{path}: {res.summary()}"
        if on_unsupported == "error":
            raise FileFormatError(
                msg + ". Supported types: " + ", ".join(FROM_INDRA) + "; evidence must cite a "
                "paper (annotations.review_refs, a PMID or a DOI)."
            )
        warnings.warn(IndraImportWarning(msg, res.skipped), stacklevel=2)
    return res.entities, res.statements


def load_indra_json(
    path: Path | str,
    *,
    references: dict[int, Reference] | None = None,
    match: Callable[[str, dict[str, str]], str | None] | None = None,
) -> IndraRead:
    """Parse an INDRA statement JSON file into records plus a list of what was skipped.

    Evidence may cite the review (``annotations.review_refs`` or a review DOI) or any paper by
    PMID (``pmid`` / ``text_refs.PMID``) or DOI (``text_refs.DOI``); such papers come back in
    ``papers`` with the metadata the file gives (``annotations`` ``title``, ``first_author``,
    ``year``, ``journal``). ``match(name, db_refs)`` may map an agent to an existing entity id
    (so PTEN lands on the graph's PTEN, not a copy).
    """
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FileFormatError(f"{path}: not an INDRA statement JSON file: {exc}") from None
    if isinstance(raw, dict) and isinstance(raw.get("statements"), list | dict):
        raw = raw["statements"]  # INDRA REST/DB responses wrap the list (or a hash->stmt map)
    if isinstance(raw, dict):
        raw = list(raw.values())
    if not isinstance(raw, list):
        raise FileFormatError(
            f"{path}: expected a JSON list of INDRA statements, got {type(raw).__name__}"
        )
    if references is None:
        references = _package_references()
    doi_to_ref = {r.doi.lower(): n for n, r in references.items()}
    reader = _Reader(path.name, doi_to_ref, match)
    for i, item in enumerate(raw):
        reader.read(i, item)
    return IndraRead(
        list(reader.entities.values()),
        reader.statements,
        reader.skipped,
        list(reader.papers.values()),
    )


@cache
def _package_references() -> dict[int, Reference]:
    from exosci.kb.curated import DATA_DIR, _read_references

    return _read_references(DATA_DIR / "references.tsv")


_SLUG = re.compile(r"[^a-z0-9_.+-]+")


class _Reader:
    def __init__(
        self,
        source: str,
        doi_to_ref: dict[str, int],
        match: Callable[[str, dict[str, str]], str | None] | None = None,
    ) -> None:
        self.source = source
        self.doi_to_ref = doi_to_ref
        self.match = match
        self.papers: dict[str, Paper] = {}
        self.entities: dict[str, Entity] = {}
        self.statements: list[Statement] = []
        self.skipped: list[Skipped] = []
        self.ids: set[str] = set()

    def read(self, i: int, item: Any) -> None:
        kind = item.get("type") if isinstance(item, dict) else None
        if not isinstance(kind, str):
            self.skipped.append(Skipped(i, "?", "not a statement object with a 'type'"))
            return
        if kind not in FROM_INDRA:
            self.skipped.append(Skipped(i, kind, f"statement type {kind!r} is not supported"))
            return
        subj, obj = item.get("subj"), item.get("obj")
        if not (_is_agent(subj) and _is_agent(obj)):
            self.skipped.append(Skipped(i, kind, "subj and obj must both be agents with a name"))
            return
        try:
            s_ent, o_ent = self._entity(subj), self._entity(obj)
        except ValidationError as exc:
            self.skipped.append(Skipped(i, kind, f"invalid agent: {exc.errors()[0]['msg']}"))
            return
        if s_ent.id == o_ent.id:
            self.skipped.append(Skipped(i, kind, f"subject and object are both {s_ent.id}"))
            return
        evidence, predicate, sid = [], FROM_INDRA[kind], None
        evs = item.get("evidence") or []
        reasons: list[str] = []
        for ev in evs if isinstance(evs, list) else []:
            parsed, why = self._evidence(ev)
            if parsed is None:
                reasons.append(why)
                continue
            evidence.append(parsed)
            ann = ev.get("annotations") or {}
            own = ann.get("exosci_predicate")
            if own in PREDICATES and TO_INDRA.get(own) == kind:
                predicate = own
            if isinstance(ann.get("exosci_statement"), str):
                sid = sid or ann["exosci_statement"]
        if not evidence:
            why = "; ".join(dict.fromkeys(reasons)) or "the statement has no evidence"
            self.skipped.append(Skipped(i, kind, f"no usable evidence: {why}"))
            return
        sid = sid or "indra:" + str(item.get("id") or _digest(item))
        while sid in self.ids:
            sid += "+"
        self.ids.add(sid)
        try:
            st = Statement.model_validate(
                {
                    "id": sid,
                    "subject": s_ent.id,
                    "predicate": predicate,
                    "object": o_ent.id,
                    "evidence": evidence,
                }
            )
        except ValidationError as exc:
            self.skipped.append(Skipped(i, kind, f"invalid statement: {exc.errors()[0]['msg']}"))
            return
        self.entities.setdefault(s_ent.id, s_ent)
        self.entities.setdefault(o_ent.id, o_ent)
        self.statements.append(st)

    def _entity(self, ag: dict[str, Any]) -> Entity:
        db = {str(k): str(v) for k, v in (ag.get("db_refs") or {}).items() if v is not None}
        name = str(ag["name"])
        own = db.get("EXOSCI")
        etype = _guess_type(db, name)
        if not own and self.match is not None:
            own = self.match(name, db)
        if own and _valid_id(own):
            etype = PREFIX_TYPE.get(own.split(":", 1)[0], etype)
            eid = own
        else:
            slug = _SLUG.sub("-", normalize(name)).strip("-") or _digest(name)
            eid = f"{_TYPE_PREFIX[etype]}:{slug}"
        if eid in self.entities:
            return self.entities[eid]
        return Entity(
            id=eid,
            name=db.get("TEXT", name) if own else name,
            type=etype,  # type: ignore[arg-type]
            curie=_curie(db),
            xrefs=[f"{k}:{v}" for k, v in sorted(db.items()) if k not in ("TEXT", "EXOSCI")],
        )

    def _evidence(self, ev: Any) -> tuple[Evidence | None, str]:
        """One INDRA evidence as ours, or None and why it cannot be used."""
        if not isinstance(ev, dict):
            return None, "an evidence entry is not an object"
        ann: dict[str, Any] = ev["annotations"] if isinstance(ev.get("annotations"), dict) else {}
        listed = ann.get("review_refs")
        refs = (
            [n for n in listed if isinstance(n, int) and n >= 1] if isinstance(listed, list) else []
        )
        text_refs: dict[str, Any] = ev["text_refs"] if isinstance(ev.get("text_refs"), dict) else {}
        doi = str(text_refs.get("DOI") or text_refs.get("doi") or "").strip()
        pmid = str(ev.get("pmid") or text_refs.get("PMID") or text_refs.get("pmid") or "").strip()
        if not refs and doi.lower() in self.doi_to_ref:
            refs = [self.doi_to_ref[doi.lower()]]
        papers = [p for p in ann.get("papers") or [] if isinstance(p, str)]
        for pid in papers:  # our own export: ids only; keep what the id itself tells
            kind, _, value = pid.partition(":")
            try:
                self.papers.setdefault(
                    pid,
                    Paper(
                        id=pid,
                        pmid=value if kind == "pmid" else None,
                        doi=value if kind == "doi" else None,
                    ),
                )
            except ValidationError as exc:
                return None, f"paper {pid!r}: {exc.errors()[0]['msg']}"
        if not refs and not papers:
            new_id = paper_id(pmid=pmid, doi=doi)
            if new_id is None:
                if pmid or doi:
                    return None, f"PMID {pmid!r} / DOI {doi!r} is not a valid identifier"
                return None, "cites no paper (no review_refs, PMID or DOI)"
            pid = new_id
            try:
                self.papers.setdefault(pid, self._paper(pid, pmid, doi, ann))
            except ValidationError as exc:
                return None, f"paper {pid}: {exc.errors()[0]['msg']}"
            papers = [pid]
        species = str(ann.get("species"))
        if species not in _SPECIES:
            species = _TAXON_SPECIES.get(species, _context_species(ev) or "unspecified")
        model = str(ann.get("model"))
        extra = {
            k: ann[k]
            for k in ("injury_model", "cell_type", "route", "preconditioning", "engineering")
            if isinstance(ann.get(k), str)
        }
        context = ann.get("context") if isinstance(ann.get("context"), str) else _bio_context(ev)
        if context:
            extra["context"] = context
        for key in ("grade", "randomised", "blinded", "comparator"):
            if isinstance(ann.get(key), str):
                extra[key] = ann[key]
        if isinstance(ann.get("co_therapy"), list):
            extra["co_therapy"] = [str(c) for c in ann["co_therapy"]]
        text = ev.get("text") or f"imported from {self.source} ({ev.get('source_api')})"
        if ev.get("source_api") not in (None, "exosci") and model not in _MODELS:
            text = f"{text} [machine-read by {ev.get('source_api')}; study type not given]"
        try:
            return Evidence.model_validate(
                {
                    "refs": refs,
                    "papers": papers,
                    "species": species,
                    "model": model if model in _MODELS else "review",
                    "quantities": ann.get("quantities") or [],
                    "text": str(text),
                    **extra,
                }
            ), ""
        except ValidationError as exc:
            err = exc.errors()[0]
            return None, f"evidence field {'.'.join(map(str, err['loc']))}: {err['msg']}"

    @staticmethod
    def _paper(pid: str, pmid: str, doi: str, ann: dict[str, Any]) -> Paper:
        meta = {
            k: ann[k] for k in ("title", "first_author", "journal") if isinstance(ann.get(k), str)
        }
        year = ann.get("year")
        return Paper(
            id=pid,
            pmid=pmid if pmid.isdigit() else None,
            doi=doi or None,
            year=int(year) if isinstance(year, int | str) and str(year).isdigit() else None,
            **meta,
        )


def _bio_context(ev: dict[str, Any]) -> str | None:
    """A CL / UBERON term from INDRA's BioContext (``context.cell_type`` / ``organ``)."""
    ctx = ev.get("context")
    if not isinstance(ctx, dict):
        return None
    for slot, ns in (("cell_type", "CL"), ("organ", "UBERON")):
        refs = (ctx.get(slot) or {}).get("db_refs") if isinstance(ctx.get(slot), dict) else None
        value = str((refs or {}).get(ns) or "")
        if value:
            value = value if value.startswith(f"{ns}:") else f"{ns}:{value}"
            if re.match(rf"^{ns}:\d{{7}}$", value):
                return value
    return None


def _context_species(ev: dict[str, Any]) -> str | None:
    ctx = ev.get("context")
    species = ctx.get("species") if isinstance(ctx, dict) else None
    taxon = (
        (species or {}).get("db_refs", {}).get("TAXONOMY") if isinstance(species, dict) else None
    )
    return _TAXON_SPECIES.get(str(taxon)) if taxon else None


def _is_agent(ag: Any) -> bool:
    return isinstance(ag, dict) and isinstance(ag.get("name"), str) and bool(ag["name"].strip())


def _valid_id(eid: str) -> bool:
    return bool(re.match(r"^[a-z0-9][a-z0-9_.:+-]*$", eid))


def _guess_type(db: dict[str, str], name: str) -> str:
    if "MIRBASEM" in db or "MIRBASE" in db or re.match(r"^(hsa|mmu|rno)?-?mir-", name, re.I):
        return "mirna"
    if {"CHEBI", "PUBCHEM", "DRUGBANK", "CHEMBL"} & set(db):
        return "small_molecule"
    if "GO" in db or "MESH" in db:
        return "pathway" if "signal" in name.lower() else "process"
    return "gene"


def _curie(db: dict[str, str]) -> str | None:
    if "MIRBASEM" in db:
        return f"mirbase:{db['MIRBASEM']}"
    if "MIRBASE" in db:
        return f"mirbase:{db['MIRBASE']}"
    if "HGNC_SYMBOL" in db:
        return f"hgnc.symbol:{db['HGNC_SYMBOL']}"
    if "HGNC" in db:
        return f"hgnc:{db['HGNC']}"
    for key in ("GO", "CHEBI", "CL", "UBERON"):
        if key in db:
            return db[key]
    return None


def _digest(item: Any) -> str:
    return hashlib.sha1(json.dumps(item, sort_keys=True, default=str).encode()).hexdigest()[:12]
