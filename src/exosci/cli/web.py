"""`exosci serve`: the web app and REST API."""

from __future__ import annotations

import typer

from exosci.cli._common import cli_errors, console


@cli_errors
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to bind (loopback by default)."),
    port: int = typer.Option(8000, help="TCP port."),
) -> None:
    """Serve the web app and REST API (OpenAPI docs at /docs)."""
    from exosci.errors import require

    require("uvicorn", extra="web", feature="exosci serve")
    require("fastapi", extra="web", feature="exosci serve")
    import uvicorn

    from exosci.web import create_app

    console.print(f"exosci web app on http://{host}:{port}/  (API docs: /docs)")
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")
