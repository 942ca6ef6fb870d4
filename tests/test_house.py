"""The house as drawn (README "Where things live", DESIGN §11): read every module's imports
with ast and hold the rooms to their order, the modules to no circle, and the sizes to the
house rules. It reads the source, so it runs in a moment and needs nothing installed.

Rooms from the ground up; a room imports only rooms below it (its own modules freely, but
never in a circle). cli and simulation are the roof: no product room imports them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("eop", "validators", "ledger", "templates", "intake", "outbox", "jobs", "kpi", "service")
ROOF = ("cli", "simulation")
ROOMS = PRODUCT + ROOF
# What each room may import besides itself: the order of "The house as drawn".
MAY_IMPORT: dict[str, set[str]] = {
    "eop": set(),
    "validators": {"eop"},
    "ledger": {"eop"},
    "templates": {"eop"},
    "intake": {"eop", "validators", "ledger"},
    "outbox": {"eop", "templates", "ledger"},
    "jobs": {"eop", "validators", "ledger", "templates", "intake", "outbox"},
    "kpi": {"eop", "validators", "ledger", "templates", "intake", "outbox", "jobs"},
    "service": set(PRODUCT) - {"service"},
    "cli": set(ROOMS) - {"cli"},
    "simulation": set(ROOMS) - {"simulation"},
}
# Arrows the house forbids that are still standing while the rooms are being moved; each
# has its own expected failure below, and the main test ignores only these.
MODULE_LINES, FUNCTION_LINES = 400, 40
EXEMPT = ("flat table", "template")  # a docstring saying so lets a function run longer


@dataclass(frozen=True)
class Arrow:
    source: str  # the importing module
    target: str  # the module imported (or its package when the name is not a module)
    line: int
    top: bool  # at module level (runs on import), not inside a function or under TYPE_CHECKING


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for room in ROOMS
        for path in sorted((ROOT / room).rglob("*.py"))
        if "__pycache__" not in path.parts
    }


@cache
def tree(name: str) -> ast.Module:
    return ast.parse(modules()[name].read_text(encoding="utf-8"), filename=str(modules()[name]))


def room(name: str) -> str:
    return name.split(".")[0]


def _resolve(name: str) -> str | None:
    """The module of the house a dotted name lands in (the longest that exists)."""
    while name:
        if name in modules():
            return name
        name = name.rpartition(".")[0]
    return None


def _targets(node: ast.Import | ast.ImportFrom, source: str) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
        return
    base = node.module or ""
    if node.level:  # relative: from the importing module's package
        package = source.split(".")
        package = package[: len(package) - node.level + (source in _packages())]
        base = ".".join([*package, base] if base else package)
    for alias in node.names:
        yield f"{base}.{alias.name}"  # `from ledger import workflow` names a module


@cache
def _packages() -> set[str]:
    return {name for name, path in modules().items() if path.name == "__init__.py"}


def _walk(node: ast.AST, top: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, top
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _walk(child, False)
        elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            yield from _walk(child, False)
        else:
            yield from _walk(child, top)


@cache
def arrows() -> tuple[Arrow, ...]:
    found = []
    for source in modules():
        for node, top in _walk(tree(source), True):
            for name in _targets(node, source):
                target = _resolve(name)
                if target is not None and target != source:
                    found.append(Arrow(source, target, node.lineno, top))
    return tuple(found)


def forbidden(arrow: Arrow) -> bool:
    here, there = room(arrow.source), room(arrow.target)
    return here != there and there not in MAY_IMPORT[here]


def cycles(*, local: bool = False) -> list[list[str]]:
    """The import circles among modules, each as the modules around it (Tarjan's components):
    through module-level imports, or (`local`) through function-local ones too."""
    graph: dict[str, set[str]] = {name: set() for name in modules()}
    for arrow in arrows():
        if arrow.top or local:
            graph[arrow.source].add(arrow.target)
    return [sorted(c) for c in _components(graph) if len(c) > 1 or c[0] in graph[c[0]]]


def _components(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def long_functions() -> list[str]:
    found = []
    for name in modules():
        for node in ast.walk(tree(name)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            said = (ast.get_docstring(node) or "").lower()
            if length > FUNCTION_LINES and not any(word in said for word in EXEMPT):
                found.append(f"{name}.{node.name} ({length} lines, line {node.lineno})")
    return found


def big_modules() -> list[str]:
    found = []
    for name, path in modules().items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MODULE_LINES:
            found.append(f"{name} ({lines} lines)")
    return found


def _shown(arrow: Arrow) -> str:
    where = "" if arrow.top else " (inside a function)"
    return f"{arrow.source} → {arrow.target} (line {arrow.line}){where}"


# -- the tests ---------------------------------------------------------------------------------
def test_the_house_reads_every_room():
    assert {room(name) for name in modules()} == set(ROOMS)
    assert len(arrows()) > 100  # the reader finds the imports (a broken reader finds none)


def test_no_room_imports_a_room_above_it():
    wrong = [_shown(a) for a in arrows() if forbidden(a)]
    assert not wrong, "arrows the house forbids:\n" + "\n".join(wrong)


def test_no_import_circle_between_modules():
    found = cycles()
    assert not found, "import circles:\n" + "\n".join(" ↔ ".join(c) for c in found)


def test_no_function_local_import_dodges_a_circle():
    """A function-local import is for a heavy library, never to hide a circle between modules."""
    found = cycles(local=True)
    assert not found, "import circles through function-local imports:\n" + "\n".join(
        " ↔ ".join(c) for c in found
    )


def test_the_checks_see_a_forbidden_arrow_and_a_circle():
    """The checks themselves, on a drawn example: the ground importing the roof, and two
    modules importing each other."""
    assert forbidden(Arrow("eop.config", "cli.main", 1, True))
    assert not forbidden(Arrow("cli.main", "eop.config", 1, True))
    assert _components({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["b", "a"], ["c"]]


def test_no_module_over_400_lines():
    found = big_modules()
    assert not found, "modules over 400 lines:\n" + "\n".join(found)


def test_functions_say_why_they_run_over_40_lines():
    found = long_functions()
    assert not found, (
        "functions over 40 lines whose docstring does not say they are a flat table or a "
        "template:\n" + "\n".join(found)
    )
