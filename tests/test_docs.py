"""The documentation by reader stays what it says: a short README that starts with the two
commands, an operator's guide that names every setting, decision records in one shape, and no
link between them that leads nowhere. (CI runs the guides' commands: .ci/production-check,
.ci/local-check, tests/test_backup.py.)"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
OPERATING = DOCS / "operating.md"
# Where the environment is read: settings' typed helpers, manage.py's local file, the reminders.
READS_ENVIRONMENT = [
    ROOT / "careprog" / "settings.py",
    ROOT / "manage.py",
    ROOT / "careprog" / "links.py",
]
VARIABLE_READ = re.compile(
    r"""(?:env_\w+|environ\.get|getenv)\(\s*["']([A-Z][A-Z0-9_]+)["']|_ENV\s*=\s*["']([A-Z_]+)["']"""
)


def markdown_files():
    return [README, *sorted(DOCS.rglob("*.md"))]


def github_anchor(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_readme_is_at_most_150_lines_and_starts_with_the_two_commands():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 150
    start = "\n".join(lines[:6])
    assert "make run" in start and "make test" in start
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


def test_the_readme_points_each_reader_to_their_guide():
    readme = README.read_text(encoding="utf-8")
    for where in [
        "/help/",
        "docs/operating.md",
        "docs/contributing.md",
        "docs/decisions/",
        "fixtures/README.md",
        "benchmarks/README.md",
    ]:
        assert where in readme, where


def environment_variables_read(source: str) -> set[str]:
    return {a or b for a, b in VARIABLE_READ.findall(source)}


def test_the_variable_finder_recognises_each_way_the_code_reads_one():
    source = (
        'A = env_int("ONE", 1)\nB = os.environ.get("TWO", "")\n'
        'C = os.getenv("THREE")\nBASE_URL_ENV = "FOUR"\n'
    )
    assert environment_variables_read(source) == {"ONE", "TWO", "THREE", "FOUR"}


def test_the_operators_guide_names_every_environment_variable_the_code_reads():
    read = set().union(*(environment_variables_read(p.read_text()) for p in READS_ENVIRONMENT))
    assert {"DEBUG", "SECRET_KEY", "CAREPROG_ENV_FILE", "CAREPROG_BASE_URL"} <= read
    guide = OPERATING.read_text(encoding="utf-8")
    assert sorted(name for name in read | {"DATABASE_URL"} if f"`{name}`" not in guide) == []


@pytest.mark.parametrize("path", sorted(DOCS.glob("decisions/0*.md")), ids=lambda path: path.name)
def test_each_decision_record_gives_its_context_decision_and_consequences(path):
    text = path.read_text(encoding="utf-8")
    number = int(path.name[:4])
    assert text.startswith(f"# {number}. ")
    assert [h for h in re.findall(r"^## (.+)$", text, re.M)] == [
        "Context",
        "Decision",
        "Consequences",
    ]


@pytest.mark.parametrize("path", markdown_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_link_between_the_guides_leads_somewhere(path):
    broken = []
    for link in re.findall(r"\]\(([^)\s]+)\)", path.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", link):
            continue  # another site
        target, _, anchor = link.partition("#")
        file = (path.parent / target).resolve() if target else path
        if not file.exists():
            broken.append(link)
        elif anchor and file.suffix == ".md":
            headings = re.findall(r"^#+ (.+)$", file.read_text(encoding="utf-8"), re.M)
            if anchor not in {github_anchor(h) for h in headings}:
                broken.append(link)
    assert broken == []
