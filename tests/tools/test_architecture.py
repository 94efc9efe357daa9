"""The README's package diagram is the code's (`python -m lobby_tools.architecture`)."""

from __future__ import annotations

from lobby_tools.architecture import edges, mermaid, nodes, readme_block
from tests.support import ROOT


def test_the_readme_diagram_is_drawn_from_the_code() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_block(readme) == mermaid(), "run: python -m lobby_tools.architecture, paste between the markers"


def test_the_diagram_sees_the_layers_and_no_forbidden_edge() -> None:
    import grimp

    from lobby_tools.architecture import ROOTS

    graph = grimp.build_graph(*ROOTS, exclude_type_checking_imports=True)
    found = set(edges(graph, nodes(graph)))
    assert ("assistant.web", "assistant.services") in found
    assert ("assistant.services", "assistant.store") in found
    assert ("assistant.web", "assistant.store") not in found  # the web reaches the store through the use cases
    assert ("assistant.web", "hardware") not in found
    assert not any(importer == "lobby_wire" for importer, _ in found)  # stdlib only
