"""The minimum-evidence rule that every comparison of two groups of customers obeys.

A comparison sets two groups side by side (good against bad at a touchpoint, recovered against never
recovered, exposed against control, with against without a deviation) and reports the difference of
their rates. Its `evidence` says whether it may be read as a finding:

- `too_few`: one group has fewer than `analysis.min_customers` customers. The numbers are still given,
  but the comparison is never significant, never ranked and never listed as a finding.
- `separated`: both groups are large enough, yet one rate is exactly 0 and the other exactly 1. Real
  customers never split that cleanly; such a split is almost always made by the definition itself (the
  outcome is part of how the groups were formed). It is flagged as suspicious, never significant.
- `enough`: a finding when its interval excludes zero.
"""

from __future__ import annotations

from typing import Literal

Evidence = Literal["enough", "too_few", "separated"]

EVIDENCE_TEXT = {
    "enough": "enough customers on both sides",
    "too_few": "too few customers",
    "separated": "suspicious: the two groups are split completely, as if by construction",
}


def evidence(n1: int, n2: int, k1: int, k2: int, min_customers: int) -> Evidence:
    """The evidence of a comparison of k1 of n1 customers against k2 of n2 (see the module docstring)."""
    if n1 < max(min_customers, 1) or n2 < max(min_customers, 1):
        return "too_few"
    if {k1 / n1, k2 / n2} == {0.0, 1.0}:
        return "separated"
    return "enough"


def clear(kind: Evidence, low: float | None, high: float | None) -> bool:
    """A finding: enough evidence and an interval that excludes zero."""
    return kind == "enough" and low is not None and high is not None and (low > 0 or high < 0)
