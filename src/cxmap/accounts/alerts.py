"""Service-recovery alerts: a negative moment opens one for the contact and its account at once.

- A **negative moment** is a scored event with emotion <= `analysis.negative_max` (3) within the last
  `accounts.alert_window_days` (90) before as_of; older ones no longer open an alert.
- A **recovery** is an event at a recovery touchpoint (see the analysis) for the same contact. It closes
  every alert opened before it: a contact's open alert starts at their first negative moment after their
  last recovery (ts > last recovery), up to as_of.
- The alert is **overdue** once more than `recovery.window_days` x 24 h (7 days) have passed without a
  recovery: a recovery on day 7 is on time; as of day 5 the alert is open but not overdue.
- `days_open` is the whole number of days elapsed since the negative moment.

One row per contact with an open alert, all computed at once in the engine.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cxmap.accounts.base import AsOf
from cxmap.analytics.prepare import MICROSECONDS, Prepared, elapsed_microseconds


def open_alerts(prepared: Prepared, members: ir.Table, as_of: AsOf, only: ir.Table | None = None) -> ir.Table:
    """customer_id, account_id, touchpoint, at, emotion, days_open, overdue: open alerts as of `as_of`
    (of the customers in `only`, a table with customer_id, when given)."""
    s = prepared.settings
    e = prepared.events.filter(prepared.events.ts <= as_of.instant)
    if only is not None:
        e = e.semi_join(only, "customer_id")
    last_recovery = e.filter(e.is_recovery).group_by("customer_id").aggregate(recovered_at=ibis._.ts.max())
    since = as_of.days_ago(s.accounts.alert_window_days)
    negative = e.filter((e.emotion <= s.analysis.negative_max) & (e.ts > since))
    joined = negative.left_join(last_recovery, negative.customer_id == last_recovery.customer_id)
    unrecovered = joined.filter(joined.recovered_at.isnull() | (joined.ts > joined.recovered_at))
    first = ibis.row_number().over(
        ibis.window(group_by=unrecovered.customer_id, order_by=[unrecovered.ts, unrecovered.load_id, unrecovered.row])
    )
    alerts = unrecovered.mutate(n=first).filter(lambda t: t.n == 0)
    elapsed = elapsed_microseconds(ibis.literal(as_of.instant), alerts.ts)
    with_account = alerts.left_join(members, alerts.customer_id == members.customer_id)
    return with_account.select(
        customer_id=alerts.customer_id,
        account_id=ibis.coalesce(members.account_id, alerts.account_id),
        touchpoint=alerts.touchpoint,
        at=alerts.ts,
        emotion=alerts.emotion,
        days_open=(elapsed // MICROSECONDS["day"]).cast("int64"),
        overdue=elapsed > s.recovery.window_days * MICROSECONDS["day"],
    )
