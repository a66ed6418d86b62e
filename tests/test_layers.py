"""The domain stays pure: no web framework, ORM, queue or clock-bound I/O in service/domain."""

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).parent.parent / "service" / "domain"
FORBIDDEN = {"litestar", "piccolo", "arq", "redis", "asyncpg", "aiosqlite", "models", "httpx"}


@pytest.mark.parametrize("module", sorted(DOMAIN.glob("*.py")), ids=lambda path: path.name)
def test_domain_module_imports_no_infrastructure(module):
    tree = ast.parse(module.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & FORBIDDEN, f"{module.name} imports {imported & FORBIDDEN}"
