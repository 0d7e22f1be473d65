"""`exosci explain`, `exosci kb profile` and `exosci kb export`: reasoning over the graph."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import typer
from rich.table import Table
from rich.tree import Tree

from exosci.cli._common import (
    FORCE_OPTION,
    JSON_OPTION,
    check_outputs,
    cli_errors,
    console,
    emit_json,
)
from exosci.cli.kb import STORE_OPTION, get_kb, grade_label
from exosci.cli.kb import app as kb_app
from exosci.errors import UnknownNameError, UserInputError
from exosci.limits import MAX_PATH_LENGTH, MAX_TOP

if TYPE_CHECKING:
    from exosci.reason.explain import ExplainResult

_ARROW = {1: "[green]↑ increases[/]", -1: "[red]↓ decreases[/]"}
_EDGE = {1: "[green]+[/]", -1: "[red]−[/]"}


def _chain(path: dict[str, Any]) -> str:
    """The path's nodes joined by → (the step keeps the sign) or ⊣ (the step inhibits)."""
    text = path["nodes"][0] if path["nodes"] else ""
    for e in path["edges"]:
        text += (" → " if e["sign"] > 0 else " ⊣ ") + e["target"]
    return text


def _explain_tree(res: ExplainResult) -> Tree:
    doc = res.to_dict()
    root = Tree(f"[bold]{doc['subject']}[/] → [bold]{doc['object']}[/]: {doc['result']}")
    for i, path in enumerate(doc["paths"], start=1):
        notes = []
        if path["observed_for"]:
            notes.append(f"[cyan]observed for {path['observed_for']}[/]")
        if path["reached"]:
            notes.append(f"[cyan]reaches {path['reached']}, a kind/part of {doc['object']}[/]")
        if path["mixed_context"]:
            notes.append("[yellow]mixes contexts: " + " ≠ ".join(path["contexts"]) + "[/]")
        elif path["context_status"] == "unverified":
            notes.append(
                f"[yellow]context unverified: {path['unknown_context_steps']} step(s) name no "
                "cell type, joining different studies[/]"
                + (" (" + ", ".join(path["contexts"]) + ")" if path["contexts"] else "")
            )
        elif path["contexts"]:
            notes.append("[dim]context: " + ", ".join(path["contexts"]) + "[/]")
        cert = f"certainty {path['certainty']}" + (
            " · in vivo throughout" if path["in_vivo"] else ""
        )
        if path["certainty_reasons"]:
            cert += " (" + "; ".join(path["certainty_reasons"][:3]) + ")"
        notes.append(f"[magenta]{cert}[/]")
        branch = root.add(
            f"#{i} {_ARROW[path['sign']]}  score {path['score']:.3f}   "
            + _chain(path)
            + ("\n   " + " · ".join(notes) if notes else "")
        )
        for e in path["edges"]:
            cited = [f"refs {', '.join(str(n) for n in e['refs'])}"] if e["refs"] else []
            if e.get("papers"):  # papers beyond the review's numbered list
                cited.append("papers " + ", ".join(e["papers"]))
            dois = "; ".join(e["dois"][:3]) + (" …" if len(e["dois"]) > 3 else "")
            branch.add(
                f"{e['source']} [italic]{e['predicate']}[/] ({_EDGE[e['sign']]}) {e['target']}"
                f"  [dim]{' · '.join(cited)} · {'/'.join(e['models'])} · {'/'.join(e['species'])}"
                f" · {'/'.join(e['injury_models'])}"
                + (f" · with {', '.join(e['co_therapy'])}" if e["co_therapy"] else "")
                + (f" · doi {dois}" if dois else "")
                + f" · certainty {e['certainty']}"
                + "[/]"
                + grade_label(e.get("grades", []))
            )
    return root


@cli_errors
def explain(
    subject: str = typer.Argument(
        ..., help="Cell source, exosome product, cargo, drug or material."
    ),
    to: str = typer.Option(
        ..., "--to", help="Target, pathway, process, mechanism or 'functional recovery'."
    ),
    max_length: int = typer.Option(
        6, "--max-length", min=1, max=MAX_PATH_LENGTH, help="Longest path in edges (1-12)."
    ),
    sign: str | None = typer.Option(
        None, "--sign", help="Only paths that push the object 'up' or 'down'."
    ),
    limit: int = typer.Option(10, "--limit", min=1, max=MAX_TOP, help="Most paths to show."),
    context: str = typer.Option(
        "strict",
        "--context",
        help="'strict': never join steps observed in incompatible cell types/tissues; "
        "'loose': join them and flag each mixed path.",
    ),
    store: Path | None = STORE_OPTION,
    json: bool = JSON_OPTION,
) -> None:
    """How SUBJECT acts on OBJECT: signed causal paths, ranked by evidence, with citations.

    Evidence observed for more specific entities (BMSC exosomes for 'MSC exosomes') is
    gathered upward and labelled with the entity it was observed for.
    """
    from exosci.reason.context import ContextMode
    from exosci.reason.explain import Direction
    from exosci.reason.explain import explain as explain_query

    if sign not in (None, "up", "down"):
        raise UserInputError(f"--sign must be 'up' or 'down', got {sign!r}")
    if context not in ("strict", "loose"):
        raise UserInputError(f"--context must be 'strict' or 'loose', got {context!r}")
    res = explain_query(
        get_kb(store),
        subject,
        to,
        max_length=max_length,
        sign=cast(Direction | None, sign),
        limit=limit,
        context=cast(ContextMode, context),
    )
    if res.result in ("SUBJECT_NOT_FOUND", "OBJECT_NOT_FOUND"):
        which = "subject" if res.result == "SUBJECT_NOT_FOUND" else "object"
        query = subject if which == "subject" else to
        if res.message and "names a chain" in res.message:
            raise UserInputError(res.message)
        raise UnknownNameError(query, which, list(res.suggestions))
    if json:
        emit_json(res.to_dict())
        return
    console.print(_explain_tree(res))
    if res.excluded_mixed:
        console.print(
            f"[dim]{res.excluded_mixed} further path(s) join steps observed in incompatible "
            "cell types/tissues and are left out; --context loose shows them, flagged.[/]"
        )
    if res.result == "MAX_PATH_LENGTH_EXCEEDED":
        console.print(
            f"The shortest signed path has {res.shortest_length} edges; "
            f"try --max-length {res.shortest_length}."
        )
    elif res.result == "NO_PATHS_FOUND":
        console.print("No causal chain in the knowledge graph links these two.")


