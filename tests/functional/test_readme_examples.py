"""The README's sample outputs are what the demo prints: the demo workspace is built as `make demo` builds it
(scripts/demo.sh), and every marked block of README.md is made again from it and compared."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from cxmap import synthetic
from cxmap.progress import Steps
from cxmap.workspace import init_workspace, open_workspace
from cxmap.workspace.ingest import Options, ingest

ROOT = Path(__file__).resolve().parents[2]


def _examples() -> ModuleType:
    spec = importlib.util.spec_from_file_location("readme_examples", ROOT / "scripts" / "readme_examples.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace, as scripts/demo.sh makes it (same generator call, same files, same load order)."""
    root = tmp_path_factory.mktemp("readme") / "demo"
    maps = init_workspace(root).maps_dir
    shutil.copy(ROOT / "examples" / "cxmap.yaml", root / "cxmap.yaml")
    for path in (ROOT / "examples" / "maps").glob("*.yaml"):
        shutil.copy(path, maps)
    paths = synthetic.write(synthetic.generate(200_000, seed=7), root / "data")
    ws = open_workspace(root)  # with the example settings (the time zone)
    for kind in ("accounts", "contacts", "events"):
        ingest(ws, [str(paths[kind])], Options(kind=kind), Steps(None))
    return root


def test_the_readme_shows_what_the_demo_prints(demo: Path) -> None:
    examples = _examples()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = examples.BLOCK.findall(readme)
    assert [b[1] for b in blocks] == ["status", "headline", "gate"]
    assert examples.refreshed(readme, demo) == readme, "run: python scripts/readme_examples.py demo"
