"""The design as tests that can fail, read from the source: the import graph, the size of
modules, and the calendar arithmetic.

- Dependencies run one way: careprog's shared modules ← kpis ← actions. No module of kpis
  imports actions (the catalogue knows no programme; actions registers its use of the
  catalogue with kpis.evidence).
- The shared helpers under careprog/ (everything but the project's wiring: settings, URLs, WSGI,
  the base template's context, the roles and management commands) import no app, so either app
  can use them without a loop.
- The models of each app import no forms, views or services, directly or through other modules.
- No module outside migrations is longer than 500 lines, but for a short list, each with why.
- ReportingPeriod and financial-year arithmetic are written once, in careprog/periods.py.

Each check is also run on snippets that break it, so that it cannot pass by finding nothing.
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
# Each app imports only the layers below it; careprog's shared modules are below both.
LAYERS_BELOW = {"kpis": {"careprog"}, "actions": {"careprog", "kpis"}}
LONGEST_MODULE = 500
# Modules allowed past LONGEST_MODULE lines, and why they are still one module each.
LONG_MODULES = {
    # A streaming reader of the XLSX format: its parts share one parse of the package.
    "kpis.importing.reader": 800,
    # Every chart and its text description, side by side so that they cannot disagree.
    "kpis.charts": 650,
    # DfE's LAIT files: one reader of their many layouts, one bulk loader of what it read.
    "kpis.lait.reading": 650,
    "kpis.lait.loading": 600,
    # The committee paper as Word: one document built top to bottom.
    "actions.papers.word": 600,
}
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


def module_lengths() -> dict[str, int]:
    return {
        module_name(path): len(path.read_text().splitlines())
        for package in FIRST_PARTY
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
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


def imports_against_the_layers(graph: dict[str, set[str]]) -> dict[str, list[str]]:
    """Modules of an app that import an app not below it."""
    found = {}
    for name, targets in graph.items():
        app = name.split(".")[0]
        if app not in LAYERS_BELOW:
            continue
        allowed = LAYERS_BELOW[app] | {app}
        wrong = sorted(t for t in targets if t.split(".")[0] not in allowed)
        if wrong:
            found[name] = wrong
    return found


def upper_layers_reached(models: str, graph: dict[str, set[str]]) -> list[str]:
    """Modules of a layer above models (forms, views, services…) that ``models`` reaches."""
    return sorted(
        m
        for m in reachable(models, graph)
        if set(m.split(".")[1:]) & LAYERS_ABOVE_MODELS and m.split(".")[0] in APPS
    )


def too_long(lengths: dict[str, int]) -> dict[str, int]:
    return {
        name: length
        for name, length in lengths.items()
        if length > LONG_MODULES.get(name, LONGEST_MODULE)
    }


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
    assert f"{models}.catalogue" in GRAPH or f"{models}.hierarchy" in GRAPH, "a package"
    assert upper_layers_reached(models, GRAPH) == []


def test_dependencies_run_one_way_careprog_then_kpis_then_actions():
    assert any(m.startswith("kpis") for m in GRAPH["actions.evidence"]), "actions uses kpis"
    assert imports_against_the_layers(GRAPH) == {}


def test_no_module_is_longer_than_500_lines_but_the_few_agreed():
    lengths = module_lengths()
    assert set(LONG_MODULES) <= set(lengths), "the agreed list names real modules"
    assert too_long(lengths) == {}


@pytest.mark.parametrize(
    "name, source",
    [
        ("kpis.readings", "from actions.models import Objective"),
        ("kpis.views.pages", "import actions.evidence"),
        ("kpis.models.catalogue", "def f():\n    from actions import models"),
        ("kpis.importing.rows", "from ...actions import views"),
    ],
)
def test_the_layer_check_finds_kpis_importing_actions_however_written(name, source):
    graph = {name: imported_modules(name, ast.parse(source))}
    assert list(imports_against_the_layers(graph)) == [name]


def test_the_layer_check_lets_actions_import_kpis_and_careprog():
    graph = {
        "actions.evidence": imported_modules(
            "actions.evidence", ast.parse("from kpis.readings import readings\nimport careprog")
        )
    }
    assert imports_against_the_layers(graph) == {}


@pytest.mark.parametrize("upper", ["kpis.views.pages", "kpis.forms", "actions.papers.services"])
def test_the_models_check_finds_a_view_form_or_service_reached_through_another_module(upper):
    graph = {
        "kpis.models": {"kpis.models.catalogue"},
        "kpis.models.catalogue": {"kpis.rating"},
        "kpis.rating": {upper},
        upper: set(),
    }
    assert upper_layers_reached("kpis.models", graph) == [upper]


def test_the_length_check_finds_a_long_module_and_one_past_its_agreed_length():
    lengths = {
        "kpis.readings": 501,
        "kpis.charts": 651,
        "kpis.rating": 500,
        "actions.papers.word": 600,
    }
    assert too_long(lengths) == {"kpis.readings": 501, "kpis.charts": 651}


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


def test_the_risk_register_reads_no_committee_paper():
    """Papers show the register as at their date (actions.risks.queries.register_as_at), so
    actions/papers may read the register; the register never reads a paper, which would make
    a loop."""
    register = [name for name in MODULES if name.startswith("actions.risks")]
    assert "actions.risks.queries" in register
    offenders = {
        name: sorted(m for m in GRAPH[name] if m.startswith("actions.papers"))
        for name in register
        if any(m.startswith("actions.papers") for m in GRAPH[name])
    }
    assert offenders == {}
    snippet = ast.parse("from actions.papers import content")
    assert "actions.papers" in imported_modules("actions.risks.x", snippet) or any(
        m.startswith("actions.papers") for m in imported_modules("actions.risks.x", snippet)
    )
