"""`exosci kb ...`: the knowledge graph of the review."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from exosci.kb.store import KnowledgeBase

from exosci.cli._common import (
    FORCE_OPTION,
    JSON_OPTION,
    check_outputs,
    cli_errors,
    console,
    emit_json,
)
from exosci.limits import MAX_TOP

app = typer.Typer(help="Query and build the knowledge graph of the review.", no_args_is_help=True)

STORE_OPTION = typer.Option(
    None, "--store", help="A store file built with `exosci kb build` (default: curated, in memory)."
)


def grade_label(grades: list[str]) -> str:
    """Mark a link no cited study tested directly: a review claim or a curator-inferred link."""
    if not grades or "experimental" in grades:
        return ""
    word = "review claim" if "review_claim" in grades else "curator-inferred"
    return " [yellow]" + escape(f"[{word}]") + "[/]"


def get_kb(store: Path | None) -> KnowledgeBase:
    from exosci.kb.store import default_kb, open_store

    return open_store(store) if store else default_kb()


@app.command()
@cli_errors
def stats(store: Path | None = STORE_OPTION, json: bool = JSON_OPTION) -> None:
    """Counts of entities by type, statements and references."""
    doc = get_kb(store).stats()
    if json:
        emit_json(doc)
        return
    table = Table(title="exosci knowledge graph", show_header=True)
    table.add_column("entity type")
    table.add_column("count", justify="right")
    for etype, n in doc["entities"].items():
        table.add_row(etype.replace("_", " "), str(n))
    console.print(table)
    console.print(
        f"{doc['statements']} signed statements with {doc['evidence']} evidence records "
        f"({doc['quantitative_findings']} quantitative findings), {doc['facts']} facts, "
        f"{doc['references']} references. Schema v{doc['schema_version']}, "
        f"data hash {doc['content_hash']}."
    )


@app.command()
@cli_errors
def search(
    query: str = typer.Argument(..., help="Part of a name, synonym or identifier."),
    limit: int = typer.Option(20, min=1, max=MAX_TOP, help="Most hits to show."),
    store: Path | None = STORE_OPTION,
    json: bool = JSON_OPTION,
) -> None:
    """Find entities by name, synonym or identifier (forgiving: case, hyphens, Greek letters)."""
    hits = get_kb(store).search(query, limit=limit)
    if json:
        emit_json({"query": query, "hits": hits})
        return
    table = Table(title=f"matches for {query!r}")
    for col in ("name", "type", "id", "curie"):
        table.add_column(col)
    for h in hits:
        table.add_row(h["name"], h["type"], h["id"], h["curie"] or "")
    console.print(table)


@app.command()
@cli_errors
def show(
    name: str = typer.Argument(..., help="Entity name, synonym or identifier."),
    store: Path | None = STORE_OPTION,
    json: bool = JSON_OPTION,
) -> None:
    """One entity with its attributes, cargo and cited statements (with GRADE certainty)."""
    from exosci.reason.grading import annotate_show

    kb = get_kb(store)
    doc = annotate_show(kb.show(name), kb.curated.statements)
    if json:
        emit_json(doc)
        return
    console.print(f"[bold]{doc['name']}[/] ({doc['type']}, id {doc['id']}, {doc['curie'] or '-'})")
    if doc["synonyms"]:
        console.print("synonyms: " + ", ".join(doc["synonyms"]))
    if doc["description"]:
        console.print(doc["description"])
    for key, value in doc["attributes"].items():
        console.print(f"  [cyan]{key}[/]: {value}")
    if doc["cargo"]:
        console.print("cargo: " + ", ".join(doc["cargo"]))
    hier = doc.get("hierarchy", {})
    for key, word in (("parents", "is a kind/part of"), ("children", "kinds/parts")):
        if hier.get(key):
            console.print(
                f"{word}: " + ", ".join(f"{h['name']} ({h['relation']})" for h in hier[key])
            )
    for st in doc["statements"]:
        console.print(_statement_line(st))
    inherited = doc.get("inherited_statements", [])
    if inherited:
        console.print(
            f"[bold]evidence observed for more specific kinds[/] ({len(inherited)} statements;"
            " it counts for this entity, never the other way):"
        )
        shown = inherited[:_MAX_INHERITED]
        for st in shown:
            console.print(_statement_line(st) + f"  [cyan]observed for {st['observed_for']}[/]")
        if len(inherited) > len(shown):
            console.print(f"  … {len(inherited) - len(shown)} more (use --json for all)")


_MAX_INHERITED = 40


def _statement_line(st: dict[str, Any]) -> str:
    refs = sorted({n for ev in st["evidence"] for n in ev["ref"]})
    papers = sorted({p for ev in st["evidence"] for p in ev.get("papers", [])})
    sign = {1: "+", -1: "-", 0: "·"}[st["sign"]]
    cited = [f"refs {', '.join(map(str, refs))}"] if refs else []
    cited += [f"papers {', '.join(papers)}"] if papers else []
    return (
        f"  [{sign}] {st['subject']} [italic]{st['predicate']}[/] {st['object']}"
        f"  ({'; '.join(cited)})"
        + grade_label([ev.get("grade", "") for ev in st["evidence"]])
        + (f" [dim]certainty {st['certainty']}[/]" if st.get("certainty") else "")
    )


@app.command("ref")
@cli_errors
def ref(
    number: int = typer.Argument(..., help="A reference number of the review (1-194)."),
    store: Path | None = STORE_OPTION,
    json: bool = JSON_OPTION,
) -> None:
    """One of the review's references and every statement, entity and fact that cites it."""
    doc = get_kb(store).reference(number)
    if json:
        emit_json(doc)
        return
    console.print(
        f"[bold]{doc['number']}.[/] {doc['first_author']} ({doc['year']}). {doc['title']}. "
        f"[italic]{doc['journal']}[/]. doi:{doc['doi']}"
    )
    for st in doc["statements"]:
        sign = {1: "+", -1: "-", 0: "·"}[st["sign"]]
        console.print(
            f"  [{sign}] {st['subject']} [italic]{st['predicate']}[/] {st['object']}"
            f"  ({st['species']}, {st['model']}){grade_label([st.get('grade', '')])}: {st['text']}"
        )
    for fact in doc["facts"]:
        console.print(f"  fact ({fact['topic']}): {fact['text']}")
    if doc["entities"]:
        console.print("  entities citing it: " + ", ".join(doc["entities"]))


