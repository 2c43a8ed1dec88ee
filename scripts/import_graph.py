#!/usr/bin/env python3
"""Draws each crate's module graph from its own `crate::` paths and finds the circles.

A module is a file (`foo.rs`, or `foo/mod.rs` for the folder). An edge A → B means a file of
A names `crate::B` (in a `use`, or a path in code): A depends on B. Circles make a module
impossible to read or test alone, so CI refuses them (`--check`).

    scripts/import_graph.py            # every crate: its circles and longest file
    scripts/import_graph.py --check    # exit 1 when any crate has a circle
    scripts/import_graph.py --edges    # also print every edge
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CRATES = {"carnet (app)": ROOT / "src", "carnet-core": ROOT / "crates/core/src",
          "carnet-server": ROOT / "crates/server/src"}

# `crate::a::b`, and the groups of `use crate::{a, b::c}`.
PATH = re.compile(r"\bcrate::([a-z_][a-z0-9_]*)")
GROUP = re.compile(r"\buse\s+crate::\{([^;]*)\}\s*;", re.S)
COMMENT = re.compile(r"//[^\n]*")


def module_of(src: Path, file: Path) -> str | None:
    """The top-level module a file belongs to (`None` for lib.rs, main.rs and bin/)."""
    rel = file.relative_to(src)
    if rel.parts[0] == "bin" or rel.name in ("lib.rs", "main.rs") and len(rel.parts) == 1:
        return None
    return rel.parts[0].removesuffix(".rs")


def sub_module_of(src: Path, file: Path) -> str:
    """The file's own module path inside its crate (`storage::journal`)."""
    rel = file.relative_to(src).with_suffix("")
    parts = [p for p in rel.parts if p != "mod"]
    return "::".join(parts)


def edges(src: Path) -> dict[str, set[str]]:
    """Top-level module → the top-level modules it names."""
    graph: dict[str, set[str]] = {}
    for file in sorted(src.rglob("*.rs")):
        module = module_of(src, file)
        if module is None:
            continue
        text = COMMENT.sub("", file.read_text(encoding="utf-8"))
        # Test modules may reach anywhere: they are not part of the dependency order.
        text = re.split(r"#\[cfg\(test\)\]", text)[0]
        named = set(PATH.findall(text))
        for group in GROUP.findall(text):
            for item in group.split(","):
                head = item.strip().split("::")[0].strip()
                if re.fullmatch(r"[a-z_][a-z0-9_]*", head):
                    named.add(head)
        graph.setdefault(module, set()).update(n for n in named if n != module)
    return graph


def file_edges(src: Path) -> dict[str, set[str]]:
    """Each file (as its module path) → the module paths it names, for circles inside folders."""
    graph: dict[str, set[str]] = {}
    modules = {sub_module_of(src, f) for f in src.rglob("*.rs") if module_of(src, f)}
    for file in sorted(src.rglob("*.rs")):
        if module_of(src, file) is None:
            continue
        me = sub_module_of(src, file)
        text = COMMENT.sub("", file.read_text(encoding="utf-8"))
        text = re.split(r"#\[cfg\(test\)\]", text)[0]
        found = set()
        for m in re.finditer(r"\b(crate|super)((?:::[a-z_][a-z0-9_]*)+)", text):
            base = [] if m.group(1) == "crate" else me.split("::")[:-1]
            parts = base + m.group(2).strip(":").split("::")
            # The longest prefix that is a module file.
            for n in range(len(parts), 0, -1):
                candidate = "::".join(parts[:n])
                if candidate in modules:
                    found.add(candidate)
                    break
        graph[me] = {f for f in found if f != me and not me.startswith(f + "::")}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, result = {}, {}, [], set(), []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return result


def main() -> int:
    check = "--check" in sys.argv
    show_edges = "--edges" in sys.argv
    found = 0
    for name, src in CRATES.items():
        files = [f for f in src.rglob("*.rs")]
        longest = max(files, key=lambda f: len(f.read_text(encoding="utf-8").splitlines()))
        lines = len(longest.read_text(encoding="utf-8").splitlines())
        graph = file_edges(src)
        found_here = circles(graph)
        found += len(found_here)
        print(f"{name}: {len(found_here)} circle(s); longest file {longest.relative_to(ROOT)} ({lines} lines)")
        for circle in found_here:
            print("  circle: " + " ↔ ".join(circle))
        if show_edges:
            for module in sorted(graph):
                print(f"  {module} → {', '.join(sorted(graph[module]))}")
    if check and found:
        print(f"import_graph: {found} circle(s); a module must not depend on one that depends on it")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
