"""Packages depend one way (README "Layout", DESIGN.md §2): read from the code, every import of
a ``docflow`` package by another must point down the layers below; ``docflow`` never imports
``workers``. A new package fails here until its layer is declared."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The architecture itself: a package may import only packages of a lower layer (and itself).
LAYERS = [
    {"config", "core"},
    {"audit", "outbox", "rendering", "ocr"},
    {"tenancy"},
    {"notifications"},
    {"documents"},
    {"routing"},
    {"exchange", "reports", "records"},
    {"restructuring"},  # a merger moves copies, drafts and work files across agencies
    {"api", "web"},
    {"demo"},  # seed_demo tells its story through every package's services
    {"settings", "urls", "wsgi", "asgi"},
]
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def package_of(path: Path) -> str:
    parts = path.relative_to(ROOT / "docflow").parts
    return parts[0].removesuffix(".py")


def imported_packages(path: Path) -> list[tuple[int, str]]:
    """(line, package) for every ``docflow.<package>`` or ``workers`` import of a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "docflow":
                names = [f"docflow.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "workers":
                found.append((node.lineno, "workers"))
            elif parts[0] == "docflow" and len(parts) > 1:
                found.append((node.lineno, parts[1]))
    return found


def source_files() -> list[Path]:
    return [p for p in (ROOT / "docflow").rglob("*.py") if "migrations" not in p.parts]


def test_every_package_has_a_declared_layer():
    undeclared = sorted({package_of(p) for p in source_files()} - set(RANK) - {"__init__"})
    assert undeclared == [], f"declare the layer of {undeclared} in LAYERS (and in the README)"


def test_no_package_imports_one_above_or_beside_it_nor_workers():
    wrong = []
    for path in source_files():
        own = package_of(path)
        if own == "__init__":
            continue
        for line, target in imported_packages(path):
            if target == own:
                continue
            if target == "workers" or RANK.get(target, 99) >= RANK[own]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert wrong == []


def test_the_check_sees_an_upward_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from docflow.web.views import common\nimport workers.tasks\n", encoding="utf-8")
    assert imported_packages(sample) == [(1, "web"), (2, "workers")]
