"""Users, roles, sessions and API tokens of a workspace, kept in `.cxmap/auth.sqlite` beside the store.

Passwords are hashed with argon2 (slow on purpose); API tokens and session ids are 32 random bytes, of
which only the SHA-256 is kept (a slow hash per request would break the latency target, and their entropy
makes a fast hash safe). SQLite, not the DuckDB store, so that `cxmap user ...` works while the server runs.

Sessions live here, not in the cookie: the cookie carries only a session id (signed). Every request looks
the id up and takes the user's role from the users table, so a logout, a removed user or a changed role
counts on the next request. Sessions last SESSION_DAYS; tokens until their `expires_at` (TOKEN_DAYS by
default) or until revoked. The file is readable by its owner alone.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from cxmap.errors import CxmapError, NotFound, Throttled, unknown

ROLES = ("viewer", "editor", "admin")
SESSION_DAYS = 14
TOKEN_DAYS = 365
_HASHER = PasswordHasher()
# An argon2 verification takes 64 MiB for a quarter of a second: at most this many at once in a process,
# so that a flood of sign-ins cannot take the server's memory (the others wait their turn).
VERIFYING = threading.BoundedSemaphore(2)
# Failed sign-ins allowed per user name, and per client address, within WINDOW seconds; then 429 until
# the oldest failure leaves the window.
PER_USER, PER_CLIENT, WINDOW = 5, 20, 900
SCHEMA = """
CREATE TABLE IF NOT EXISTS users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL,
                                  created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (token_hash TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
                                   created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (session_hash TEXT PRIMARY KEY, username TEXT NOT NULL, csrf TEXT NOT NULL,
                                     created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Principal:
    """Who is asking: a person (session) or a machine (token), with a role."""

    name: str
    role: str
    kind: str = "user"

    def can(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


@dataclass(frozen=True)
class Session:
    """A signed-in person: who (with their role as it is now) and the CSRF token of their forms."""

    user: Principal
    csrf: str


def _now() -> datetime:
    return datetime.now(UTC)


class AuthStore:
    def __init__(self, workspace_root: Path) -> None:
        self.path = workspace_root / ".cxmap" / "auth.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as con:
            con.executescript(SCHEMA)
            columns = {row[1] for row in con.execute("PRAGMA table_info(tokens)")}
            if "expires_at" not in columns:  # tokens made before they expired: TOKEN_DAYS from now
                con.execute("ALTER TABLE tokens ADD COLUMN expires_at TEXT")
                until = (_now() + timedelta(days=TOKEN_DAYS)).isoformat()
                con.execute("UPDATE tokens SET expires_at = ?", (until,))
                con.commit()
        os.chmod(self.path, 0o600)  # password hashes and token digests: the owner's alone
        self._local = threading.local()

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def _reader(self) -> sqlite3.Connection:
        """This thread's connection for token and session checks, kept open: opening one and reading the
        schema cost about 0.15 ms a request, 40% of a gate answer's time in the app. Each query outside a
        transaction sees the latest commit, so a change by another process counts at once."""
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = self._connect()
        return con

    def _write(self, sql: str, params: tuple[Any, ...]) -> int:
        """Run one change; how many rows it touched."""
        with closing(self._connect()) as con, con:
            return con.execute(sql, params).rowcount

    @staticmethod
    def _check_role(role: str) -> None:
        if role not in ROLES:
            raise unknown("role", role, ROLES)

    # -- users

    def add_user(self, username: str, role: str, password: str | None = None) -> str:
        """Create a user; returns the password (a new random one unless given)."""
        self._check_role(role)
        if not username.strip() or len(username) > 80:
            raise CxmapError("a user name must be 1 to 80 characters")
        chosen = password or secrets.token_urlsafe(12)
        if len(chosen) < 8:
            raise CxmapError("a password must be at least 8 characters")
        try:
            self._write(
                "INSERT INTO users VALUES (?, ?, ?, ?)", (username, _HASHER.hash(chosen), role, _now().isoformat())
            )
        except sqlite3.IntegrityError:
            raise CxmapError(f"user '{username}' already exists") from None
        return chosen

    def users(self) -> list[dict[str, Any]]:
        """Every user with their role and when they were added, by name."""
        with closing(self._connect()) as con:
            rows = con.execute("SELECT username, role, created_at FROM users ORDER BY username").fetchall()
        return [{"user": r[0], "role": r[1], "created_at": r[2]} for r in rows]

    def set_role(self, username: str, role: str) -> None:
        """Change a user's role; it counts on their next request."""
        self._check_role(role)
        if not self._write("UPDATE users SET role = ? WHERE username = ?", (role, username)):
            raise NotFound(f"no user '{username}'")

    def remove_user(self, username: str) -> None:
        """Remove a user and end their sessions."""
        with closing(self._connect()) as con, con:
            gone = con.execute("DELETE FROM users WHERE username = ?", (username,)).rowcount
            con.execute("DELETE FROM sessions WHERE username = ?", (username,))
        if not gone:
            raise NotFound(f"no user '{username}'")

    def has_users(self) -> bool:
        with closing(self._connect()) as con:
            return bool(con.execute("SELECT count(*) FROM users").fetchone()[0] > 0)

    def login(self, username: str, password: str) -> Principal | None:
        """The user, when the password is right. An unknown user costs the same one verification (against
        a hash made once), so the time taken does not tell which users exist."""
        with closing(self._connect()) as con:
            row = con.execute("SELECT password_hash, role FROM users WHERE username = ?", (username,)).fetchone()
        stored = row[0] if row else _decoy()
        try:
            with VERIFYING:
                _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        return Principal(username, row[1]) if row else None

    # -- sessions

    def start_session(self, user: Principal) -> str:
        """A new session for a signed-in user; returns its id (for the cookie; only its digest is kept)."""
        session_id = secrets.token_urlsafe(32)
        now = _now()
        self._write(
            "INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
            (
                _digest(session_id),
                user.name,
                secrets.token_urlsafe(24),
                now.isoformat(),
                (now + timedelta(days=SESSION_DAYS)).isoformat(),
            ),
        )
        return session_id

    def session(self, session_id: str) -> Session | None:
        """The session with this id, when it is current and its user still exists (with their role now)."""
        rows = self._reader().execute(
            "SELECT u.username, u.role, s.csrf FROM sessions s JOIN users u ON u.username = s.username "
            "WHERE s.session_hash = ? AND s.expires_at > ?",
            (_digest(session_id), _now().isoformat()),
        )
        found = rows.fetchall()
        return Session(Principal(found[0][0], found[0][1]), found[0][2]) if found else None

    def end_session(self, session_id: str) -> None:
        """Sign out: the session's id opens nothing any more (expired sessions go too)."""
        self._write(
            "DELETE FROM sessions WHERE session_hash = ? OR expires_at <= ?", (_digest(session_id), _now().isoformat())
        )

    # -- tokens

    def create_token(self, name: str, role: str, days: int = TOKEN_DAYS) -> str:
        """A new API token valid for `days`; only its SHA-256 is kept, so it is shown this once."""
        self._check_role(role)
        if not 1 <= days <= 3650:
            raise CxmapError("a token lasts 1 to 3650 days", field="days")
        token = "cxm_" + secrets.token_urlsafe(32)
        now = _now()
        self._write(
            "INSERT INTO tokens (token_hash, name, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            (_digest(token), name, role, now.isoformat(), (now + timedelta(days=days)).isoformat()),
        )
        return token

    def tokens(self) -> list[dict[str, Any]]:
        """Every token's name, role, creation and expiry (never the token), by name."""
        with closing(self._connect()) as con:
            rows = con.execute("SELECT name, role, created_at, expires_at FROM tokens ORDER BY name, created_at")
            found = rows.fetchall()
        return [{"name": r[0], "role": r[1], "created_at": r[2], "expires_at": r[3]} for r in found]

    def revoke_token(self, name: str) -> int:
        """Revoke every token of this name; how many there were."""
        revoked = self._write("DELETE FROM tokens WHERE name = ?", (name,))
        if not revoked:
            raise NotFound(f"no token named '{name}'")
        return revoked

    def check_token(self, token: str) -> Principal | None:
        # fetchall: the statement runs to its end, so this connection holds no lock between requests
        rows = self._reader().execute(
            "SELECT name, role FROM tokens WHERE token_hash = ? AND expires_at > ?",
            (_digest(token), _now().isoformat()),
        )
        found = rows.fetchall()
        return Principal(found[0][0], found[0][1], "token") if found else None

    def secret_key(self) -> str:
        """The key that signs session cookies, made on first use and kept beside the users."""
        path = self.path.parent / "secret"
        if not path.exists():
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip()


@cache
def _decoy() -> str:
    """A hash of a password nobody has, to verify against for unknown users."""
    return _HASHER.hash(secrets.token_hex(16))


class LoginThrottle:
    """Failed sign-ins remembered in this process, per user name and per client address: past PER_USER or
    PER_CLIENT failures within WINDOW seconds, sign-ins are refused (`Throttled`) before any password is
    verified. Memory is bounded: at most MAX_KEYS names and addresses are remembered, the stalest dropped."""

    MAX_KEYS = 10_000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key) or deque()
        while times and times[0] <= now - WINDOW:
            times.popleft()
        return times

    def check(self, username: str, client: str) -> None:
        """Refuse when this user name or this client has failed too often lately."""
        now = self._clock()
        with self._lock:
            for key, most in ((f"user:{username}", PER_USER), (f"client:{client}", PER_CLIENT)):
                times = self._recent(key, now)
                if len(times) >= most:
                    error = Throttled("too many failed sign-ins; wait a few minutes and try again")
                    error.retry_after = max(1, int(times[0] + WINDOW - now) + 1)
                    raise error

    def failed(self, username: str, client: str) -> None:
        now = self._clock()
        with self._lock:
            for key in (f"user:{username}", f"client:{client}"):
                times = self._recent(key, now)
                times.append(now)
                self._failures[key] = times
                self._failures.move_to_end(key)
            while len(self._failures) > self.MAX_KEYS:
                self._failures.popitem(last=False)

    def succeeded(self, username: str) -> None:
        """A right password clears the user name's failures (not the client's: one success from an address
        that guesses many names does not reset its count)."""
        with self._lock:
            self._failures.pop(f"user:{username}", None)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
