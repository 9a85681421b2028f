"""The Functions package holds no fictional or hostile data (issue 17).

The package is listed as ``func azure functionapp publish`` lists it: Core Tools walks the app's
folder (skipping ``.git``, ``.vscode`` and a few named files) and keeps each file its
``.funcignore`` parser accepts. That parser (``GitIgnoreParser`` in azure-functions-core-tools, a
port of codemix/gitignore-parser) is not git's: each pattern is anchored at the start of the
path relative to the app's root, ``*`` is any run of characters but ``/``, ``**`` any run at all,
and a ``!`` pattern wins over every other. :func:`funcignore_accepts` behaves the same way, so a
pattern that git would honour and Core Tools would not (``**/demo``, say) fails here too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.unit.test_layers import edges

ROOT = Path(__file__).resolve().parents[2]
DEMO = "shared/demo/"
#: what Core Tools never packs, whatever .funcignore says (FileSystemHelpers.GetLocalFiles)
ALWAYS_SKIPPED_FOLDERS = {".git", ".vscode"}
ALWAYS_SKIPPED_FILES = {".funcignore", ".gitignore", "local.settings.json", "project.lock.json"}


def _pattern(glob: str) -> str:
    escaped = re.sub(r"[\-\[\]/{}()+?.\\^$|]", lambda m: "\\" + m.group(0), glob)
    return escaped.replace("**", "(.+)").replace("*", "([^\\/]+)")


def _anchored(patterns: list[str]) -> re.Pattern[str]:
    if not patterns:
        return re.compile("$^")
    return re.compile("^((" + ")|(".join(_pattern(p) for p in sorted(patterns)) + "))")


def funcignore_accepts(text: str) -> Callable[[str], bool]:
    """Whether Core Tools packs a file, by its path from the app's root with ``/`` between parts."""
    positive: list[str] = []
    negative: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        line = line[1:] if negated else line
        line = line[1:] if line.startswith("/") else line
        (negative if negated else positive).append(line)
    keep, drop = _anchored(negative), _anchored(positive)
    return lambda path: bool(keep.match(path)) or not drop.match(path)


def _walk(root: Path) -> Iterator[Path]:
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d not in ALWAYS_SKIPPED_FOLDERS)
        for name in sorted(files):
            if name not in ALWAYS_SKIPPED_FILES:
                yield Path(folder, name)


def deployed_files(root: Path = ROOT) -> list[str]:
    """The files ``func azure functionapp publish`` would zip, as paths from the app's root."""
    accepts = funcignore_accepts((root / ".funcignore").read_text(encoding="utf-8"))
    paths = (path.relative_to(root).as_posix() for path in _walk(root))
    return [path for path in paths if accepts(path)]


def test_the_funcignore_reading_matches_core_tools_on_its_own_examples() -> None:
    accepts = funcignore_accepts("# comment\n.venv\ntests/\n*.pyc\n/docs/\n!docs/keep.md\n")
    assert not accepts(".venv/lib/x.py")
    assert not accepts("tests/unit/test_x.py")
    assert not accepts("x.pyc")
    assert not accepts("docs/a.md")
    assert accepts("docs/keep.md")
    assert accepts("shared/tests/x.py")  # anchored at the root, unlike git
    assert accepts("shared/x.pyc")  # '*' never crosses a '/'
    assert accepts("function_app.py")


def test_the_deployed_package_holds_no_fictional_or_hostile_data() -> None:
    files = deployed_files()
    assert "function_app.py" in files
    assert "host.json" in files
    assert any(path.startswith("shared/core/") for path in files)
    assert [path for path in files if path.startswith(DEMO)] == []
    assert not [path for path in files if path.startswith(("tests/", "benchmarks/"))]


def test_nothing_the_functions_app_may_import_needs_the_demo() -> None:
    graph: dict[str, set[str]] = {}
    for importer, imported in edges():
        graph.setdefault(importer, set()).add(imported)
    reached: set[str] = set()
    waiting = ["function_app", *(m for m in graph if m.split(".")[0] == "functions")]
    while waiting:
        module = waiting.pop()
        if module not in reached:
            reached.add(module)
            waiting.extend(graph.get(module, ()))
    # every import counts, including the ones inside functions that run only when a trigger fires
    assert not {m for m in reached if m.startswith("shared.demo")}
    assert "shared.services.reports.publish" in reached


def test_the_app_and_every_deployed_module_import_without_the_demo(tmp_path: Path) -> None:
    package = tmp_path / "package"
    for path in deployed_files():
        if "__pycache__" in path.split("/"):
            continue
        target = package / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / path, target)
    assert not (package / DEMO).exists()
    modules = sorted(
        ".".join(p.relative_to(package).with_suffix("").parts).removesuffix(".__init__")
        for folder in ("shared", "functions")
        for p in (package / folder).rglob("*.py")
    )
    code = (
        "import importlib, sys\n"
        "import function_app\n"
        "function_app.app.get_functions()\n"
        f"for name in {modules!r}:\n"
        "    module = importlib.import_module(name)\n"
        f"    assert module.__file__.startswith({str(package)!r}), module.__file__\n"
        "print(len([m for m in sys.modules if m.startswith('shared.demo')]))\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", code], cwd=package, capture_output=True, text=True, env=_without_path()
    )
    assert answer.returncode == 0, answer.stderr[-3000:]
    assert answer.stdout.strip() == "0"


def _without_path() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return env
