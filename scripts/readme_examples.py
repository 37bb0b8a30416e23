"""The README's sample outputs, made from the demo workspace so that they cannot go stale.

`python scripts/readme_examples.py demo` rewrites every block of README.md that follows a
`<!-- demo-output: NAME -->` marker with what the demo prints now; `--check` only says which differ (exit 1).
A test builds the demo and runs the check, so a change that moves a figure fails until the README moves too.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
AS_OF = "2025-12-31"  # the day scripts/demo.sh operates the accounts as of
WIDTH = 110
BLOCK = re.compile(r"(<!-- demo-output: (?P<name>[\w-]+) -->\n```\n)(?P<body>.*?)(\n```)", re.S)


def _cxmap(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "cxmap", *args], capture_output=True, text=True, check=True)
    return done.stdout


def _status(demo: Path) -> list[str]:
    """The status with the demo's folder called demo/, and the load times left out (they change each run)."""
    lines = _cxmap("status", str(demo)).replace(str(demo), "demo").splitlines()
    loads = [i for i, line in enumerate(lines) if line.startswith("  load ")]
    first = re.sub(r", \d{4}-\d\d-\d\dT[\d:]+\)", ", ...)", lines[loads[0]]) if loads else ""
    return [*lines[: loads[0]], first, "  ..."] if loads else lines


def _headline(demo: Path) -> list[str]:
    """The sentence `cxmap analyze` opens with (its third line), wrapped."""
    summary = _cxmap("analyze", str(demo), "--map", "b2b-onboarding", "--quiet").splitlines()
    return textwrap.wrap(summary[2], WIDTH)


def _gate(demo: Path) -> list[str]:
    """The review request refused for a happy contact whose colleague suffers, long reasons cut."""
    contact = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "refused_contact.py"), str(demo), AS_OF],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    lines = _cxmap("gate", str(demo), contact, "--action", "review", "--as-of", AS_OF).splitlines()
    return [line if len(line) <= WIDTH else line[: line.rfind(",", 0, WIDTH)] + ", ..." for line in lines]


MAKERS: dict[str, Callable[[Path], list[str]]] = {"status": _status, "headline": _headline, "gate": _gate}


def refreshed(text: str, demo: Path) -> str:
    """The README text with every marked block made anew from the demo."""

    def block(match: re.Match[str]) -> str:
        body = "\n".join(MAKERS[match["name"]](demo))
        return f"{match.group(1)}{body}{match.group(4)}"

    return BLOCK.sub(block, text)


def main() -> int:
    args = [a for a in sys.argv[1:] if a != "--check"]
    demo = Path(args[0] if args else "demo")
    if not (demo / "cxmap.yaml").is_file():
        print(f"readme_examples: {demo} is not a workspace; run `make demo` first", file=sys.stderr)
        return 2
    text = README.read_text(encoding="utf-8")
    new = refreshed(text, demo)
    if "--check" in sys.argv:
        if new != text:
            print("README.md's demo outputs differ from what the demo prints; run scripts/readme_examples.py")
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
