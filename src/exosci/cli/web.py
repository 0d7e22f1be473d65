"""`exosci serve`: the web app and REST API."""

from __future__ import annotations

import signal
from pathlib import Path

import typer

from exosci._settings import settings
from exosci.cli._common import cli_errors, console, err_console


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
        help="Access token every request must carry (lab server mode). Visible to every user "
        "in `ps`: prefer EXOSCI_TOKEN or --token-file. Required (one of the three) when --host "
        "is not a loopback address; loopback needs none.",
    ),
    token_file: Path | None = typer.Option(
        None,
        "--token-file",
        help="Read the access token from the first line of this file (also EXOSCI_TOKEN_FILE).",
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
    from exosci.web.auth import check_token

    token, where = _token(token, token_file)
    loopback = host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")
    if not loopback and not token:
        raise UserInputError(
            f"--host {host} serves beyond this machine: give an access token in EXOSCI_TOKEN, "
            "a file named by --token-file, or --token (every request must then carry it; "
            "loopback needs none)."
        )
    if token is not None:
        check_token(token, where=where)
    wildcard = host in ("0.0.0.0", "::", "")
    hosts = [*LOOPBACK_HOSTS, *allow_host, *([] if wildcard else [host])]
    console.print(f"exosci web app on http://{host}:{port}/  (API docs: /docs)")
    if token:
        console.print("lab server mode: sign in at /login with the access token")
    app = create_app(allowed_hosts=hosts, token=token, workers=workers or None)
    # uvicorn re-raises the signal that stopped it once it has shut down: answer SIGTERM with
    # a normal exit (exit handlers run: no leaked semaphores) and Ctrl-C without a traceback
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        # a request still computing gets 2 s after SIGTERM/Ctrl-C; then the workers are ended
        uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=2)
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C after its clean shutdown
        console.print("exosci serve: stopped")
        raise typer.Exit(130) from None


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _token(flag: str | None, file: Path | None) -> tuple[str | None, str]:
    """The access token and where it came from: --token, --token-file, EXOSCI_TOKEN(_FILE)."""
    from exosci.errors import UserInputError
    from exosci.limits import read_capped

    if flag is not None:
        err_console.print(
            "[yellow]warning:[/] --token is visible to every user of this machine in `ps`; "
            "prefer EXOSCI_TOKEN or --token-file.",
            highlight=False,
        )
        return flag, "--token"
    env_file = settings.token_file
    path, where = (file, "--token-file") if file else (env_file, "EXOSCI_TOKEN_FILE")
    if path:
        raw = read_capped(path, what="token file", cap=4096)
        lines = raw.decode("utf-8", "replace").splitlines()
        if not lines or not lines[0].strip():
            raise UserInputError(
                f"{where} {path}: the file is empty; put the token on its first line."
            )
        return lines[0].strip(), f"{where} {path}"
    env = settings.token
    return (env, "EXOSCI_TOKEN") if env is not None else (None, "")
