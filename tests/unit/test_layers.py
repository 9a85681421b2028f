"""The layers a newcomer can see (issue 17), grown from the core's purity test.

Each folder of ``shared/`` is a layer, and imports run only downwards::

    entry (cli, functions)  ->  demo (fictional data, for the CLI's demo only)
      -> bootstrap (the one place adapters are chosen)
        -> adapters (lists, mail, state, forms, registers, documents, azure)
          -> services.ports (the small interfaces adapters implement)
        -> services (workflow, programme, moderation, reports)
          -> core (the framework's rules and entities)
    config: the one home of the environment, imported by anything but the core

Adapters see the ports, never the services that use them. Every import counts, including the
ones inside functions. No two packages may import each other, directly or round a circle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / "shared"

#: layer -> the layers it may import (besides itself)
MAY_IMPORT: dict[str, set[str]] = {
    "core": set(),
    "config": set(),
    "services": {"core", "config", "ports"},
    "ports": {"core"},
    "adapters": {"core", "config", "ports"},
    "bootstrap": {"core", "config", "ports", "services", "adapters"},
    "demo": {"core", "config", "ports", "services", "adapters", "bootstrap"},
    "entry": {"core", "config", "ports", "services", "adapters", "bootstrap", "demo"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] in {"functions", "function_app"}:
        return "entry"
    if module.startswith("shared.services.ports"):
        return "ports"
    if len(parts) == 1:
        return "shared"
    return parts[1]


def package_of(module: str) -> str:
    """The unit circles are looked for in: ``shared.services.workflow``, ``shared.config``."""
    parts = module.split(".")
    if parts[0] != "shared" or len(parts) == 1:
        return parts[0]
    return (
        ".".join(parts[:3])
        if parts[1] in {"services", "adapters", "entry"} and len(parts) > 2
        else ".".join(parts[:2])
    )


def product_modules() -> Iterator[Path]:
    yield from sorted(SHARED.rglob("*.py"))
    yield from sorted((ROOT / "functions").rglob("*.py"))
    yield ROOT / "function_app.py"


def imports_of(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")[: -node.level + (1 if path.name == "__init__.py" else 0) or None]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield module
            for alias in node.names:
                yield f"{module}.{alias.name}"
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) == "__import__"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value


def known_modules() -> set[str]:
    return {module_name(path) for path in product_modules()}


def edges() -> set[tuple[str, str]]:
    known = known_modules()
    found: set[tuple[str, str]] = set()
    for path in product_modules():
        here = module_name(path)
        for name in imports_of(path):
            if name.split(".")[0] not in {"shared", "functions", "function_app"}:
                continue
            target = name
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != here:
                found.add((here, target))
    return found


def test_every_folder_of_shared_is_a_layer() -> None:
    layers = {layer_of(module_name(p)) for p in SHARED.rglob("*.py")}
    assert layers <= {*MAY_IMPORT, "shared"}, layers - set(MAY_IMPORT)


def test_imports_run_only_downwards() -> None:
    upward = []
    for importer, imported in sorted(edges()):
        low, high = layer_of(importer), layer_of(imported)
        if low == high or high == "shared" or high in MAY_IMPORT.get(low, set()):
            continue
        upward.append(f"{importer} ({low}) imports {imported} ({high})")
    assert not upward, "\n".join(upward)


def test_no_two_packages_import_each_other() -> None:
    graph: dict[str, set[str]] = {}
    for importer, imported in edges():
        a, b = package_of(importer), package_of(imported)
        if a != b:
            graph.setdefault(a, set()).add(b)
    circles = [component for component in strongly_connected(graph) if len(component) > 1]
    assert not circles, "circles: " + "; ".join(" <-> ".join(sorted(c)) for c in circles)


def test_the_environment_is_read_only_in_config() -> None:
    """One home for the environment (issue 17): anything else is given Settings, or asks
    shared.config for a secret when it uses it."""
    readers = []
    for path in product_modules():
        if path == SHARED / "config.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            named = (
                node.attr
                if isinstance(node, ast.Attribute)
                else node.id
                if isinstance(node, ast.Name)
                else node.name
                if isinstance(node, ast.alias)
                else ""
            )
            if named in {"environ", "getenv", "environb", "getenvb"}:
                readers.append(f"{module_name(path)}:{node.lineno if hasattr(node, 'lineno') else '?'}")
    assert not readers, "the environment read outside shared/config.py: " + ", ".join(readers)


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative enough for a few dozen packages."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, set()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.add(top)
                if top == node:
                    break
            components.append(component)

    for node in list(graph):
        if node not in index:
            visit(node)
    return components
