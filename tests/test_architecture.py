"""Each rule has one home: the import graph and the calendar arithmetic, read from the source.

- The shared helpers under careprog/ (everything but the project's wiring: settings, URLs, WSGI,
  the base template's context, the roles and management commands) import no app, so either app
  can use them without a loop.
- The models of each app import no forms, views or services, directly or through other modules.
- ReportingPeriod and financial-year arithmetic are written once, in careprog/periods.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("actions", "kpis")
FIRST_PARTY = ("careprog", *APPS)
PERIODS = "careprog.periods"
# The project's wiring, which exists to join the apps together.
PROJECT_WIRING = (
    "careprog.settings",
    "careprog.urls",
    "careprog.wsgi",
    "careprog.asgi",
    "careprog.context_processors",
    "careprog.roles",
    "careprog.management",
)
LAYERS_ABOVE_MODELS = {"forms", "views", "services", "admin", "tables", "filters", "exports"}
CALENDAR_HELPERS = {
    "month_end",
    "months_before",
    "month_ends_between",
    "one_year_before",
    "financial_year_of",
    "financial_year_label",
    "months_into_financial_year",
    "is_month_end",
    "is_quarter_end",
    "last_day_of_month",
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules() -> dict[str, ast.Module]:
    """Every first-party module but migrations (frozen history) and tests."""
    modules = {}
    for package in FIRST_PARTY:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            modules[module_name(path)] = ast.parse(path.read_text(), filename=str(path))
    return modules


def imported_modules(name: str, tree: ast.Module) -> set[str]:
    """First-party modules a module imports anywhere in its body (functions included)."""
    package = name if tree_is_package(name) else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {m for m in found if m.split(".")[0] in FIRST_PARTY}


def tree_is_package(name: str) -> bool:
    return (ROOT / Path(*name.split(".")) / "__init__.py").exists()


def reachable(start: str, graph: dict[str, set[str]]) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in graph.get(todo.pop(), ()):
            if target in graph and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def is_wiring(name: str) -> bool:
    return any(name == w or name.startswith(f"{w}.") for w in PROJECT_WIRING)


def calendar_arithmetic(tree: ast.Module) -> list[str]:
    """Where a module does financial-year or month-end arithmetic itself."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "ReportingPeriod":
            found.append(f"line {node.lineno}: class ReportingPeriod")
        elif isinstance(node, ast.FunctionDef) and node.name in CALENDAR_HELPERS:
            found.append(f"line {node.lineno}: def {node.name}")
        elif isinstance(node, ast.Attribute) and node.attr == "monthrange":
            found.append(f"line {node.lineno}: calendar.monthrange")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            right = node.right.value if isinstance(node.right, ast.Constant) else None
            left = node.left
            # (year + 1) % 100: a financial year's label; (month - 4) % 12: months into the year.
            if right == 100 and isinstance(left, ast.BinOp) and isinstance(left.op, ast.Add):
                found.append(f"line {node.lineno}: (year + 1) % 100")
            if (
                right == 12
                and isinstance(left, ast.BinOp)
                and isinstance(left.op, ast.Sub)
                and isinstance(left.right, ast.Constant)
                and left.right.value == 4
            ):
                found.append(f"line {node.lineno}: (month - 4) % 12")
        elif isinstance(node, ast.Compare) and _is_april_test(node):
            found.append(f"line {node.lineno}: month compared with April")
    return found


def _is_april_test(node: ast.Compare) -> bool:
    """``day.month >= 4`` or ``month < 4``: where a financial year starts."""
    left = node.left
    named_month = (isinstance(left, ast.Attribute) and left.attr == "month") or (
        isinstance(left, ast.Name) and left.id == "month"
    )
    return (
        named_month
        and isinstance(node.ops[0], ast.GtE | ast.Lt)
        and isinstance(node.comparators[0], ast.Constant)
        and node.comparators[0].value == 4
    )


MODULES = source_modules()
GRAPH = {name: imported_modules(name, tree) for name, tree in MODULES.items()}


def test_the_shared_helpers_under_careprog_import_no_app():
    shared = [n for n in MODULES if n.startswith("careprog") and not is_wiring(n)]
    assert PERIODS in shared and "careprog.fields" in shared
    offenders = {
        name: sorted(m for m in GRAPH[name] if m.split(".")[0] in APPS)
        for name in shared
        if any(m.split(".")[0] in APPS for m in GRAPH[name])
    }
    assert offenders == {}


@pytest.mark.parametrize("models", ["actions.models", "kpis.models"])
def test_models_import_no_forms_views_or_services(models):
    above = sorted(
        m for m in reachable(models, GRAPH) if m.rpartition(".")[2] in LAYERS_ABOVE_MODELS
    )
    assert above == []


def test_reporting_periods_and_financial_year_arithmetic_live_only_in_careprog_periods():
    offenders = {
        name: found
        for name, tree in MODULES.items()
        if name != PERIODS and (found := calendar_arithmetic(tree))
    }
    assert offenders == {}
    assert calendar_arithmetic(MODULES[PERIODS]), "the checks must recognise the real thing"


@pytest.mark.parametrize(
    "source",
    [
        "class ReportingPeriod: pass",
        "import calendar\nlast = calendar.monthrange(2024, 2)[1]",
        "label = f'{year}-{(year + 1) % 100:02d}'",
        "months = (day.month - 4) % 12",
        "year = day.year if day.month >= 4 else day.year - 1",
        "def month_end(year, month): ...",
    ],
)
def test_the_calendar_check_recognises_each_way_of_re_deriving_a_period(source):
    assert calendar_arithmetic(ast.parse(source))


def test_the_import_walk_follows_relative_and_nested_imports():
    tree = ast.parse("from .models import Action\n\ndef f():\n    from kpis import views\n")
    assert imported_modules("actions.queries", tree) >= {"actions.models", "kpis.views"}
