"""`exosci cargo ...`: what a vesicle's miRNAs target and which repair mechanisms they hit."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from exosci.cli._common import (
    FORCE_OPTION,
    JSON_OPTION,
    check_outputs,
    cli_errors,
    console,
    emit_json,
    finite_option,
)
from exosci.limits import (
    MAX_MIRNAS,
    MAX_MIRNAS_CEILING,
    MAX_PERMUTATIONS,
    MAX_SEED,
    MAX_SET_SIZE,
    MAX_TOP,
    check_file_size,
    check_names,
)

app = typer.Typer(help="miRNA cargo: targets and gene-set enrichment.", no_args_is_help=True)


@app.command("enrich")
@cli_errors
def enrich_cmd(
    file: Path = typer.Argument(..., help="miRNA list (one a line) or count table (CSV/TSV)."),
    species: str | None = typer.Option(
        None, "--species", help="rat | mouse | human (default: from name prefixes, else human)."
    ),
    targets: list[str] = typer.Option(
        [],
        "--targets",
        help="Fetched resource name (mirtarbase, targetscan; see `exosci data list`) or a "
        "miRTarBase / TargetScan / mirna,gene file; repeatable.",
    ),
    genesets: list[str] = typer.Option(
        [],
        "--genesets",
        help="Fetched resource name (reactome, msigdb-hallmark) or a GMT file; repeatable "
        "(default: the five repair mechanisms).",
    ),
    universe: Path | None = typer.Option(
        None, "--universe", help="Background genes, one a line (default: see --universe-kind)."
    ),
    universe_kind: str = typer.Option(
        "targets", "--universe-kind", help="targets (genes with a target row) | annotated."
    ),
    store: Path | None = typer.Option(
        None, "--store", help="Store with imported targets/gene sets (`exosci kb import`)."
    ),
    mature_fa: Path | None = typer.Option(
        None,
        "--mature-fa",
        help="miRBase mature.fa file, or `mirbase` once fetched (default: the shipped "
        "miRBase 22.1 name table for human, mouse and rat).",
    ),
    aliases: Path | None = typer.Option(None, "--aliases", help="miRBase aliases.txt."),
    method: str = typer.Option("ora", "--method", help="ora | weighted (count tables)."),
    match: str = typer.Option(
        "orthologs", "--match", help="orthologs (use human/mouse/rat targets) | strict."
    ),
    mechanisms: bool = typer.Option(
        False, "--mechanisms", help="Add the repair-mechanism sets to the GMT sets."
    ),
    support: list[str] = typer.Option(
        [],
        "--support",
        help="Target evidence kept, repeatable: functional | weak | non-functional | predicted "
        "| curated (default: all but non-functional; `--support functional` = functional "
        "MTIs only). User mirna,gene rows are always kept.",
    ),
    experiment: list[str] = typer.Option(
        [],
        "--experiment",
        help="Keep miRTarBase rows whose experiments name this (case-insensitive, e.g. "
        "luciferase, 'western blot'); repeatable (any). Other evidence untouched.",
    ),
    max_context_score: float | None = typer.Option(
        None,
        "--max-context-score",
        callback=finite_option(lo=-100, hi=100),
        help="Keep TargetScan pairs with total context++ score <= this (e.g. -0.2; more "
        "negative is stronger). Other evidence untouched.",
    ),
    min_size: int | None = typer.Option(
        None,
        "--min-size",
        min=1,
        max=MAX_SET_SIZE,
        help="Smallest set tested, in universe (default 5; 1 for mechanisms).",
    ),
    max_size: int = typer.Option(
        2000, "--max-size", min=1, max=MAX_SET_SIZE, help="Largest set tested (in universe)."
    ),
    min_cpm: float = typer.Option(
        10.0,
        "--min-cpm",
        callback=finite_option(lo=0, hi=1e6),
        help="Presence threshold for counts (0 to 1e6).",
    ),
    permutations: int = typer.Option(
        1000,
        "--permutations",
        min=0,
        max=MAX_PERMUTATIONS,
        help=f"Permutations (0 to {MAX_PERMUTATIONS}): weighted p-values from gene "
        "permutations (0 = normal approximation, anti-conservative); ORA on a whole-profile "
        "query adds an empirical null from this many random miRNA sets.",
    ),
    accept_unlisted: bool = typer.Option(
        False,
        "--accept-unlisted-names",
        help="Also keep well-formed miRNA names miRBase does not list (each is flagged).",
    ),
    seed: int = typer.Option(0, "--seed", min=0, max=MAX_SEED, help="Seed for permutations."),
    top: int = typer.Option(
        20, "--top", min=1, max=MAX_TOP, help="Rows to show (and to put in the JSON)."
    ),
    plot: Path | None = typer.Option(None, "--plot", help="Write a dot plot PNG here."),
    mode: str = typer.Option(
        "genes-union",
        "--mode",
        help="genes-union (one ORA on all targets) | pathways-union (per-miRNA ORAs, Fisher) "
        "| pathways-intersection (per-miRNA ORAs, largest p): miRPath's three modes.",
    ),
    plot_heatmap: Path | None = typer.Option(
        None, "--plot-heatmap", help="Write a miRNA x pathway heatmap PNG (per-miRNA ORA)."
    ),
    max_names: int = typer.Option(
        MAX_MIRNAS,
        "--max-names",
        min=1,
        max=MAX_MIRNAS_CEILING,
        help=f"Most miRNA names (rows) accepted; default the web API's cap ({MAX_MIRNAS}).",
    ),
    force: bool = FORCE_OPTION,
    json: bool = JSON_OPTION,
) -> None:
    """Gene-set enrichment of the targets of a miRNA list or small-RNA-seq count table."""
    from exosci.cargo.pipeline import run_enrich
    from exosci.cargo.plot import plot_enrichment
    from exosci.errors import UserInputError

    for opt, value, allowed in (
        ("--method", method, ("ora", "weighted")),
        ("--match", match, ("orthologs", "strict")),
        ("--universe-kind", universe_kind, ("targets", "annotated")),
        ("--species", species or "human", ("rat", "mouse", "human")),
        *(
            ("--support", lvl, ("functional", "weak", "non-functional", "predicted", "curated"))
            for lvl in support
        ),
    ):
        if value not in allowed:
            raise UserInputError(f"{opt} {value!r}: expected one of {', '.join(allowed)}")
    check_file_size(file, what="miRNA list or count table")
    from exosci.cargo.inputs import read_mirnas

    mirnas = read_mirnas(file)
    check_names(mirnas.names, mirnas.lines, source=str(file), cap=max_names, flag="--max-names")
    if store is not None:
        from exosci.kb.store import check_store

        check_store(store, schema=False)  # kb stores and `exosci data` prepared files
    named = [Path(t) for t in (*targets, *genesets)]  # resource names or files
    check_outputs(
        {"--plot": plot, "--plot-heatmap": plot_heatmap},
        inputs=[file, universe, store, mature_fa, aliases, *named],
        force=force,
    )
    result, per_sample = run_enrich(
        mirnas,
        species=species,
        targets=targets,
        genesets=genesets,
        universe=universe,
        universe_kind=universe_kind,  # type: ignore[arg-type]
        store=store,
        mature_fa=mature_fa,
        aliases=aliases,
        method=method,  # type: ignore[arg-type]
        match=match,  # type: ignore[arg-type]
        mechanisms=mechanisms,
        min_size=min_size,
        max_size=max_size,
        min_cpm=min_cpm,
        n_perm=permutations,
        seed=seed,
        accept_by_rule=accept_unlisted,
        **({"support": support} if support else {}),  # type: ignore[arg-type]
        experiments=experiment,
        max_context_score=max_context_score,
        mode=mode,
        per_mirna=plot_heatmap is not None,
    )
    if plot_heatmap is not None and result.per_mirna is not None:
        from exosci.cargo.plot import plot_heatmap as draw_heatmap

        draw_heatmap(result.per_mirna, plot_heatmap, title=f"{file.name}: miRNA x pathway")
    if plot is not None:
        plot_enrichment(result.table, plot, title=f"{file.name}: miRNA target enrichment")
    doc = result.to_dict(top=top)
    if per_sample is not None:
        doc["per_sample"] = per_sample.to_dict("records")
    if plot is not None:
        doc["plot"] = str(plot)
    if plot_heatmap is not None:
        doc["plot_heatmap"] = str(plot_heatmap)
    if json:
        emit_json(doc)
        return
    _render(doc)


def _render(doc: dict) -> None:  # type: ignore[type-arg]
    mir = doc["mirnas"]
    console.print(
        f"[bold]{len(mir['recognized'])}[/] miRNA(s) recognised ({mir['species']}), "
        f"{len(mir['unrecognized'])} not; reference: {mir['reference']}"
    )
    for u in mir["unrecognized"]:
        console.print(
            f"  [yellow]not recognised[/] {u['name']!r}; closest: {', '.join(u['suggestions'])}"
        )
    for note in doc["notes"]:
        if note.startswith("WARNING") or "naming rule only" in note:
            console.print(f"[yellow]{note}[/]")
    for r in doc.get("resources", []):
        console.print(
            f"resource: [bold]{r['name']}[/] release {r['release']} "
            f"(sha256 {str(r['sha256'])[:12]}..., fetched {r.get('fetched_at')})",
            highlight=False,
        )
    gs = doc.get("gene_sets")
    if gs:
        line = f"gene sets: {gs['given']} given, [bold]{gs['tested']} tested[/]"
        skipped = gs["skipped_too_small"] + gs["skipped_too_large"]
        if skipped:
            line += (
                f", {skipped} skipped by size ({gs['skipped_too_small']} with fewer than "
                f"{gs['min_size']} universe genes, {gs['skipped_too_large']} with more than "
                f"{gs['max_size']}; --min-size/--max-size change this)"
            )
        console.print(line, highlight=False)
    u = doc["universe"]
    console.print(
        f"universe: {u['size']} genes ({u['kind']}: {u['description']}); "
        f"{doc['query_genes']} target genes; {doc['sets_tested']} sets tested; {doc['statistic']}"
    )
    title = "tested gene sets with at least one target gene, best first"
    if not doc["results"]:
        console.print("[yellow]no tested gene set contains a target gene[/]")
    table = Table(title=title)
    for col in ("set", "size", "overlap", "p", "q", "genes"):
        table.add_column(col, justify="right" if col in ("size", "overlap", "p", "q") else "left")
    for r in doc["results"]:
        genes = ", ".join(r["genes"][:8]) + (" ..." if len(r["genes"]) > 8 else "")
        table.add_row(
            r["set"],
            str(r["size"]),
            str(r["overlap"]),
            f"{r['pvalue']:.2e}",
            f"{r['qvalue']:.2e}",
            genes,
        )
    console.print(table)
    for note in doc["notes"]:
        console.print(f"[dim]note: {note}[/]")
    if doc.get("plot"):
        console.print(f"plot written to {doc['plot']}")


@app.command("mirset")
@cli_errors
def mirset_cmd(
    file: Path = typer.Argument(..., help="miRNA list (one a line) or count table (CSV/TSV)."),
    sets: list[str] = typer.Option(
        [],
        "--sets",
        help="`families` (miRBase stem families) or a GMT file of miRNA names; repeatable "
        "(default: families).",
    ),
    universe: Path | None = typer.Option(
        None,
        "--universe",
        help="Background miRNAs, one a line (default: the table's miRNAs for counts, else all "
        "miRBase mature miRNAs of the species).",
    ),
    species: str | None = typer.Option(None, "--species", help="rat | mouse | human."),
    min_cpm: float = typer.Option(
        10.0, "--min-cpm", callback=finite_option(lo=0, hi=1e6), help="Presence threshold."
    ),
    min_size: int = typer.Option(2, "--min-size", min=1, max=MAX_SET_SIZE, help="Smallest set."),
    max_size: int = typer.Option(500, "--max-size", min=1, max=MAX_SET_SIZE, help="Largest set."),
    top: int = typer.Option(20, "--top", min=1, max=MAX_TOP, help="Rows to show."),
    max_names: int = typer.Option(
        MAX_MIRNAS, "--max-names", min=1, max=MAX_MIRNAS_CEILING, help="Most names accepted."
    ),
    json: bool = JSON_OPTION,
) -> None:
    """miRNA-level enrichment (miEAA-style ORA) over miRBase families or your miRNA sets."""
    from exosci.cargo.inputs import read_mirnas
    from exosci.cargo.mirsets import enrich_mirnas
    from exosci.errors import UserInputError

    if species is not None and species not in ("rat", "mouse", "human"):
        raise UserInputError(f"--species {species!r}: expected one of rat, mouse, human")
    check_file_size(file, what="miRNA list or count table")
    mirnas = read_mirnas(file)
    check_names(mirnas.names, mirnas.lines, source=str(file), cap=max_names, flag="--max-names")
    res = enrich_mirnas(
        mirnas,
        sets=sets or ["families"],
        universe=universe,
        species=species,
        min_cpm=min_cpm,
        min_size=min_size,
        max_size=max_size,
    )
    doc = res.to_dict(top=top)
    if json:
        emit_json(doc)
        return
    mir = res.mirnas
    console.print(
        f"[bold]{len(mir.recognized)}[/] miRNA(s) recognised ({mir.species}), "
        f"{len(mir.unrecognized)} not; universe {res.universe_size} miRNAs "
        f"({res.universe_description}); query {res.query_size}; "
        f"{len(res.table)} of {res.sets_given} sets tested",
        highlight=False,
    )
    table = Table(title="miRNA sets, best first (one-sided hypergeometric, BH q)")
    for col in ("set", "size", "overlap", "p", "q", "miRNAs"):
        table.add_column(col, justify="left" if col in ("set", "miRNAs") else "right")
    for r in doc["results"]:  # type: ignore[attr-defined]
        mem = ", ".join(r["mirnas"][:6]) + (" ..." if len(r["mirnas"]) > 6 else "")
        table.add_row(
            r["set"],
            str(r["size"]),
            str(r["overlap"]),
            f"{r['pvalue']:.2e}",
            f"{r['qvalue']:.2e}",
            mem,
        )
    console.print(table)
    for note in res.notes:
        console.print(f"[dim]note: {note}[/]")