@app.command("studies")
@cli_errors
def studies_cmd(
    product: str | None = typer.Option(
        None, "--product", help="Only this exosome product and its more specific products."
    ),
    ref: int | None = typer.Option(None, "--ref", help="Only this review reference number."),
    axis: str | None = typer.Option(
        None, "--axis", help="Only this outcome axis (e.g. function, inflammation)."
    ),
    store: Path | None = STORE_OPTION,
    json: bool = JSON_OPTION,
) -> None:
    """The review's in vivo therapy studies: one row per study arm and reported outcome."""
    from exosci.kb.studies import COLUMNS

    df = get_kb(store).studies(product, ref=ref, axis=axis)
    if json:
        rows = df.astype(object).where(df.notna(), None).to_dict(orient="records")
        emit_json({"columns": list(COLUMNS), "n_rows": len(rows), "rows": rows})
        return
    table = Table(title=f"in vivo outcome evidence ({len(df)} rows, {df['arm'].nunique()} arms)")
    for col in ("ref", "product", "species", "injury", "outcome", "axis", "dir", "figure"):
        table.add_column(col)
    for rec in df.astype(object).where(df.notna(), None).to_dict(orient="records"):
        value, unit = rec["value"], rec["unit"] or ""
        figure = f"{value:g} {unit}".strip() if value is not None else ""
        outcome = str(rec["outcome"])
        if rec["grade"] != "experimental":
            outcome += " [review claim]"
        table.add_row(
            str(rec["ref"]),
            str(rec["product_name"]),
            str(rec["species"]),
            str(rec["injury_model"] if rec["sci"] else rec["condition"]),
            outcome,
            str(rec["axis"]),
            f"{int(rec['direction']):+d}" if rec["direction"] else "0",
            figure,
        )
    console.print(table)


@app.command("build")
@cli_errors
def build_cmd(
    path: Path = typer.Argument(..., help="DuckDB file to write (replaced atomically)."),
    force: bool = FORCE_OPTION,
) -> None:
    """Validate the curated files and write them to a DuckDB store file."""
    from exosci.kb.store import build

    check_outputs({"store": path}, force=force)  # an old store is rebuilt only with --force

    kb = build(path)
    console.print(
        f"built {path}: {kb.stats()['statements']} statements, hash {kb.meta()['content_hash']}"
    )
