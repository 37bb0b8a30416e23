"""How the web names the inputs the core speaks of: by its query and body parameters (`strict=true`).

The one place a field becomes a parameter for the API, the pages and the batch loader alike. An event sent
to the API names its own keys, so there is no column mapping to advise, only the key to send.
"""

from __future__ import annotations

from cxmap.errors import Face


class Parameters:
    """Fields as the API's parameters: `outcome_negative`, `scale=1-5`, `strict=true`."""

    def field(self, name: str) -> str:
        return name

    def switch(self, name: str) -> str:
        return f"{name}=true"

    def setting(self, name: str, value: str) -> str:
        return f"{name}={value}"

    def column(self, role: str, column: str | None) -> str | None:
        return f"send it as {role}" if column is not None else None


WEB: Face = Parameters()
