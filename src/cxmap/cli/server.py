"""`cxmap serve` (the web app and API of a workspace), `cxmap user add` and `cxmap token create`."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import typer

from cxmap.cli.output import echo, reporting
from cxmap.errors import CxmapError
from cxmap.service.inputs import WORKSPACE_VARIABLE
from cxmap.workspace import open_workspace

WORKSPACE = typer.Argument(..., help="The workspace folder.")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _listen(host: str, port: int) -> socket.socket:
    """Bind the port and listen before saying where we serve (a taken port is one clear line, not a traceback;
    a request sent while the app still loads waits in the queue instead of being refused)."""
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(info[0], socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms wait for a delayed ACK
        sock.bind(info[4])
        sock.listen(2048)
    except OSError as exc:
        raise CxmapError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def serve(
    workspace: Path = WORKSPACE,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every interface)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on (0: any free port).", min=0, max=65535),
) -> None:
    """Serve the web app and the JSON API of a workspace; prints the URL. The first start creates the
    user `admin` and prints its password once."""
    import uvicorn  # the web stack loads only for this command

    from cxmap.service.users import AuthStore

    with reporting():
        ws = open_workspace(workspace)
        store = AuthStore(ws.root)
        first_password = None if store.has_users() else store.add_user("admin", "admin")
        sock = _listen(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    if first_password:
        echo(f"first start: created the user admin with the one-time password: {first_password}")
        echo("  it is shown only this once; add people with `cxmap user add`, tokens with `cxmap token create`")
    if host not in LOOPBACK:
        echo(f"note: listening on {host}, not only this machine; put it behind HTTPS before people sign in")
    echo(f"serving {ws.root} at http://{shown}:{bound}/ (API: http://{shown}:{bound}/api/; Ctrl+C stops)")
    sys.stdout.flush()
    # The web face is started by name, as any ASGI server would start it: the command line never imports it.
    os.environ[WORKSPACE_VARIABLE] = str(ws.root)
    app = "cxmap.web.app:from_environment"
    config = uvicorn.Config(app, factory=True, log_level="warning", access_log=False, server_header=False)
    uvicorn.Server(config).run(sockets=[sock])


EXAMPLES = {"serve": "Example: cxmap serve acme/ --host 127.0.0.1 --port 8000"}
