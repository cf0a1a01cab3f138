"""The layout shows the flow — registry → crawl (spiders, pipelines) → extract → archive →
research — and the imports keep to it: no cycle, and no room reaching into a later one."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import ROOT

PACKAGES = ("govcrawl", "pipelines")

# Which rooms each room may import (besides itself).  The CLI is the shell around all.
ALLOWED = {
    "govcrawl.registry": set(),
    "govcrawl.clock": set(),
    "govcrawl.extract": set(),
    # Storage never reads pages; it knows the canonical keys (the wide view's columns).
    "govcrawl.archive": {"govcrawl.clock", "govcrawl.extract.keys"},
    "govcrawl.crawl": {"govcrawl.registry", "govcrawl.clock", "govcrawl.archive", "govcrawl.extract", "pipelines"},
    "pipelines": {"govcrawl.crawl", "govcrawl.archive", "govcrawl.extract", "govcrawl.clock"},
    "govcrawl.research": {"govcrawl.archive", "govcrawl.extract.keys"},
    "govcrawl.demo": {"govcrawl.extract", "govcrawl.registry"},
    "govcrawl.cli": {"govcrawl", "pipelines"},
}


def modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            out[name.removesuffix(".__init__")] = path
    return out


def imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Every project module ``path`` imports, at module level or inside functions."""
    found = set()
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports(path, name, set(mods)) for name, path in mods.items()}


def room(module: str) -> str:
    return max((r for r in ALLOWED if module == r or module.startswith(r + ".")), key=len, default=module)


def test_no_module_imports_a_later_room():
    wrong = []
    for module, targets in graph().items():
        own = room(module)
        for target in targets:
            other = room(target)
            if other == own or target == "govcrawl":
                continue
            if not any(target == a or target.startswith(a + ".") for a in ALLOWED[own]):
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_there_is_no_import_cycle():
    edges = {m: {t for t in targets if t != "govcrawl"} for m, targets in graph().items()}
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" → ".join([*path[path.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_readme_layout_names_the_tree():
    """README's "Layout" section names every package of the tree, and nothing that is gone."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"^\s*((?:govcrawl|pipelines)/[\w/.]*)", layout, re.M))
    packages = {str(p.parent.relative_to(ROOT)) + "/" for p in ROOT.glob("govcrawl/*/**/__init__.py")}
    packages |= {"pipelines/"}
    assert {n if n.endswith("/") else n + "/" for n in named if (ROOT / n).is_dir()} == packages
    assert [n for n in named if not (ROOT / n).exists()] == []


def test_the_readme_layout_names_every_module():
    """A newcomer finds each module in the layout: its name is in the section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    modules = [*ROOT.glob("govcrawl/**/*.py"), *ROOT.glob("pipelines/*.py")]
    unnamed = [str(m.relative_to(ROOT)) for m in modules if m.stem not in ("__init__", "__main__")
               and not re.search(rf"(?<!\w){m.stem}(?!\w)", layout)]
    assert unnamed == []


def test_the_readme_lists_every_table_of_the_schema_once():
    from govcrawl.archive import schema

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| table | what |", 1)[1].split("\n\n", 1)[0]
    listed = re.findall(r"`(\w+)`", "\n".join(line.split("|")[1] for line in table.splitlines()[2:]))
    assert sorted(listed) == sorted([t.name for t in schema.TABLES] + [v.name for v in schema.VIEWS])
