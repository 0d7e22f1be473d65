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
    token: str | None = typer.Option(
        None,
        "--token",
        envvar="EXOSCI_TOKEN",
        help="Access token every request must carry (lab server mode; also EXOSCI_TOKEN). "
        "Required when --host is not a loopback address; loopback needs none.",
    ),
    workers: int = typer.Option(
        0, "--workers", min=0, max=64, help="Background-run worker processes (0: automatic)."
    ),
) -> None:
    """Serve the web app and REST API (OpenAPI docs at /docs).

    Runs and saved designs are kept in <data folder>/web/exosci-runs.sqlite (EXOSCI_DATA_DIR).
    """
    from exosci.errors import require

    require("uvicorn", extra="web", feature="exosci serve")
    require("fastapi", extra="web", feature="exosci serve")
    import uvicorn

    from exosci.errors import UserInputError
    from exosci.web import create_app
    from exosci.web.app import LOOPBACK_HOSTS

    loopback = host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")
    if not loopback and not token:
        raise UserInputError(
            f"--host {host} serves beyond this machine: give an access token with --token "
            "or EXOSCI_TOKEN (every request must then carry it; loopback needs none)."
        )
    if token is not None and len(token) < 12:
        raise UserInputError("--token: use at least 12 characters (e.g. `openssl rand -hex 16`).")
    wildcard = host in ("0.0.0.0", "::", "")
    hosts = [*LOOPBACK_HOSTS, *allow_host, *([] if wildcard else [host])]
    console.print(f"exosci web app on http://{host}:{port}/  (API docs: /docs)")
    if token:
        console.print("lab server mode: sign in at /login with the access token")
    app = create_app(allowed_hosts=hosts, token=token, workers=workers or None)
    uvicorn.run(app, host=host, port=port, log_level="warning")
