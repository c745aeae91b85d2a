"""The scripts under scripts/ import only what the package still has.

Scripts run rarely (they regenerate data or condense findings) and are not imported by the
tests, so a renamed function would break them unnoticed: every ``from qasbench... import name``
in a script must name a module and an attribute that exist. (The data-generation scripts also
import packages that belong to that step only, e.g. qiskit-ibm-runtime; those are not checked.)
"""
import ast
import importlib
from pathlib import Path

import pytest

SCRIPTS = sorted((Path(__file__).resolve().parents[1] / "scripts").glob("*.py"))


def package_imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) for every ``from qasbench... import name`` in the file."""
    tree = ast.parse(path.read_text())
    return [(node.module, alias.name) for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "qasbench"
            for alias in node.names]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_a_script_imports_names_the_package_has(script):
    missing = [f"{module}.{name}" for module, name in package_imports(script)
               if not hasattr(importlib.import_module(module), name)]
    assert not missing, f"{script.name} imports what the package no longer has: {missing}"


def test_the_check_sees_a_missing_name(tmp_path):
    script = tmp_path / "old.py"
    script.write_text("from qasbench.report import leaderboard, ranking_rules\n")
    assert package_imports(script) == [("qasbench.report", "leaderboard"), ("qasbench.report", "ranking_rules")]
    assert not hasattr(importlib.import_module("qasbench.report"), "ranking_rules")
