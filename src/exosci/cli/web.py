"""`exosci serve`: the web app and REST API."""

from __future__ import annotations

import typer

from exosci.cli._common import cli_errors, console


@cli_errors
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to bind (loopback by default)."),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
    allow_host: list[str] = typer.Option(
        [],
        "--allow-host",
        help="Also answer requests whose Host header is this name (repeatable); by default "
        "only localhost/127.0.0.1/::1 and --host are answered, which defeats DNS rebinding.",
    ),
) -> None:
    """Serve the web app and REST API (OpenAPI docs at /docs)."""
    from exosci.errors import require

    require("uvicorn", extra="web", feature="exosci serve")
    require("fastapi", extra="web", feature="exosci serve")
    import uvicorn

    from exosci.web import create_app
    from exosci.web.app import LOOPBACK_HOSTS

    wildcard = host in ("0.0.0.0", "::", "")
    hosts = [*LOOPBACK_HOSTS, *allow_host, *([] if wildcard else [host])]
    console.print(f"exosci web app on http://{host}:{port}/  (API docs: /docs)")
    uvicorn.run(create_app(allowed_hosts=hosts), host=host, port=port, log_level="warning")
