"""Intervals for the findings: Wilson for proportions, Newcombe for their differences, t for means.

Counting happens in the engine; these run on the few aggregated rows it returns (one per touchpoint),
vectorised with numpy. Undefined values (no data) are NaN here and null in JSON.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

Array = NDArray[np.float64]


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2))


def wilson(successes: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> tuple[Array, Array]:
    """Wilson score interval of a proportion (NaN where n = 0)."""
    k = np.asarray(successes, dtype=float)
    m = np.asarray(n, dtype=float)
    z = _z(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / m
        centre = (p + z * z / (2 * m)) / (1 + z * z / m)
        half = z * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / (1 + z * z / m)
    return centre - half, centre + half


def newcombe(
    k1: ArrayLike, n1: ArrayLike, k2: ArrayLike, n2: ArrayLike, confidence: float = 0.95
) -> tuple[Array, Array, Array]:
    """p1 - p2 with Newcombe's hybrid score interval (method 10), from the two Wilson intervals."""
    a1, b1 = np.asarray(k1, dtype=float), np.asarray(n1, dtype=float)
    a2, b2 = np.asarray(k2, dtype=float), np.asarray(n2, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = a1 / b1, a2 / b2
        l1, u1 = wilson(a1, b1, confidence)
        l2, u2 = wilson(a2, b2, confidence)
        d = p1 - p2
        low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
        high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, low, high


def mean_interval(mean: ArrayLike, sd: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> tuple[Array, Array]:
    """Student t interval of a mean (NaN where n < 2)."""
    mu = np.asarray(mean, dtype=float)
    s = np.asarray(sd, dtype=float)
    m = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stats.t.ppf(0.5 + confidence / 2, np.where(m >= 2, m - 1, np.nan))
        half = t * s / np.sqrt(m)
    return mu - half, mu + half


def clean(value: float) -> float | None:
    """NaN (undefined) becomes None, so JSON says null; numbers are kept as they are."""
    return None if value is None or not np.isfinite(value) else float(value)


def mantel_haenszel(
    group: ArrayLike, k1: ArrayLike, n1: ArrayLike, k2: ArrayLike, n2: ArrayLike, groups: int, confidence: float = 0.95
) -> tuple[Array, Array, Array]:
    """The Mantel-Haenszel risk difference p1 - p2 over strata, per group, with Sato's (1989) interval.

    Each row is one stratum of one group (`group` its index, 0 .. groups - 1): k1 of n1 against k2 of n2.
    d = sum(w (p1 - p2)) / sum(w) with w = n1 n2 / N; Var = (d sum(P) + sum(Q)) / sum(w)^2 with
    P = (n1^2 k2 - n2^2 k1 + n1 n2 (n2 - n1) / 2) / N^2 and Q = (k1 (n2 - k2) + k2 (n1 - k1)) / (2 N).
    A stratum with an empty side carries no weight. NaN where a group has no stratum with both sides.
    """
    g = np.asarray(group, dtype=np.int64)
    a1, b1 = np.asarray(k1, dtype=float), np.asarray(n1, dtype=float)
    a2, b2 = np.asarray(k2, dtype=float), np.asarray(n2, dtype=float)
    both = (b1 > 0) & (b2 > 0)
    total = np.where(both, b1 + b2, 1.0)

    def summed(values: Array) -> Array:
        return np.bincount(g, weights=np.where(both, values, 0.0), minlength=groups).astype(float)

    w = summed(b1 * b2 / total)
    p = summed((b1 * b1 * a2 - b2 * b2 * a1 + b1 * b2 * (b2 - b1) / 2) / (total * total))
    q = summed((a1 * (b2 - a2) + a2 * (b1 - a1)) / (2 * total))
    with np.errstate(invalid="ignore", divide="ignore"):
        d = summed((a1 * b2 - a2 * b1) / total) / w
        half = _z(confidence) * np.sqrt(np.maximum(d * p + q, 0.0)) / w
    return d, d - half, d + half
