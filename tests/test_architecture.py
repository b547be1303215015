"""Layering rules that keep services reusable from the CLI."""

import ast
from pathlib import Path

import bot

PACKAGE = Path(bot.__file__).parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_services_search_and_knowledge_never_import_telegram():
    layers = ["services", "search", "knowledge", "db"]
    offenders = [
        str(path.relative_to(PACKAGE))
        for layer in layers
        for path in (PACKAGE / layer).rglob("*.py")
        if any(name == "telegram" or name.startswith("telegram.") for name in _imports(path))
    ]
    assert offenders == []


def test_modules_stay_small():
    too_big = [
        (str(p.relative_to(PACKAGE)), n)
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 320
    ]
    assert too_big == []
