"""`cxmap user` and `cxmap token`: the people who sign in to the web app and the machines that call its API.

Every change counts on the next request of a running server: sessions and tokens are checked against
the workspace's `.cxmap/auth.sqlite` on each request.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from cxmap.cli.output import JSON_OPTION, echo, emit_json, reporting
from cxmap.errors import UsageError
from cxmap.service.users import TOKEN_DAYS, AuthStore
from cxmap.workspace import open_workspace

WORKSPACE = typer.Argument(..., help="The workspace folder.")
ROLE = typer.Option(..., "--role", help="viewer (reads), editor (maps and ideas) or admin (users, tokens, ingest).")

user_app = typer.Typer(help="People who sign in to the web app.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for machines (Authorization: Bearer ...).", no_args_is_help=True)


def _store(workspace: Path) -> AuthStore:
    return AuthStore(open_workspace(workspace).root)


def _listing(rows: list[dict[str, Any]], as_json: bool, line: Callable[[dict[str, Any]], str], none: str) -> None:
    """A list as JSON, or a line a row (`none` when there are no rows)."""
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        echo(line(r))
    if not rows:
        echo(none)


@user_app.command("add", epilog="Example: cxmap user add acme/ ana --role editor")
def user_add(
    workspace: Path = WORKSPACE,
    name: str = typer.Argument(..., help="The user name people sign in with."),
    role: str = ROLE,
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input instead of generating one."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a person who signs in to the web app; prints the generated password once."""
    with reporting(as_json):
        store = _store(workspace)
        given = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
        if password_stdin and not given:
            raise UsageError("--password-stdin: no password on standard input")
        password = store.add_user(name, role, given)
    if as_json:
        emit_json({"user": name, "role": role, **({} if given else {"password": password})})
    elif given:
        echo(f"added {name} ({role})")
    else:
        echo(f"added {name} ({role}) with the password: {password}")
        echo("  it is shown only this once; pass it on to them safely")


@user_app.command("list", epilog="Example: cxmap user list acme/")
def user_list(workspace: Path = WORKSPACE, as_json: bool = JSON_OPTION) -> None:
    """Every person who may sign in, with their role."""
    with reporting(as_json):
        rows = _store(workspace).users()
    _listing(rows, as_json, lambda r: f"{r['user']}  {r['role']}  (added {r['created_at'][:10]})", "no users yet")


@user_app.command("set-role", epilog="Example: cxmap user set-role acme/ ana --role viewer")
def user_set_role(
    workspace: Path = WORKSPACE,
    name: str = typer.Argument(..., help="The user."),
    role: str = ROLE,
    as_json: bool = JSON_OPTION,
) -> None:
    """Change a person's role; it counts on their next request, signed in or not."""
    with reporting(as_json):
        _store(workspace).set_role(name, role)
    if as_json:
        emit_json({"user": name, "role": role})
    else:
        echo(f"{name} is now {role}")


@user_app.command("remove", epilog="Example: cxmap user remove acme/ ana")
def user_remove(
    workspace: Path = WORKSPACE, name: str = typer.Argument(..., help="The user."), as_json: bool = JSON_OPTION
) -> None:
    """Remove a person: they are signed out everywhere at once."""
    with reporting(as_json):
        _store(workspace).remove_user(name)
    if as_json:
        emit_json({"user": name, "removed": True})
    else:
        echo(f"removed {name}; their sessions have ended")


@token_app.command("create", epilog="Example: cxmap token create acme/ crm-sync --role admin --days 90")
def token_create(
    workspace: Path = WORKSPACE,
    name: str = typer.Argument(..., help="What the token is for (a name to recognise it by)."),
    role: str = ROLE,
    days: int = typer.Option(TOKEN_DAYS, "--days", help="How long the token lasts.", min=1, max=3650),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create an API token for a machine; prints it once (only its SHA-256 is kept)."""
    with reporting(as_json):
        token = _store(workspace).create_token(name, role, days)
    if as_json:
        emit_json({"name": name, "role": role, "days": days, "token": token})
    else:
        echo(token)
        echo(
            f"  API token '{name}' ({role}, {days} days), shown only this once; send it as: "
            "Authorization: Bearer TOKEN",
            err=True,
        )


@token_app.command("list", epilog="Example: cxmap token list acme/")
def token_list(workspace: Path = WORKSPACE, as_json: bool = JSON_OPTION) -> None:
    """Every API token's name, role and expiry (never the token itself)."""
    with reporting(as_json):
        rows = _store(workspace).tokens()

    def line(r: dict[str, Any]) -> str:
        return f"{r['name']}  {r['role']}  (created {r['created_at'][:10]}, expires {r['expires_at'][:10]})"

    _listing(rows, as_json, line, "no API tokens")


@token_app.command("revoke", epilog="Example: cxmap token revoke acme/ crm-sync")
def token_revoke(
    workspace: Path = WORKSPACE,
    name: str = typer.Argument(..., help="The token's name: every token of that name is revoked."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Revoke API tokens by name; the next request with them is refused."""
    with reporting(as_json):
        count = _store(workspace).revoke_token(name)
    if as_json:
        emit_json({"name": name, "revoked": count})
    else:
        echo(f"revoked {count} token{'s' if count != 1 else ''} named '{name}'")
