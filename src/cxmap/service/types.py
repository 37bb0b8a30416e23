"""The types of the service's answers, for the faces to name (they import no analytics or accounts module),
and `answer_json`, which turns an answer into the JSON every face returns."""

from cxmap.accounts.base import AsOf
from cxmap.analytics.analyze import Request
from cxmap.analytics.findings import Findings, HotSpot, TouchpointStats
from cxmap.analytics.outcomes import OutcomeChoice
from cxmap.service.answers import (
    AccountDetail,
    AccountPlan,
    AccountRow,
    Alert,
    CustomerDetail,
    GateAnswer,
    Milestone,
    Verification,
    answer_json,
)

__all__ = [
    "AccountDetail",
    "AccountPlan",
    "AccountRow",
    "Alert",
    "AsOf",
    "CustomerDetail",
    "Findings",
    "GateAnswer",
    "HotSpot",
    "Milestone",
    "OutcomeChoice",
    "Request",
    "TouchpointStats",
    "Verification",
    "answer_json",
]
