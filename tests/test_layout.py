"""The layout rules import-linter cannot see (DESIGN.md §2, issue 14): it reads the product's packages,
these rules are about the tests and the size of modules.

* Only the tools' own tests (tests/tools) import the tools package: a test that needs a benchmark's
  constant or helper is testing the benchmark, or should own its data.
* No module of the product is over 400 lines (a module that long does several jobs); data tables are
  the named exceptions.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support import ROOT

PACKAGES = (
    "assistant", "kiosk", "hardware", "announcer", "actions", "lobby", "lobby_tools", "lobby_wire", "rasa_addons",
)  # fmt: skip
MAX_LINES = 400
DATA_TABLES: frozenset[str] = frozenset()  # modules that are data, not code (none today)


def imported_roots(path: Path) -> set[str]:
    """Top-level names of every module `path` imports, function-level imports included."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_only_the_tools_tests_import_the_tools() -> None:
    tests = ROOT / "tests"
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted(tests.rglob("*.py"))
        if (tests / "tools") not in path.parents and "lobby_tools" in imported_roots(path)
    ]
    assert offenders == []


def test_the_scanner_sees_function_level_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from lobby_tools.bench import x\n    import lobby.cli\n")
    assert imported_roots(module) == {"lobby_tools", "lobby"}


def test_no_product_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
        and str(path.relative_to(ROOT)) not in DATA_TABLES
    }
    assert long == {}
