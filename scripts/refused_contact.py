"""Print a contact whose review request the demo shows refused: happy, but a colleague is at 3/10 or below."""

from __future__ import annotations

import sys
from datetime import date

from cxmap.service.accounts import accounts, context, gate_answer


def main() -> None:
    ctx = context(sys.argv[1], date.fromisoformat(sys.argv[2]))
    for row in accounts(ctx):
        if row.experience is None or row.experience > 3 or row.scored_contacts < 2:
            continue
        group = ctx.members.filter(ctx.members.account_id == row.account_id)
        for contact in group.customer_id.to_pyarrow().to_pylist():
            answer = gate_answer(ctx, contact, "review")
            if answer.experience is not None and answer.experience >= 7 and not answer.allowed:
                print(contact)
                return
    print("C-000001")


if __name__ == "__main__":
    main()
