"""The README and docs/ point at files and sections that exist.

Every relative Markdown link ``[text](path#anchor)`` in README.md and docs/*.md must name a file
or folder of the repository and, when it has an anchor into a Markdown file, one of that file's
headings, slugged as GitHub does (lower case, punctuation other than ``-`` and ``_`` dropped,
spaces to hyphens). docs/code-map.md lists every module of the package by layer, and no module
imports (at module level) from a later layer than its own.
"""
import ast
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


# -- docs/code-map.md: every module listed, imports keeping to its layers ----------------------
CODE_MAP = ROOT / "docs" / "code-map.md"
SOURCES = {"qasbench.algorithms": ROOT / "algorithms", "qasbench.problems": ROOT / "problems",
           "qasbench.experiments": ROOT / "experiments", "qasbench": ROOT / "qasbench"}
PLUGINS = 99  # the layer of algorithms/ and problems/: after every core layer


def module_name(path: Path) -> str:
    for package, folder in SOURCES.items():
        if folder in path.parents:
            parts = path.relative_to(folder).with_suffix("").parts
            return ".".join((package, *parts)).removesuffix(".__init__")
    raise AssertionError(path)


def source_files() -> list[Path]:
    return sorted(f for folder in SOURCES.values() for f in folder.rglob("*.py") if "__pycache__" not in f.parts)


def map_layers() -> dict[str, int]:
    """Module name -> layer: the number of its section in code-map.md ("## 3. Simulation"), or
    PLUGINS for the section on algorithms and problems."""
    layers, layer = {}, None
    for line in CODE_MAP.read_text().splitlines():
        if line.startswith("## "):
            number = re.match(r"## (\d+)\.", line)
            layer = int(number.group(1)) if number else PLUGINS
        for target in LINK.findall(line) if layer is not None else ():
            file = (CODE_MAP.parent / target).resolve()
            if file.suffix == ".py":
                layers[module_name(file)] = layer
    return layers


def top_level_imports(path: Path) -> set[str]:
    """The project modules ``path`` imports at module level (``from qasbench import x`` as
    qasbench.x where x is a module; relative imports resolved)."""
    name, found = module_name(path), set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: the package, or its parents, then the module named
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *([base] if base else [])])
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def test_code_map_lists_every_module():
    missing = sorted({module_name(f) for f in source_files()} - set(map_layers()))
    assert not missing, f"docs/code-map.md does not list: {missing}"


def test_imports_keep_to_the_code_maps_layers():
    layers = map_layers()
    upward = []
    for path in source_files():
        name = module_name(path)
        for imported in top_level_imports(path):
            if imported in layers and imported != name and layers[imported] > layers[name]:
                upward.append(f"{name} (layer {layers[name]}) imports {imported} (layer {layers[imported]})")
    assert not upward, "imports against the layers of docs/code-map.md:\n" + "\n".join(upward)
