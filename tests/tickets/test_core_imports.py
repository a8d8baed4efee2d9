"""The ticket core announces, it does not reach up (issue 15): no module under gongdan/tickets
imports an app built on top of it, not even inside a function. Their reactions are hooks they
register themselves (tickets/services/hooks.py)."""

import ast
from pathlib import Path

import gongdan.tickets

HIGHER_APPS = ("triage", "routing", "sla", "feedback", "automation", "intake", "web", "portal")
TICKETS = Path(gongdan.tickets.__file__).parent


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [(node.lineno, node.module)] + [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module",
            "__import__",
        ):
            found += [(node.lineno, arg.value) for arg in node.args if isinstance(arg, ast.Constant)]
    return found


def _reaches_up(module: str) -> bool:
    parts = module.split(".")
    return len(parts) >= 2 and parts[0] == "gongdan" and parts[1] in HIGHER_APPS


def test_the_scan_sees_imports_inside_functions_and_by_name():
    source = "def f():\n    from gongdan.sla import services\n    importlib.import_module('gongdan.web.views')\n"
    modules = [m for _, m in _imported_modules(ast.parse(source))]
    assert [m for m in modules if _reaches_up(m)] == ["gongdan.sla", "gongdan.sla.services", "gongdan.web.views"]
    assert not _reaches_up("gongdan.tickets.models") and not _reaches_up("gongdan.core.errors")


def test_gongdan_tickets_imports_no_higher_app():
    files = sorted(TICKETS.rglob("*.py"))
    assert len(files) > 15  # the scan really walks the package
    offenders = [
        f"{path.relative_to(TICKETS)}:{line} imports {module}"
        for path in files
        for line, module in _imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        if _reaches_up(module)
    ]
    assert offenders == []


def test_no_private_helper_is_imported_across_modules():
    """Shared helpers have public names; a leading underscore stays inside its module."""
    offenders = []
    for path in sorted(TICKETS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gongdan."):
                offenders += [
                    f"{path.relative_to(TICKETS)}: {node.module}.{alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_") and not alias.name.startswith("__")
                ]
    assert offenders == []
