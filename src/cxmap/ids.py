"""Identifiers made from names: the one slug rule every part of cxmap uses."""

from __future__ import annotations

import re

_OTHER = re.compile(r"[^a-z0-9]+")


def slugify(text: str, fallback: str = "item") -> str:
    """Lower case; every run of other characters becomes '-'; no '-' at either end."""
    slug = _OTHER.sub("-", text.lower()).strip("-")
    return slug or fallback


def unique_slug(text: str, taken: set[str], fallback: str = "item") -> str:
    """A slug not yet in `taken` (adding -2, -3, ...); it is added to `taken`."""
    base = slugify(text, fallback)
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug
