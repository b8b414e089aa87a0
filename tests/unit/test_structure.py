"""The rooms of `roster` and which way imports may run (docs/architecture.md), checked on the source.

A module may import its own room and any room below it, never one above: monitoring announces a
found post and the workflow side reacts, instead of monitoring calling into workflows. Type-only
imports (`if TYPE_CHECKING:`) of the assembly (`roster.deps`) are allowed anywhere: the domain receives
the dependencies object without depending on how it is built.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROSTER = ROOT / "layers" / "shared" / "roster"

# Lowest first. A room may import rooms of a lower or equal rank.
RANKS: dict[str, int] = {
    "clock": 0,
    "ids": 0,
    "money": 0,
    "errors": 0,
    "redaction": 0,
    "settings": 0,
    "observability": 0,
    "web": 1,
    "models": 2,
    "store": 3,
    "adapters": 3,
    "auth": 4,
    "idempotency": 4,
    "program": 4,
    "links": 5,
    "conversions": 5,
    "reporting": 6,
    "outreach": 6,
    "monitoring": 6,
    "discovery": 6,  # reads monitoring's disclosure check and brand rules; nothing reads discovery below
    "workflows": 7,
    "deps": 8,
    "api": 9,
    "portal": 10,
}
# Rooms of one rank that must not import each other (they are siblings, not layers).
SIBLINGS = [
    {"links", "conversions"},
    {"reporting", "outreach", "monitoring"},
    {"reporting", "outreach", "discovery"},
    {"store", "adapters"},
]
KERNEL_LIMIT = 10  # top-level modules beside the packages (issue 13)


def _room(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "roster" and len(parts) > 1 else None


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported module, type-only) for every import in the file, lazy ones included."""
    tree = ast.parse(path.read_text(), str(path))
    type_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                for sub in ast.walk(inner):
                    type_only.add(id(sub))
    found: list[tuple[str, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in type_only) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "roster":
                found += [(f"roster.{alias.name}", id(node) in type_only) for alias in node.names]
            else:
                found.append((node.module, id(node) in type_only))
    return found


def _modules() -> list[Path]:
    return sorted(p for p in ROSTER.rglob("*.py") if "__pycache__" not in p.parts)


def _own_room(path: Path) -> str:
    rel = path.relative_to(ROSTER)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def test_every_room_has_a_rank() -> None:
    rooms = {_own_room(p) for p in _modules()} - {"__init__"}
    assert rooms <= set(RANKS), f"rooms without a rank: {sorted(rooms - set(RANKS))}"


def test_the_kernel_stays_small() -> None:
    top = [p.stem for p in ROSTER.glob("*.py") if p.stem != "__init__"]
    assert len(top) <= KERNEL_LIMIT, sorted(top)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROSTER)))
def test_imports_run_downward(path: Path) -> None:
    own = _own_room(path)
    upward = []
    for module, type_only in _imports(path):
        room = _room(module)
        if room is None or room == own or own == "__init__":
            continue
        if type_only and room == "deps":
            continue
        sideways = any({own, room} <= pair for pair in SIBLINGS)
        if RANKS[room] > RANKS[own] or sideways:
            upward.append(module)
    assert not upward, f"{path.relative_to(ROSTER)} imports {upward}"


def _calls(path: Path, names: set[str]) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = ast.unparse(node.func.value)
            if owner == "boto3" and node.func.attr in {"client", "resource"} and node.args:
                service = node.args[0]
                if isinstance(service, ast.Constant) and service.value in names:
                    found.append(f"line {node.lineno}")
    return found


def test_only_the_store_and_the_assembly_build_dynamodb_clients() -> None:
    allowed = {"store", "deps"}
    offenders = {
        str(p.relative_to(ROSTER)): where
        for p in _modules()
        if _own_room(p) not in allowed and (where := _calls(p, {"dynamodb"}))
    }
    assert offenders == {}


def test_functions_do_not_call_boto3() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / "functions").rglob("*.py"))
        if any(module == "boto3" or module.startswith("boto3.") for module, _ in _imports(p))
    ]
    assert offenders == []
