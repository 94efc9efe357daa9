"""The package diagram of the README, drawn from the code: which package imports which.

`python -m lobby_tools.architecture` prints a Mermaid flowchart of the direct imports between the
packages (function-level imports included, type-checking-only imports left out, like the
contracts). The README's "Architecture" section holds its output between two markers;
`tests/tools/test_architecture.py` fails when the README's copy differs from the code.
"""

from __future__ import annotations

import sys
from itertools import permutations

import grimp

ROOTS = ("lobby_wire", "assistant", "hardware", "kiosk", "announcer", "actions", "lobby", "lobby_tools")
SPLIT = "assistant"  # the hub is drawn by its layers, the other packages whole
BEGIN, END = "<!-- architecture:begin -->", "<!-- architecture:end -->"


def nodes(graph: grimp.ImportGraph) -> list[str]:
    """Every root package, with the hub split into its sub-packages and top-level modules."""
    found = [root for root in ROOTS if root != SPLIT]
    found += sorted(graph.find_children(SPLIT))
    return [node for node in found if node != f"{SPLIT}.__main__"]


def edges(graph: grimp.ImportGraph, names: list[str]) -> list[tuple[str, str]]:
    """(importer, imported) for each pair with a direct import between them (any module of each)."""
    return sorted(
        (a, b)
        for a, b in permutations(names, 2)
        if not (b.startswith(a + ".") or a.startswith(b + "."))
        and graph.direct_import_exists(importer=a, imported=b, as_packages=True)
    )


def mermaid() -> str:
    graph = grimp.build_graph(*ROOTS, exclude_type_checking_imports=True)
    names = nodes(graph)
    ids = {name: name.replace(".", "_") for name in names}
    lines = ["```mermaid", "flowchart LR"]
    lines += [f'    {ids[name]}["{name}"]' for name in names]
    lines += [f"    {ids[a]} --> {ids[b]}" for a, b in edges(graph, names)]
    lines.append("```")
    return "\n".join(lines) + "\n"


def readme_block(readme: str) -> str:
    """The diagram the README holds now (between the markers)."""
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return readme[start:end].strip("\n") + "\n"


if __name__ == "__main__":
    sys.stdout.write(mermaid())
