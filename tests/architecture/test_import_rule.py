"""The one-way import rule of docs/architecture.md, checked on every run of ./scripts/test.

The records core (`disclosure`) never imports a context app; no app imports `portal`; a context
imports another context only along the few edges listed here (each one says why). Imports are
read with `ast`, so an import inside a function counts as well.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = "disclosure"
CONTEXTS = {"applications", "plans", "reports", "exchange", "search"}
SITE = "portal"

#: Context -> context edges that are allowed, and why. Anything else is a violation.
ALLOWED_BETWEEN_CONTEXTS = {
    # The auditors' export of plan items, and its admin action on the plan items.
    ("exchange", "plans"),
    # An import re-indexes the records it published; generate_records likewise.
    ("exchange", "search"),
    # The annual report counts the year's 依申请公开 requests (its table three).
    ("reports", "applications"),
    # 导出所选申请 writes through the project's one export writer (formula cells neutralized).
    ("applications", "exchange"),
}

#: Historical migrations name the field helpers where they live now (Django imports them).
EXEMPT = {"disclosure/migrations/0004_requests.py", "disclosure/migrations/0010_search.py"}


def imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(name.split(".")[0] for name in names)
    return found & (CONTEXTS | {CORE, SITE})


def edges() -> dict[tuple[str, str], list[str]]:
    result: dict[tuple[str, str], list[str]] = {}
    for app in sorted(CONTEXTS | {CORE, SITE}):
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in EXEMPT:
                continue
            for target in imported_apps(path) - {app}:
                result.setdefault((app, target), []).append(relative)
    return result


def violations(graph: dict[tuple[str, str], list[str]]) -> list[str]:
    found = []
    for (source, target), files in sorted(graph.items()):
        if target == SITE:
            found.append(f"{source} imports portal: {files}")
        elif source == CORE:
            found.append(f"the records core imports the context {target}: {files}")
        elif (
            source in CONTEXTS
            and target in CONTEXTS
            and (source, target) not in ALLOWED_BETWEEN_CONTEXTS
        ):
            found.append(f"{source} imports {target} (not an allowed edge): {files}")
    return found


def test_imports_go_one_way():
    assert violations(edges()) == []


def test_the_allowed_context_edges_have_no_cycle():
    targets = {
        source: {t for s, t in ALLOWED_BETWEEN_CONTEXTS if s == source} for source in CONTEXTS
    }
    for start in CONTEXTS:
        seen, todo = set(), list(targets[start])
        while todo:
            node = todo.pop()
            assert node != start, f"cycle through {start}"
            if node not in seen:
                seen.add(node)
                todo.extend(targets[node])


def test_the_check_finds_a_core_module_importing_a_context(tmp_path):
    """The rule can fail: a core module that imports a context app, or any app importing the
    site, is reported."""
    module = tmp_path / "bad.py"
    module.write_text("from applications.models import InformationRequest\nimport portal.urls\n")
    assert imported_apps(module) == {"applications", "portal"}
    graph = {
        ("disclosure", "applications"): ["bad.py"],
        ("plans", "portal"): ["bad.py"],
        ("plans", "search"): ["bad.py"],
    }
    assert len(violations(graph)) == 3
