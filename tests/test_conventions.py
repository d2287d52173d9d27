"""Conventions of the layers that imports alone do not show, read from the source (ast):

- services build and run no SQL: all of it lives in storage/repositories. From SQLAlchemy a service
  may import only `AsyncSession` (as a type); it adds and flushes ORM rows, and that is all it does
  with a session (no execute/scalars/get/refresh, no SQL text);
- services open a write transaction only through the one use-case skeleton (services/usecase.py;
  services/audit.py, the trail's own storing and sealing, is the other);
- adapters (mcp, http, cli, widgets) never touch the database: no `.db` of the composition root."""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

ALLOWED_SQLALCHEMY = {("sqlalchemy.ext.asyncio", "AsyncSession")}
# Session (and connection) methods that run a statement.
RUNS_SQL = {
    "execute",
    "scalar",
    "scalars",
    "stream",
    "stream_scalars",
    "exec_driver_sql",
    "run_sync",
    "refresh",
    "connection",
    "get_one",
}
SESSION_NAMES = {"s", "session", "conn", "connection"}
SQL_TEXT = re.compile(r"^\s*(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|WITH\s+\w+\s+AS)\b")
WRITERS = {"services/usecase.py", "services/audit.py"}
ADAPTERS = ("mcp", "http", "cli", "widgets")


def _files(src: Path, folder: str) -> Iterator[tuple[str, ast.AST]]:
    for path in sorted((src / "frontdesk" / folder).rglob("*.py")):
        rel = path.relative_to(src / "frontdesk").as_posix()
        yield rel, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _receiver(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def service_sql(src: Path) -> list[str]:
    found = []
    for rel, tree in _files(src, "services"):
        for node in ast.walk(tree):
            where = f"{rel}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "sqlalchemy":
                        found.append(f"{where} imports {alias.name}")
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
                for alias in node.names:
                    if (node.module, alias.name) not in ALLOWED_SQLALCHEMY:
                        found.append(f"{where} imports {alias.name} from {node.module}")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                method, on = node.func.attr, _receiver(node.func.value)
                if method in RUNS_SQL or (method == "get" and on in SESSION_NAMES):
                    found.append(f"{where} runs a statement: {on}.{method}(...)")
            elif (
                isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_TEXT.match(node.value)
            ):
                found.append(f"{where} holds SQL text: {node.value[:40]!r}")
    return sorted(found)


def stray_writes(src: Path) -> list[str]:
    found = []
    for rel, tree in _files(src, "services"):
        if rel in WRITERS:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "write"
                and _receiver(node.func.value) == "db"
            ):
                found.append(f"{rel}:{node.lineno} opens its own write transaction (use UseCases.write/run)")
    return found


def adapter_db(src: Path) -> list[str]:
    found = []
    for folder in ADAPTERS:
        for rel, tree in _files(src, folder):
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr == "db":
                    found.append(f"{rel}:{node.lineno} uses .db (call a service instead)")
    return found


def test_services_build_no_sql() -> None:
    found = service_sql(SRC)
    assert not found, "SQL belongs in storage/repositories:\n" + "\n".join(found)


def test_services_write_only_through_the_skeleton() -> None:
    found = stray_writes(SRC)
    assert not found, "\n".join(found)


def test_adapters_never_touch_the_database() -> None:
    found = adapter_db(SRC)
    assert not found, "\n".join(found)


def test_the_checks_catch_what_they_are_for(tmp_path: Path) -> None:
    """The checkers themselves, on made-up sources: each breach is reported."""
    files = {
        "services/fine.py": """\
            from sqlalchemy.ext.asyncio import AsyncSession
            async def f(s: AsyncSession, row: object, uc: object) -> None:
                s.add(row)
                await s.flush()
                {}.get("x")
                await uc.run(f)
            """,
        "services/bad.py": """\
            import sqlalchemy
            from sqlalchemy import select, func
            async def f(s, db, m):
                await s.execute(select(m))
                await s.get(m, 1)
                await s.refresh(m)
                q = "SELECT id FROM patients"
                async with db.write() as t:
                    pass
            """,
        "mcp/tool.py": "async def f(app):\n    async with app.db.read() as s:\n        pass\n",
    }
    for name, text in files.items():
        path = tmp_path / "frontdesk" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    for folder in ("http", "cli", "widgets"):
        (tmp_path / "frontdesk" / folder).mkdir()
    sql = service_sql(tmp_path)
    assert sorted(f.split(" ", 1)[0] for f in sql) == [
        "services/bad.py:1",
        "services/bad.py:2",
        "services/bad.py:2",
        "services/bad.py:4",
        "services/bad.py:5",
        "services/bad.py:6",
        "services/bad.py:7",
    ], sql
    assert stray_writes(tmp_path) == [
        "services/bad.py:8 opens its own write transaction (use UseCases.write/run)"
    ]
    assert adapter_db(tmp_path) == ["mcp/tool.py:2 uses .db (call a service instead)"]
