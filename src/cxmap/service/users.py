"""Users, roles and API tokens of a workspace, kept in `.cxmap/auth.sqlite` beside the store.

Passwords are hashed with argon2 (slow on purpose); API tokens are 32 random bytes shown once and stored
as SHA-256 (a slow hash per API request would break the latency target, and the token's entropy makes a
fast hash safe). SQLite, not the DuckDB store, so that `cxmap user add` works while the server runs.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from cxmap.errors import CxmapError, unknown

ROLES = ("viewer", "editor", "admin")
_HASHER = PasswordHasher()
SCHEMA = """
CREATE TABLE IF NOT EXISTS users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL,
                                  created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (token_hash TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
                                   created_at TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Principal:
    """Who is asking: a person (session) or a machine (token), with a role."""

    name: str
    role: str
    kind: str = "user"

    def can(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


class AuthStore:
    def __init__(self, workspace_root: Path) -> None:
        self.path = workspace_root / ".cxmap" / "auth.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as con:
            con.executescript(SCHEMA)
        self._local = threading.local()

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def _reader(self) -> sqlite3.Connection:
        """This thread's connection for token checks, kept open: opening one and reading the schema cost
        about 0.15 ms a request, 40% of a gate answer's time in the app. Each query outside a transaction
        sees the latest commit, so a token added or removed by another process counts at once."""
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = self._connect()
        return con

    @staticmethod
    def _check_role(role: str) -> None:
        if role not in ROLES:
            raise unknown("role", role, ROLES)

    def add_user(self, username: str, role: str, password: str | None = None) -> str:
        """Create a user; returns the password (a new random one unless given)."""
        self._check_role(role)
        if not username.strip() or len(username) > 80:
            raise CxmapError("a user name must be 1 to 80 characters")
        chosen = password or secrets.token_urlsafe(12)
        if len(chosen) < 8:
            raise CxmapError("a password must be at least 8 characters")
        with closing(self._connect()) as con, con:
            try:
                con.execute(
                    "INSERT INTO users VALUES (?, ?, ?, ?)",
                    (username, _HASHER.hash(chosen), role, datetime.now(UTC).isoformat()),
                )
            except sqlite3.IntegrityError:
                raise CxmapError(f"user '{username}' already exists") from None
        return chosen

    def has_users(self) -> bool:
        with closing(self._connect()) as con:
            return bool(con.execute("SELECT count(*) FROM users").fetchone()[0] > 0)

    def login(self, username: str, password: str) -> Principal | None:
        """The user, when the password is right (the same time is spent when the user does not exist)."""
        with closing(self._connect()) as con:
            row = con.execute("SELECT password_hash, role FROM users WHERE username = ?", (username,)).fetchone()
        stored = row[0] if row else _HASHER.hash(secrets.token_hex(8))
        try:
            _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        return Principal(username, row[1]) if row else None

    def create_token(self, name: str, role: str) -> str:
        """A new API token; only its SHA-256 is kept, so it is shown this once."""
        self._check_role(role)
        token = "cxm_" + secrets.token_urlsafe(32)
        with closing(self._connect()) as con, con:
            con.execute(
                "INSERT INTO tokens VALUES (?, ?, ?, ?)",
                (_digest(token), name, role, datetime.now(UTC).isoformat()),
            )
        return token

    def check_token(self, token: str) -> Principal | None:
        # fetchall: the statement runs to its end, so this connection holds no lock between requests
        rows = self._reader().execute("SELECT name, role FROM tokens WHERE token_hash = ?", (_digest(token),))
        found = rows.fetchall()
        return Principal(found[0][0], found[0][1], "token") if found else None

    def secret_key(self) -> str:
        """The key that signs session cookies, made on first use and kept beside the users."""
        path = self.path.parent / "secret"
        if not path.exists():
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
