"""Operating commands: accounts, account, customer, gate, alerts, milestones, verify."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from cxmap.cli.output import ENGINE_OPTION, JSON_OPTION, echo, emit_json, pluralise, reporting
from cxmap.service.answers import answer_json
from cxmap.service.inputs import day, workspace_for

WORKSPACE = typer.Argument(..., help="The workspace folder.")
AS_OF = typer.Option(None, "--as-of", help="Answer as of the end of this day (YYYY-MM-DD); default: latest event.")
MAP = typer.Option(None, "--map", "-m", help="Map id (in the workspace's maps/) or map file.")


def _ctx(workspace: Path, as_of: str | None, map_id: str | None = None, engine: str | None = None) -> Any:
    from cxmap.service.accounts import context  # the engine loads only for commands that need it

    return context(workspace_for(workspace, engine), day(as_of, "as_of"), map_id)


def _total(rows: list[Any], noun: str, ctx: Any) -> str:
    """A list's last line: how many, and the day they are as of (the list alone does not say it)."""
    return f"{pluralise(len(rows), noun)} as of {ctx.as_of.day}"


def _grade(value: float | None) -> str:
    return "  n/a " if value is None else f"{value:4.1f}/10"


def accounts_cmd(
    workspace: Path = WORKSPACE,
    as_of: str | None = AS_OF,
    worst: int | None = typer.Option(None, "--worst", help="Only the N worst accounts.", min=1),
    policy: str | None = typer.Option(None, "--policy", help="worst (default), mean or weighted."),
    engine: str | None = ENGINE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Every account's experience, worst first: an account is only as happy as its worst contact."""
    from cxmap.service.accounts import accounts

    with reporting(as_json):
        ctx = _ctx(workspace, as_of, engine=engine)
        rows = answer_json(accounts(ctx, worst, policy))
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        echo(
            f"{_grade(r['experience'])}  {r['account_id']}  {r['name'] or ''}  (set by {r['set_by'] or '-'}; "
            f"{pluralise(r['contacts'], 'contact')}, {pluralise(r['open_alerts'], 'open alert')})"
        )
    echo(_total(rows, "account", ctx))


def account_cmd(
    workspace: Path = WORKSPACE,
    account_id: str = typer.Argument(..., help="The account id."),
    as_of: str | None = AS_OF,
    map_id: str | None = MAP,
    engine: str | None = ENGINE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """One account: each contact's experience and gating answer, open alerts, milestones, timeline."""
    from cxmap.service.accounts import account

    with reporting(as_json):
        ctx = _ctx(workspace, as_of, map_id, engine=engine)
        info = answer_json(account(ctx, account_id))
    if as_json:
        emit_json(info)
        return
    echo(
        f"{info['account_id']} {info['name'] or ''}: {_grade(info['experience'])} (policy {info['policy']}, "
        f"set by {info['set_by'] or '-'}), as of {ctx.as_of.day}"
    )
    for c in info["contacts"]:
        allowed = c.get("gate", {}).get("allowed")
        echo(
            f"  {c['customer_id']:<12} {c['role'] or '':<12} {_grade(c['experience'])}  review: "
            f"{'allowed' if allowed else 'not now'}"
        )
    for a in info["alerts"]:
        echo(
            f"  open alert: {a['customer_id']} {a['emotion']:.1f}/10 at {a['touchpoint']} on {a['at'][:10]}, "
            f"{pluralise(a['days_open'], 'day')}{' (overdue)' if a['overdue'] else ''}"
        )
    for m in info.get("milestones", []):
        echo(f"  milestone {m['milestone']}: {m['status']} (due {m['due']})")
    echo(f"  {pluralise(len(info['events']), 'event')}; add --json for the timeline")


def customer_cmd(
    workspace: Path = WORKSPACE,
    customer_id: str = typer.Argument(..., help="The customer (contact) id."),
    as_of: str | None = AS_OF,
    map_id: str | None = MAP,
    engine: str | None = ENGINE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """One person's journey: events oldest first, the emotion line, and where they are on the map."""
    from cxmap.service.accounts import customer

    with reporting(as_json):
        ctx = _ctx(workspace, as_of, map_id, engine=engine)
        info = answer_json(customer(ctx, customer_id))
    if as_json:
        emit_json(info)
        return
    echo(
        f"{info['customer_id']} (account {info['account_id'] or '-'}, {info['role'] or 'no role'}): "
        f"{_grade(info['experience'])} as of {ctx.as_of.day}"
    )
    for e in info["events"]:
        emotion = f"{e['emotion']:4.1f}" if e["emotion"] is not None else "   -"
        echo(f"  {e['at'][:16]}  {emotion}  {e['touchpoint_name']}" + (f'  "{e["comment"]}"' if e["comment"] else ""))
    if info.get("progress"):
        nxt = info["progress"].get("next")
        echo(
            f"  on the map: last step {info['progress'].get('last_step')}; next: "
            + (f"{nxt['milestone']} due {nxt['due']} ({nxt['status']})" if nxt else "nothing planned")
        )


def gate_cmd(
    workspace: Path = WORKSPACE,
    customer_id: str = typer.Argument(..., help="The contact to ask."),
    action: str = typer.Option("review", "--action", help="review, referral, case-study or upsell."),
    as_of: str | None = AS_OF,
    engine: str | None = ENGINE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """May we ask this contact now? Never while a colleague at the same account suffers. Always exits 0."""
    from cxmap.service.accounts import gate_answer

    with reporting(as_json):
        answer = answer_json(gate_answer(_ctx(workspace, as_of, engine=engine), customer_id, action))
    if as_json:
        emit_json(answer)
        return
    verdict = "yes" if answer["allowed"] else "not now"
    echo(f"ask {customer_id} for a {action}? {verdict}")
    for reason in answer["reasons"]:
        echo(f"  - {reason}")


def alerts_cmd(
    workspace: Path = WORKSPACE,
    as_of: str | None = AS_OF,
    engine: str | None = ENGINE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Who needs service recovery now, and why: open alerts, overdue first."""
    from cxmap.service.accounts import alerts

    with reporting(as_json):
        ctx = _ctx(workspace, as_of, engine=engine)
        rows = answer_json(alerts(ctx))
    if as_json:
        emit_json(rows)
        return
    for a in rows:
        echo(
            f"{'OVERDUE' if a['overdue'] else 'open   '}  {a['customer_id']} ({a['account_id'] or '-'}): "
            f"{a['emotion']:.1f}/10 at {a['touchpoint']} on {a['at'][:10]}, "
            f"{pluralise(a['days_open'], 'day')} without recovery"
        )
    echo(_total(rows, "open alert", ctx))


def milestones_cmd(
    workspace: Path = WORKSPACE,
    map_id: str = typer.Option(..., "--map", "-m", help="The map whose milestones to check."),
    as_of: str | None = AS_OF,
    status: str | None = typer.Option(None, "--status", help="Only done, late, overdue or upcoming."),
    engine: str | None = ENGINE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Every account's milestones: due from the account's start, with their status as of a date."""
    from cxmap.service.accounts import milestone_list

    with reporting(as_json):
        ctx = _ctx(workspace, as_of, map_id, engine=engine)
        rows = answer_json(milestone_list(ctx, status))
    if as_json:
        emit_json(rows)
        return
    for m in rows:
        done = f", done {m['done_at'][:10]}" if m["done_at"] else ""
        echo(f"{m['status']:<9} {m['account_id']}  {m['milestone']} ({m['touchpoint']}) due {m['due']}{done}")
    echo(_total(rows, "milestone", ctx))


def verify_cmd(
    workspace: Path = WORKSPACE,
    map_id: str = typer.Option(..., "--map", "-m", help="The map whose verifications to measure."),
    as_of: str | None = AS_OF,
    fail_under: bool = typer.Option(False, "--fail-under", help="Exit 1 when a verification misses its target."),
    engine: str | None = ENGINE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Every verification of the map measured on the data, against its target (exit 0 unless --fail-under)."""
    from cxmap.service.accounts import verification_list, verification_sentence

    with reporting(as_json):
        ctx = _ctx(workspace, as_of, map_id, engine=engine)
        found = verification_list(ctx)
        rows = answer_json(found)
    if as_json:
        emit_json(rows)
    else:
        for v, entry in zip(rows, found, strict=True):
            verdict = {True: "pass", False: "FAIL", None: "n/a "}[v["passed"]]
            said = verification_sentence(ctx, entry)
            echo(f"{verdict}  {v['verification']}: {said}; target {v['target']:.0%} ({v['text']})")
    if fail_under and any(v["passed"] is False for v in rows):
        raise typer.Exit(1)


EXAMPLES = {
    "accounts": "Example: cxmap accounts acme/ --as-of 2026-06-30 --worst 20",
    "account": "Example: cxmap account acme/ ACME-001 --json",
    "customer": "Example: cxmap customer acme/ C-1042 --map b2b-onboarding",
    "gate": "Example: cxmap gate acme/ C-1042 --action review",
    "alerts": "Example: cxmap alerts acme/ --as-of 2026-06-30",
    "milestones": "Example: cxmap milestones acme/ --map b2b-onboarding --as-of 2026-06-30 --status overdue",
    "verify": "Example: cxmap verify acme/ --map b2b-onboarding --fail-under",
}
