"""The core holds the framework's rules and imports nothing but the standard library,
``holidays`` and ``tomllib`` (style notes: no SDK, file format, network or clock)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import shared.core

CORE = Path(shared.core.__file__).parent
ALLOWED_THIRD_PARTY = {"holidays"}
FORBIDDEN_STDLIB = {"socket", "urllib", "http", "sqlite3", "zipfile", "subprocess", "time"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0] if not node.module.startswith("shared.") else node.module)
    return names


def test_the_core_imports_only_the_standard_library_and_holidays() -> None:
    for path in CORE.glob("*.py"):
        for name in imported_modules(path):
            if name.startswith("shared."):
                assert name.startswith("shared.core"), f"{path.name} imports {name}"
                continue
            assert name in sys.stdlib_module_names or name in ALLOWED_THIRD_PARTY, (
                f"{path.name} imports {name}"
            )
            assert name not in FORBIDDEN_STDLIB, f"{path.name} imports {name}"


def test_the_core_never_reads_the_clock() -> None:
    for path in CORE.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call in ("date.today(", "datetime.now(", "datetime.utcnow(", "time.time("):
            assert call not in text, f"{path.name} reads the clock with {call}"
