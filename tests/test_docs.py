"""The README and docs/ point at files and sections that exist.

Every relative Markdown link ``[text](path#anchor)`` in README.md and docs/*.md must name a file
or folder of the repository and, when it has an anchor into a Markdown file, one of that file's
headings, slugged as GitHub does (lower case, punctuation other than ``-`` and ``_`` dropped,
spaces to hyphens).
"""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {slug(line.lstrip("#")) for line in page.read_text().splitlines() if line.startswith("#")}


def relative_links(page: Path) -> list[str]:
    return [target for target in LINK.findall(page.read_text()) if not re.match(r"[a-z]+:", target)]


def test_slug_follows_github():
    assert slug(" Measured: inner optimizers (`qasbench bench-optim`, 20 seeds)") == \
        "measured-inner-optimizers-qasbench-bench-optim-20-seeds"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page):
    broken = []
    for target in relative_links(page):
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(target)
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(target)
    assert not broken, f"{page.name}: links to nothing: {broken}"