@kb_app.command("profile")
@cli_errors
def profile(
    name: str = typer.Argument(..., help="Cell source, exosome product, cargo or drug."),
    max_length: int = typer.Option(
        6, "--max-length", min=1, max=MAX_PATH_LENGTH, help="Longest path in edges (1-12)."
    ),
    store: Path | None = STORE_OPTION,
    json: bool = JSON_OPTION,
) -> None:
    """Coverage of the five repair mechanisms: which, how strongly, by which evidence."""
    from exosci.reason.profile import AXES, profile_of

    ent, prof = profile_of(get_kb(store), name, max_length=max_length)
    doc: dict[str, Any] = {"id": ent.id, "name": ent.name, "type": ent.type, **prof.to_dict()}
    if json:
        emit_json(doc)
        return
    table = Table(title=f"mechanism profile of {ent.name} ({ent.type.replace('_', ' ')})")
    for col in ("mechanism", "score", "n (+/−)", "confidence", "best for (↑) / against (↓)"):
        table.add_column(col)
    for axis in AXES:
        ax = doc["axes"][axis]
        lines = []
        for key, mark in (("best_supporting", "↑"), ("best_opposing", "↓")):
            ev = ax[key]
            if ev:
                note = f"studies {', '.join(map(str, ev['studies']))}"
                if ev["gathered"]:
                    note += f"; for {ev['observed_for_name']}"
                if ev["indirect"]:
                    note += "; indirect"
                if ev["grade"] != "experimental":
                    note += f"; {ev['grade'].replace('_', ' ')}"
                if ev.get("co_therapy"):
                    note += f"; with {', '.join(ev['co_therapy'])}"
                note += f"; certainty {ev['certainty']}"
                lines.append(f"{mark} {' → '.join(ev['path'])} ({note})")
        table.add_row(
            axis.replace("_", " "),
            f"{ax['score']:.2f}",
            f"{ax['n_support']}/{ax['n_oppose']}",
            ax["confidence"] + "".join(f"\n[dim]- {r}[/]" for r in ax["confidence_reasons"]),
            "\n".join(lines) or "-",
        )
    console.print(table)
    if doc["gathered_from"]:
        console.print(
            f"[dim]Includes evidence observed for {len(doc['gathered_from'])} more specific "
            f"product(s): {', '.join(doc['gathered_from'])}.[/]"
        )
    console.print(
        "[dim]score = net/(net+1); net = independent studies for minus against, weighted by "
        "grade (in vivo 1, in vitro 0.5, review claim 0.3, curator inference 0.15), species and "
        "injury model (non-SCI x0.5); ↓ marks evidence against the mechanism. Certainty is "
        "GRADE's (Hooijmans et al. 2018): a chain is as certain as its weakest link; an axis "
        "starts at its best chain and is rated down for inconsistency and imprecision. See "
        "docs/profile.md.[/]"
    )


@kb_app.command("export")
@cli_errors
def export(
    format: str = typer.Option(
        ..., "--format", "-f", help="One of: graphml, cx2, indra-json, csv."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="File to write (default: stdout)."
    ),
    store: Path | None = STORE_OPTION,
    force: bool = FORCE_OPTION,
    json: bool = JSON_OPTION,
) -> None:
    """Export the knowledge graph as GraphML, Cytoscape CX2, INDRA statement JSON or CSV."""
    from exosci.kb.export import EXPORTERS, ExportFormat, export_graph

    check_outputs({"-o": output}, inputs=[store], force=force)
    EXPORTERS.get(format)  # an unknown format fails here, with the known and closest ones
    kb = get_kb(store)
    text = export_graph(kb.curated, format=cast(ExportFormat, format))
    if output is None:
        if json and format not in ("cx2", "indra-json"):
            emit_json({"format": format, "content": text})
        else:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    output.write_text(text, encoding="utf-8")
    doc = {
        "format": format,
        "path": str(output),
        "bytes": len(text.encode("utf-8")),
        "entities": len(kb.curated.entities),
        "statements": len(kb.curated.statements),
    }
    if json:
        emit_json(doc)
    else:
        console.print(
            f"wrote {output} ({EXPORTERS[format].description}): {doc['entities']} entities, "
            f"{doc['statements']} statements"
        )
