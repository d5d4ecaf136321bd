"""The README stays a short front page; the documentation's links and the code names the
architecture page gives a newcomer lead somewhere real."""

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
CODE_NAME = re.compile(r"`(stories(?:\.\w+)+)`")


def test_the_readme_is_at_most_8_kb():
    assert README.stat().st_size <= 8 * 1024


def test_the_readme_links_every_page_of_the_docs():
    linked = {ROOT / target for target in LINK.findall(README.read_text())}
    assert set(DOCS) <= linked


@pytest.mark.parametrize("page", [README, *DOCS], ids=lambda page: page.name)
def test_every_relative_link_of_a_page_leads_to_a_file(page):
    for target in LINK.findall(page.read_text()):
        if "://" not in target:
            assert (page.parent / target).exists(), f"{page.name} links to {target}, which does not exist"


def resolve(dotted):
    """The module, class, function or attribute a dotted name designates."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for name in parts[split:]:
            found = getattr(found, name)
        return found
    raise ModuleNotFoundError(dotted)


def test_every_function_the_architecture_page_names_exists():
    names = set(CODE_NAME.findall((ROOT / "docs" / "architecture.md").read_text()))
    assert len(names) > 20
    missing = []
    for name in sorted(names):
        try:
            resolve(name)
        except (ImportError, AttributeError):
            missing.append(name)
    assert not missing, f"docs/architecture.md names what the code does not hold: {missing}"


def test_every_environment_variable_the_code_reads_is_documented():
    documented = README.read_text() + "".join(page.read_text() for page in DOCS)
    sources = [ROOT / "newsroom" / "settings.py", ROOT / "gunicorn.conf.py", *ROOT.glob("stories/**/*.py")]
    read = set()
    for source in sources:
        read |= set(re.findall(r"\"((?:DJANGO|NEWSROOM)_[A-Z_]+)\"", source.read_text()))
    assert len(read) > 10
    assert not sorted(name for name in read if name not in documented)
