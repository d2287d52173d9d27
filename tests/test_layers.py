"""The layers' import rule, read from the source (ast), so a violation fails here and not in review.

    domain  <-  storage  <-  services  <-  adapters (mcp, http, cli, widgets)

- domain imports only the standard library and frontdesk.domain;
- storage imports domain and storage (and third-party packages);
- services import domain, storage and services;
- adapters import domain, services, the composition root and each other, never storage;
- frontdesk.composition, the composition root, may import every layer;
- the platform (frontdesk.logs, frontdesk.telemetry: how the process logs and traces, set up by the
  entry points) imports nothing of Frontdesk's layers, and every layer but domain may import it.

`frontdesk` itself (the version) and `frontdesk.data` (packaged data files) may be imported by all.
Every import counts: at module level, inside functions, under TYPE_CHECKING, relative ones, and a
constant module name handed to importlib.import_module. An import of a frontdesk module that does not
exist fails too (a module moved without updating its importers)."""

from __future__ import annotations

import ast
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

ADAPTERS = ("mcp", "http", "cli", "widgets")
PLATFORM = ("logs", "telemetry")
SHARED = {"frontdesk", "frontdesk.data"}
# What each layer may import (besides SHARED); None: anything.
ALLOWED: dict[str, set[str] | None] = {
    "domain": {"domain"},
    "storage": {"domain", "storage", "platform"},
    "services": {"domain", "storage", "services", "platform"},
    "adapter": {"domain", "services", "adapter", "composition", "platform"},
    "composition": None,
    "platform": {"platform"},
}


def layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "frontdesk" or len(parts) < 2:
        return None
    if parts[1] in ADAPTERS:
        return "adapter"
    if parts[1] in PLATFORM:
        return "platform"
    return parts[1] if parts[1] in ALLOWED else None


def modules(src: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted((src / "frontdesk").rglob("*.py")):
        rel = path.relative_to(src).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path


def exists(src: Path, module: str) -> bool:
    base = src.joinpath(*module.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imports(src: Path, module: str, path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from frontdesk import storage` imports the subpackage, not the root.
            subs = [f"{target}.{a.name}" for a in node.names if exists(src, f"{target}.{a.name}")]
            for name in subs or [target]:
                yield node.lineno, name
        elif (
            isinstance(node, ast.Call)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (isinstance(node.func, ast.Name) and node.func.id == "import_module")
            )
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value
        elif isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Tuple | ast.List):
            # A module-level list of module names to import later (cli/stdio.py's DEFERRED_MODULES).
            names = [e.value for e in node.value.elts if isinstance(e, ast.Constant)]
            if names and all(isinstance(n, str) and n.startswith("frontdesk.") for n in names):
                for name in names:
                    yield node.lineno, str(name)


def violations(src: Path) -> list[str]:
    found = []
    for module, path in modules(src):
        where = f"{module} ({path.relative_to(src.parent)}"
        own = layer(module)
        if own is None and module not in SHARED:
            found.append(f"{where}) belongs to no layer: put it in domain, storage, services or an adapter")
            continue
        for line, target in imports(src, module, path):
            top = target.split(".")[0]
            if top == "frontdesk":
                if not exists(src, target):
                    found.append(f"{where}:{line}) imports {target}, which does not exist")
                    continue
                if target in SHARED:
                    continue
                allowed = set() if own is None else ALLOWED[own]  # a shared module imports no layer
                if allowed is not None and layer(target) not in allowed:
                    rule = f"{own} may import only {', '.join(sorted(allowed))}" if own else "no layer"
                    found.append(f"{where}:{line}) imports {target}: {rule}")
            elif own == "domain" and top not in sys.stdlib_module_names:
                found.append(f"{where}:{line}) imports {target}: domain uses the standard library only")
    return found


def test_every_import_points_down() -> None:
    found = violations(SRC)
    assert not found, "imports that break the layer rule:\n" + "\n".join(found)


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_the_rule_catches_each_kind_of_violation(tmp_path: Path) -> None:
    """The checker itself, on a made-up tree: each bad import is reported, with its module and line."""
    empty = ""
    src = _tree(
        tmp_path / "src",
        {
            "frontdesk/__init__.py": "from frontdesk.services import x\n",
            "frontdesk/domain/__init__.py": empty,
            "frontdesk/domain/rules.py": "import json\nimport pydantic\n",
            "frontdesk/storage/__init__.py": empty,
            "frontdesk/storage/db.py": "from frontdesk.services import x\n",
            "frontdesk/services/__init__.py": empty,
            "frontdesk/services/x.py": "from frontdesk.storage import db\nfrom frontdesk.mcp import tool\n",
            "frontdesk/composition.py": "from frontdesk.storage.db import *\nfrom frontdesk.mcp import tool",
            "frontdesk/mcp/__init__.py": empty,
            "frontdesk/mcp/tool.py": """\
                from typing import TYPE_CHECKING
                from frontdesk.services import x
                if TYPE_CHECKING:
                    from frontdesk.storage.db import Database
                def late():
                    from ..storage import db
                """,
            "frontdesk/cli/__init__.py": empty,
            "frontdesk/cli/main.py": """\
                import importlib
                from frontdesk import storage
                from frontdesk.services.gone import Thing
                LATER = ("frontdesk.composition", "frontdesk.storage.db")
                importlib.import_module("frontdesk.storage")
                """,
            "frontdesk/stray.py": empty,
        },
    )
    found = violations(src)
    expected = [
        "frontdesk (src/frontdesk/__init__.py:1) imports frontdesk.services.x: no layer",
        "frontdesk.domain.rules (src/frontdesk/domain/rules.py:2) imports pydantic",
        "frontdesk.storage.db (src/frontdesk/storage/db.py:1) imports frontdesk.services.x",
        "frontdesk.services.x (src/frontdesk/services/x.py:2) imports frontdesk.mcp.tool",
        "frontdesk.mcp.tool (src/frontdesk/mcp/tool.py:4) imports frontdesk.storage.db",
        "frontdesk.mcp.tool (src/frontdesk/mcp/tool.py:6) imports frontdesk.storage.db",
        "frontdesk.cli.main (src/frontdesk/cli/main.py:2) imports frontdesk.storage",
        "frontdesk.cli.main (src/frontdesk/cli/main.py:3) imports frontdesk.services.gone, which does not",
        "frontdesk.cli.main (src/frontdesk/cli/main.py:4) imports frontdesk.storage.db",
        "frontdesk.cli.main (src/frontdesk/cli/main.py:5) imports frontdesk.storage",
        "frontdesk.stray (src/frontdesk/stray.py) belongs to no layer",
    ]
    reported = "\n".join(found)
    for start in expected:
        assert any(f.startswith(start) for f in found), f"not reported: {start}\nreported:\n{reported}"
    assert len(found) == len(expected), reported
