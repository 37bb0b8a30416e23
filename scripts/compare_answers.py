"""The demo's answers, as the CLI and the API give them, written to a folder so two versions can be diffed.

    python scripts/compare_answers.py demo /tmp/answers-before        # with the code before a change
    python scripts/compare_answers.py demo /tmp/answers-after         # with the code after it
    python scripts/compare_answers.py --diff /tmp/answers-before /tmp/answers-after

A refactoring that must not change behaviour proves it this way: every answer identical. Numbers are
compared to 12 significant digits: the engine adds doubles in parallel, in an order that changes from run
to run, so the same code gives means that differ in the 15th or 16th digit (seen for the recovery finding's
later emotions); anything else must match byte for byte once those digits are set aside. The CLI answers
come from `cxmap ... --json` processes; the API answers from a real `cxmap serve` on loopback, signed in
with a token the script creates (and leaves) in the workspace. Everything is asked as of AS_OF, so the
answers do not depend on the day the script runs.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.request import Request, urlopen

AS_OF = "2025-12-31"
MAP = "b2b-onboarding"
ACCOUNT = "A-00002"
CONTACT = "C-001974"  # the demo's refused review request (scripts/refused_contact.py)
CLI = {
    "analyze": ["analyze", "{ws}", "--map", MAP, "--quiet"],
    "journeys": ["journeys", "{ws}", "--map", MAP],
    "accounts": ["accounts", "{ws}", "--as-of", AS_OF],
    "alerts": ["alerts", "{ws}", "--as-of", AS_OF],
    "milestones": ["milestones", "{ws}", "--map", MAP, "--as-of", AS_OF],
    "verify": ["verify", "{ws}", "--map", MAP, "--as-of", AS_OF],
    "gate": ["gate", "{ws}", CONTACT, "--action", "review", "--as-of", AS_OF],
    "account": ["account", "{ws}", ACCOUNT, "--map", MAP, "--as-of", AS_OF],
    "customer": ["customer", "{ws}", CONTACT, "--map", MAP, "--as-of", AS_OF],
}
API = {
    "analyze": f"/api/findings?map={MAP}",
    "accounts": f"/api/accounts?as_of={AS_OF}",
    "alerts": f"/api/alerts?as_of={AS_OF}",
    "milestones": f"/api/milestones?map={MAP}&as_of={AS_OF}",
    "verify": f"/api/verify?map={MAP}&as_of={AS_OF}",
    "gate": f"/api/gate/{CONTACT}?action=review&as_of={AS_OF}",
    "account": f"/api/accounts/{ACCOUNT}?map={MAP}&as_of={AS_OF}",
    "customer": f"/api/customers/{CONTACT}?as_of={AS_OF}",
    # at the latest event: answered from the server's in-memory snapshot
    "accounts-now": "/api/accounts?worst=25",
    "alerts-now": "/api/alerts",
    "account-now": f"/api/accounts/{ACCOUNT}",
    "gate-now": f"/api/gate/{CONTACT}?action=review",
    "maps": "/api/maps",
    "status": "/api/status",
}


def _cxmap(*args: str) -> bytes:
    return subprocess.run([sys.executable, "-m", "cxmap", *args], capture_output=True, check=True).stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _api(ws: Path, out: Path) -> None:
    token = _cxmap("token", "create", str(ws), "compare-answers", "--role", "admin").decode().split()[0]
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "cxmap", "serve", str(ws), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:  # refused, or queued while the app still loads
                time.sleep(0.1)
        for name, path in API.items():
            ask = Request(base + path, headers={"Authorization": f"Bearer {token}"})
            with urlopen(ask, timeout=600) as answer:
                (out / f"api-{name}.json").write_bytes(answer.read())
    finally:
        server.terminate()
        server.wait(timeout=30)


def capture(ws: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, args in CLI.items():
        (out / f"cli-{name}.json").write_bytes(_cxmap(*(a.format(ws=ws) for a in args), "--json"))
    _api(ws, out)


def _settled(value: Any) -> Any:
    """The answer with every number to 12 significant digits."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {k: _settled(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_settled(v) for v in value]
    return value


def _same(a: Path, b: Path) -> bool:
    if not (a.is_file() and b.is_file()):
        return False
    if a.read_bytes() == b.read_bytes():
        return True
    return bool(_settled(json.loads(a.read_bytes())) == _settled(json.loads(b.read_bytes())))


def differ(a: Path, b: Path) -> list[str]:
    """The files whose answers differ (or that are missing on one side)."""
    names = sorted({p.name for p in a.glob("*.json")} | {p.name for p in b.glob("*.json")})
    return [n for n in names if not _same(a / n, b / n)]


def main() -> int:
    if sys.argv[1:2] == ["--diff"] and len(sys.argv) == 4:
        changed = differ(Path(sys.argv[2]), Path(sys.argv[3]))
        print("\n".join(f"differs: {n}" for n in changed) or "every answer is identical (to 12 significant digits)")
        return 1 if changed else 0
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    capture(Path(sys.argv[1]).resolve(), Path(sys.argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
