"""Routes by area: auth (login), api (JSON), pages (HTML)."""
