"""May we ask this contact for a review (referral, case study, upsell) now? Never while a colleague suffers.

For an action with its rule (`accounts.gates`): allowed only when the contact's own current experience is
at least `own_min` (7), no other contact of the same account is at or below `colleague_max` (3, a
colleague with no recent score does not block), and (with `no_open_alert`) the account has no open
service-recovery alert. The answer lists every reason it was refused, each naming the contact, the score
and the date behind it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from cxmap.accounts.alerts import open_alerts
from cxmap.accounts.base import AsOf
from cxmap.accounts.health import contacts_with_experience
from cxmap.analytics.prepare import Prepared
from cxmap.errors import NotFound, unknown
from cxmap.settings import GateRule, Settings


def _day(at: Any) -> str:
    return at.date().isoformat() if isinstance(at, datetime) else str(at)[:10] if at else "never"


def rule_for(settings: Settings, action: str) -> GateRule:
    """The configured rule of an action; an unknown action is a usage error."""
    rules = settings.accounts.gates
    if action not in rules:
        raise unknown("action", action, rules)
    return rules[action]


def decide(
    customer_id: str,
    account: str | None,
    people: list[dict[str, Any]],
    alerts: list[dict[str, Any]],
    action: str,
    settings: Settings,
    as_of: AsOf,
    name: Callable[[str], str],
) -> dict[str, Any]:
    """The answer from the account's contacts (with their current experience) and its open alerts.

    Pure, so that the CLI (which queries the engine) and the web snapshot (which answers from memory)
    apply exactly the same rules and say exactly the same sentences.
    """
    rule = rule_for(settings, action)
    own = next((p for p in people if p["customer_id"] == customer_id), None)
    mine = own["experience"] if own else None
    reasons: list[str] = []
    if mine is None:
        reasons.append(
            f"{customer_id} has no scored experience in the {settings.accounts.window_days} days "
            f"before {as_of.day.isoformat()}, so we cannot tell they are happy"
        )
    elif mine < rule.own_min:
        reasons.append(
            f"{customer_id}'s own experience is {mine:.1f}/10 (below {rule.own_min:g}; "
            f"last scored {_day(own['last_scored_at'] if own else None)})"
        )
    for p in sorted(people, key=lambda p: (p["experience"] if p["experience"] is not None else 99, p["customer_id"])):
        if p["customer_id"] != customer_id and p["experience"] is not None and p["experience"] <= rule.colleague_max:
            reasons.append(
                f"colleague {p['customer_id']} at {account} is at {p['experience']:.1f}/10 "
                f"(at or below {rule.colleague_max:g}; last scored {_day(p['last_scored_at'])})"
            )
    if rule.no_open_alert and account:
        for alert in sorted(alerts, key=lambda a: (a["at"], a["customer_id"])):
            reasons.append(
                f"{account} has an open service-recovery alert: {alert['customer_id']} scored "
                f"{alert['emotion']:.1f}/10 at {name(alert['touchpoint'])} on {_day(alert['at'])}, "
                f"{alert['days_open']} days without recovery"
            )
    return {
        "customer_id": customer_id,
        "account_id": account,
        "action": action,
        "allowed": not reasons,
        "reasons": reasons,
        "experience": mine,
        "as_of": as_of.iso(),
    }


def gate(prepared: Prepared, members: Any, customer_id: str, action: str, as_of: AsOf) -> dict[str, Any]:
    """The gating answer for one contact: `{"customer_id","account_id","action","allowed","reasons",...}`."""
    rule = rule_for(prepared.settings, action)
    me = members.filter(members.customer_id == customer_id).to_pyarrow().to_pylist()
    e = prepared.events
    known = bool(me) or bool(e.filter(e.customer_id == customer_id).count().execute())
    if not known:
        raise NotFound(f"no contact '{customer_id}' in the workspace (not in the contacts file or the events)")
    account = me[0]["account_id"] if me else None
    group = (
        members.filter(members.account_id == account) if account else members.filter(members.customer_id == customer_id)
    )
    people = contacts_with_experience(prepared, group, as_of).to_pyarrow().to_pylist()
    alerts = (
        open_alerts(prepared, members, as_of, group).to_pyarrow().to_pylist() if rule.no_open_alert and account else []
    )
    return decide(customer_id, account, people, alerts, action, prepared.settings, as_of, prepared.name)
