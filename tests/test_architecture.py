"""The house rules, checked: one subpackage per pipeline stage, imports that flow one way
(function-local imports included), no cycles, at most 8 top-level modules."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
BASE = {"generator", "generator.errors", "generator.console", "generator.files", "generator.workers",
        "generator.signals"}
# What each stage may import, besides the base modules: only stages before it in the pipeline.
ALLOWED = {
    "content": set(),
    "sources": {"content"},
    "analysis": {"content"},
    "site": {"content", "analysis"},
    "render": {"content", "analysis", "site"},
    "search": {"content", "site"},
    "build": {"content", "analysis", "site", "render", "search"},
    "serve": {"content", "analysis", "site", "render", "search", "build"},
    "commands": {"content", "sources", "analysis", "site", "render", "search", "build", "serve", "commands"},
    "cli": {"commands"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[str, int, bool]]:
    """(imported generator module, line, inside a function) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            if name == "generator" or name.startswith("generator."):
                found.append((name, node.lineno, False))
    local = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
             for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom))}
    lines = {n.lineno for n in ast.walk(tree) if id(n) in local}
    return [(name, line, line in lines) for name, line, _ in found]


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for target, _, _ in imports_of(path):
            while target not in modules and "." in target:  # 'generator.site.urls' or a name in a module
                target = target.rsplit(".", 1)[0]
            if target in modules and target != name:
                edges[name].add(target)
    return edges


def stage(module: str) -> str:
    parts = module.split(".")
    if module in BASE:
        return "base"
    return "cli" if parts[1] == "__main__" else parts[1]


def test_at_most_8_top_level_modules_and_one_package_per_stage():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 8, top
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert packages == set(ALLOWED) - {"cli"}


def test_no_function_local_imports_of_litsite_modules():
    local = [f"{p.relative_to(PACKAGE.parent)}:{line} imports {name}" for p in PACKAGE.rglob("*.py")
             for name, line, inside in imports_of(p) if inside]
    assert local == []


def test_imports_flow_one_way_through_the_pipeline():
    wrong = []
    for module, targets in graph().items():
        for target in targets:
            if stage(target) == "base":
                continue
            if stage(module) == "base":
                wrong.append(f"{module} (base) imports {target}")
            elif stage(target) != stage(module) and stage(target) not in ALLOWED[stage(module)]:
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_there_is_no_import_cycle():
    edges = graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                cycles.append(trail[trail.index(target):] + [target] if target in trail else [node, target])
            elif target not in state:
                visit(target, trail + [target])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert cycles == []
