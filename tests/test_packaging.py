"""Packaging, tested as a user installs: the wheel in a fresh virtualenv, and the example plugin
(examples/plugin, a separate distribution) joining through entry points alone.

Each virtualenv sees this environment's packages (pip included) so nothing is downloaded; what it
installs itself (the wheel, the plugin) comes first on its path. Sources are
copied before building, so no build output lands in the checkout (nor stale output in a wheel).
"""
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


_NOT_SOURCE = shutil.ignore_patterns(".git", "build", "dist", "results", "reports", ".asv", "*.egg-info",
                                     "__pycache__", ".benchmarks", ".hypothesis", ".pytest_cache")


def _source_copy(source: Path, into: Path) -> Path:
    shutil.copytree(source, into, ignore=_NOT_SOURCE)
    return into


def _venv(path: Path) -> Path:
    """A virtualenv whose own site-packages come first, then this process's (pip included),
    whether this process runs in the system interpreter or in a virtualenv of its own."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    python = path / "bin" / "python"
    own = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True).stdout.strip()
    parents = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    Path(own, "_parent_environment.pth").write_text(
        "".join(f"import site; site.addsitedir({p!r})\n" for p in parents))
    return python


def _pip_install(python: Path, *args) -> None:
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", *args], check=True, capture_output=True, text=True)


def _run(python: Path, *args, cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([str(python), *args], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _build_requirements_met() -> None:
    """The wheel is built without isolation, so with this environment's build backend: fail in
    one line, naming the requirement, where it is missing or too old (a plain ``python -m venv``
    brings setuptools 65)."""
    from importlib import metadata

    from packaging.requirements import Requirement

    from qasbench.tomlfile import read_toml

    for text in read_toml(ROOT / "pyproject.toml", "project file")["build-system"]["requires"]:
        requirement = Requirement(text)
        try:
            found = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            found = None
        assert found is not None and requirement.specifier.contains(found, prereleases=True), (
            f"building the wheel needs {text} in this environment; found {found or 'none'}")


def test_wheel_installs_every_subpackage(tmp_path):
    """Build the wheel, install it without -e in a fresh venv, import every module of
    algorithms/ and problems/ from it, and resolve every registered name."""
    _build_requirements_met()
    _run(Path(sys.executable), "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path / "dist"), str(_source_copy(ROOT, tmp_path / "src")), cwd=tmp_path)
    [wheel] = (tmp_path / "dist").glob("qasbench-*.whl")
    python = _venv(tmp_path / "venv")
    _pip_install(python, str(wheel))
    script = textwrap.dedent("""
        import importlib, json, pkgutil, qasbench, qasbench.algorithms, qasbench.problems
        from qasbench import registry
        modules = [m.name for pkg in (qasbench.algorithms, qasbench.problems)
                   for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")]
        for name in modules:
            importlib.import_module(name)
        for kind in registry.GROUPS:
            for name in registry.names(kind):
                {"algorithm": registry.algorithm_class, "problem": lambda n: registry.load_problem(
                    n.replace("<n>", "4")), "noise": registry.load_noise,
                 "optimizer": registry.make_optimizer}[kind](name)
        print(json.dumps({"file": qasbench.__file__, "modules": modules,
                          "algorithms": registry.names("algorithm")}))
    """)
    found = json.loads(_run(python, "-c", script, cwd=tmp_path).stdout)
    assert found["file"].startswith(str(tmp_path / "venv"))  # the wheel's copy, not the checkout
    sources = {p.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")
               for d in ("algorithms", "problems") for p in (ROOT / d).rglob("*.py") if p.name != "__init__.py"}
    expected = {"qasbench." + s for s in sources} | {
        "qasbench." + p.parent.relative_to(ROOT).as_posix().replace("/", ".")
        for d in ("algorithms", "problems") for p in (ROOT / d).rglob("__init__.py") if p.parent != ROOT / d}
    assert expected <= set(found["modules"])
    assert len(found["algorithms"]) == 15


def test_core_imports_no_algorithm_or_problem_module():
    script = ("import sys, qasbench.cli, qasbench.runner, qasbench.report, qasbench.verify, qasbench.evaluator, "
              "qasbench.registry, qasbench.config, qasbench.testing; "
              "print([m for m in sys.modules if m.startswith(('qasbench.algorithms', 'qasbench.problems'))])")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory):
    root = tmp_path_factory.mktemp("plugin")
    python = _venv(root / "venv")
    _pip_install(python, str(_source_copy(ROOT / "examples" / "plugin", root / "plugin-src")))
    grid = root / "grid.toml"
    grid.write_text('name = "with-plugin"\nproblems = ["ising-ring-4q", "h2-2q"]\nnoise = ["noiseless"]\n'
                    'seeds = [0, 1]\nbudget = 400\n[algorithms.greedy]\n[algorithms.random]\n'
                    'evaluations_per_circuit = 80\n[algorithms.hea]\n')
    return root, python, grid


def test_plugin_is_listed_and_passes_the_conformance_check(plugin_env):
    root, python, _ = plugin_env
    listed = json.loads(_run(python, "-m", "qasbench.cli", "algorithms", "--json", cwd=root).stdout)
    greedy = next(row for row in listed if row["name"] == "greedy")
    assert (greedy["distribution"], greedy["version"]) == ("qasbench-example-plugin", "0.1.0")
    assert greedy["hyperparameters"]["candidates"] == 6
    problems = json.loads(_run(python, "-m", "qasbench.cli", "problems", "--json", cwd=root).stdout)
    assert "ising-ring-4q" in {row["id"] for row in problems}
    _run(python, "-c", "from qasbench import registry; from qasbench.testing import check_algorithm; "
         "check_algorithm(registry.algorithm_class('greedy'))", cwd=root)


@pytest.fixture(scope="module")
def pool_out(plugin_env):
    """The grid (the plugin's algorithm beside two built-ins) run by `qasbench run --workers 2`."""
    root, python, grid = plugin_env
    out = root / "out-pool"
    _run(python, "-m", "qasbench.cli", "run", str(grid), "--out", str(out), "--workers", "2", cwd=root)
    return out


def test_plugin_runs_in_a_two_worker_grid_then_verifies_and_reports(plugin_env, pool_out):
    root, python, _ = plugin_env
    out = pool_out
    records = [json.loads(p.read_text()) for p in out.glob("*.json")]
    assert len(records) == 12
    mine = [r for r in records if r["algorithm"] == "greedy"]
    plugin = {"distribution": "qasbench-example-plugin", "version": "0.1.0"}
    assert len(mine) == 4 and all(r["providers"]["algorithm"] == plugin for r in mine)
    assert all(r["providers"]["problem"] == plugin for r in records if r["problem"] == "ising-ring-4q")
    assert all(r["providers"]["noise"]["distribution"] == "qasbench" for r in records)
    _run(python, "-m", "qasbench.cli", "verify", str(out), cwd=root)
    _run(python, "-m", "qasbench.cli", "report", str(out), "--out", str(root / "report"), cwd=root)
    page = (root / "report" / "index.html").read_text()
    assert "<td>greedy</td>" in page and 'id="ising-ring-4q"' in page


def test_plugin_runs_on_a_dask_local_cluster(plugin_env, pool_out):
    root, python, grid = plugin_env
    script = textwrap.dedent(f"""
        from distributed import LocalCluster
        from qasbench.runner import Experiment, run_grid
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            counts = run_grid(Experiment.from_toml({str(grid)!r}).configs, {str(root / "out-dask")!r},
                              executor="dask", scheduler=cluster.scheduler_address)
        assert counts["done"] == 12 and counts["failed"] == 0, counts
    """)
    _run(python, "-c", script, cwd=root)
    pool = {p.name: json.loads(p.read_text()) for p in pool_out.glob("*.json")}
    dask = {p.name: json.loads(p.read_text()) for p in (root / "out-dask").glob("*.json")}
    assert set(pool) == set(dask)
    for name, record in dask.items():  # the same records whichever executor ran them
        assert (record["best_energy"], record["circuit"], record["history"]) == (
            pool[name]["best_energy"], pool[name]["circuit"], pool[name]["history"])
