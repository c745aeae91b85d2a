"""The ``qasbench`` command line. Bad input: one line on stderr and exit code 2."""
from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import tempfile
from dataclasses import MISSING, fields, replace
from importlib import resources
from pathlib import Path

from qasbench import __version__, registry

EXIT_USAGE = 2
CALIBRATION_HELP = ("reuse the cost model's calibration stored in FILE where this code on this CPU made it, "
                    "and add this one's there (JSON, one per code and CPU); `run` prints the estimate before it starts")


class CLIError(Exception):
    """A user error: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit code 2), like every other user error."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"qasbench: error: {self.prog.split()[-1]}: {message} (see --help)\n")


def _print_table(rows: list[dict], columns: list[str], float_format: str = "") -> None:
    """Aligned columns; floats shown with ``float_format`` (default: full precision)."""
    def cell(value) -> str:
        return format(value, float_format) if isinstance(value, float) else f"{value}"

    widths = {c: max(len(c), *(len(cell(r[c])) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(cell(row[c]).ljust(widths[c]) for c in columns))


def _listed_problems() -> list[str]:
    """Registered problems; each family (a name with ``<n>``) at 4 and 6 qubits."""
    return [name.replace("<n>", str(n)) for name in registry.names("problem")
            for n in ((4, 6) if "<n>" in name else (None,))]


def cmd_problems(args) -> None:
    rows = []
    for name in _listed_problems():
        row = registry.load_problem(name).summary()
        rows.append({**row, "id": name, **registry.provider("problem", name)})
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        _print_table(rows, ["id", "n_qubits", "n_terms", "ground_energy", "standard_budget", "distribution"])


def cmd_noise(args) -> None:
    rows = [{"name": n, "description": registry.load_noise(n).description, **registry.load_noise(n).to_dict(),
             **registry.provider("noise", n)} for n in registry.names("noise")]
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    for row in rows:
        print(f"{row['name']}: {row['description']} ({row['distribution']} {row['version']})")
        print("    " + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                  for k, v in row.items()
                                  if k not in ("name", "description", "distribution", "version")))


def _default(f) -> object:
    if f.default is not MISSING:
        return f.default
    return f.default_factory() if f.default_factory is not MISSING else None


def cmd_algorithms(args) -> None:
    rows = []
    for name, entry in registry.entries("algorithm").items():
        cls = registry.algorithm_class(name)
        rows.append({"name": name, "class": entry.target, **entry.provider(),
                     "hyperparameters": {f.name: _default(f) for f in fields(cls) if f.init}})
    if args.json:
        print(json.dumps(rows, indent=1, default=str))
        return
    for row in rows:
        print(f"{row['name']}: {row['class']} ({row['distribution']} {row['version']})")
        print("    " + (", ".join(f"{k}={v!r}" for k, v in row["hyperparameters"].items()) or "no hyperparameters"))


def _default_suite() -> Path:
    return Path(str(resources.files("qasbench.experiments").joinpath("quick.toml")))


def _names_suite(spec: str) -> bool:
    """A suite id (not a file): ``lite-v1``; experiment files end in .toml."""
    return not spec.endswith(".toml") and not Path(spec).exists()


def _grid(spec: str | None) -> tuple[str, list, dict]:
    """(name, configurations, record tags) of a suite id (``lite-v1``), an experiment file, or
    the default grid when ``spec`` is None."""
    from qasbench.runner import Experiment
    from qasbench.suite import Suite

    if spec is not None and _names_suite(spec):
        suite = Suite.load(spec)
        return suite.id, suite.configs(), suite.tags
    experiment = Experiment.from_toml(spec or _default_suite())
    return experiment.name, experiment.configs, {}


def _check_out(out: Path) -> None:
    """Refuse an --out that is a file or cannot be written, before any run."""
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out {out} is an existing file, not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise CLIError(f"--out {out} cannot be written: {exc.strerror or exc}") from None


def _params(text: str | None) -> dict:
    if not text:
        return {}
    try:
        params = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CLIError(f"--params is not valid JSON: {exc}") from None
    if not isinstance(params, dict):
        raise CLIError(f"--params must be a JSON object of hyperparameters, e.g. '{{\"optimizer\": \"spsa\"}}', "
                       f"got {text!r}")
    return params


def cmd_run(args) -> int:
    from qasbench.config import RunConfig
    from qasbench.runner import run_grid

    single = [args.algorithm, args.problem]
    suite_run = bool(args.experiment and _names_suite(args.experiment))
    if args.experiment and any(single) and not suite_run:
        raise CLIError("give either an experiment file or --algorithm/--problem, not both "
                       "(a suite takes --algorithm, --problem and --noise: a method, and cells, of the suite)")
    if (args.method or args.seeds is not None) and not suite_run:
        raise CLIError("--method and --seeds select runs of a suite, e.g. `qasbench run lite-v1 --method random "
                       "--seeds 0-4`")
    if args.workers < 1:
        raise CLIError(f"--workers must be at least 1, got {args.workers}")
    if args.executor == "dask" and not args.scheduler:
        raise CLIError("--executor dask needs --scheduler ADDRESS (e.g. tcp://host:8786)")
    if suite_run:
        name, configs, tags, out = _suite_runs(args)
    elif any(single):
        if not all(single):
            raise CLIError("a single run needs both --algorithm and --problem")
        configs = [RunConfig(args.algorithm, args.problem, args.noise or "noiseless", args.seed or 0, args.budget,
                             args.shots, args.max_gates, _params(args.params), args.timeout,
                             args.mitigation or "none")]
        out = Path(args.out or "results")
        if (out / configs[0].record_name).exists():
            raise CLIError(f"{out / configs[0].record_name} already exists; nothing was run or "
                           "overwritten (use another --out or remove the file)")
        name, tags = "single run", {}
    else:
        overrides = {k: getattr(args, k) for k in ("noise", "seed", "budget", "shots", "max_gates", "params",
                                                   "mitigation") if getattr(args, k) is not None}
        if overrides:
            raise CLIError(f"--{sorted(overrides)[0].replace('_', '-')} applies to a single run; "
                           "set it in the experiment file instead")
        name, configs, tags = _grid(args.experiment)
        configs = _with_timeout(configs, args.timeout)
        out = Path(args.out or Path("results") / name)
    if args.dry_run:
        left = [c for c in configs if not (out / c.record_name).exists()]
        if len(left) < len(configs):  # what `run` would do: finished records are kept
            print(f"qasbench: {len(configs) - len(left)} of the {len(configs)} run(s) have records in {out}/ "
                  f"already; estimating the {len(left)} left", file=sys.stderr)
        if left:
            _print_estimate(left, calibration=args.calibration)
        return 0
    _stored_calibration(args.calibration)  # a bad file is refused before --out is made
    _check_out(out)
    if args.calibration:  # the predicted cost first (calibrating what the file does not cover)
        _print_estimate(configs, calibration=args.calibration)
    print(f"qasbench: {name}: {len(configs)} run(s) into {out}/", file=sys.stderr)
    counts = run_grid(configs, out, workers=args.workers, executor=args.executor, scheduler=args.scheduler,
                      reuse_stale=args.reuse_stale, tags=tags, cheapest_first=args.cheapest_first)
    then = ""
    if suite_run:
        after = f"compare {out} --suite {tags['suite']}" if args.algorithm else f"report {out}"
        then = f" (then: qasbench verify {out}; qasbench {after})"
    print(f"qasbench: {counts['done']} run, {counts['skipped']} already done, "
          f"{counts['rerun_corrupt']} corrupt re-run, {counts['failed']} failed; records in {out}/{then}",
          file=sys.stderr)
    return 1 if counts["failed"] else 0


def _with_timeout(configs: list, timeout: float | None) -> list:
    """``--timeout`` applied to every run of a grid or suite (it overrides a grid's own)."""
    return configs if timeout is None else [replace(c, timeout_s=timeout) for c in configs]


def _suite_runs(args) -> tuple[str, list, dict, Path]:
    """(name, configurations, record tags, output directory) of ``qasbench run SUITE``: the runs
    :func:`_suite_selection` keeps, into results/<suite>, or with ``--algorithm`` into
    results/<suite>-<label>; everything else the suite fixes."""
    overrides = [k for k in ("seed", "budget", "shots", "max_gates") if getattr(args, k) is not None]
    if overrides:
        raise CLIError(f"--{overrides[0].replace('_', '-')} cannot change a suite's runs; the suite fixes them"
                       + (" (--seeds selects some of its seeds)" if overrides[0] == "seed" else ""))
    suite, configs = _suite_selection(args)
    configs = _with_timeout(configs, args.timeout)
    if not args.algorithm:
        return suite.id, configs, suite.tags, Path(args.out or Path("results") / suite.id)
    label = re.sub(r"[^A-Za-z0-9._-]+", "_", configs[0].label)
    return (f"{suite.id}: {configs[0].label}", configs, suite.tags,
            Path(args.out or Path("results") / f"{suite.id}-{label}"))


def _suite_selection(args) -> tuple:
    """(suite, configurations) of the suite ``args.experiment`` names, as ``run`` and ``estimate``
    select them: every run of its reference methods, or with ``--algorithm NAME [--params
    JSON]`` that method instead; ``--problem``, ``--noise``, ``--mitigation`` and ``--method``
    (comma-separated) keep those problems, profiles, mitigations and reference methods, and
    ``--seeds`` those seeds, all of them the suite's own."""
    from qasbench.suite import Suite

    if args.params and not args.algorithm:
        raise CLIError("--params needs --algorithm on a suite (the reference methods run with the suite's settings)")
    if args.method and args.algorithm:
        raise CLIError("give --method (some of the suite's reference methods) or --algorithm (a method joining "
                       "the table), not both")
    suite = Suite.load(args.experiment)
    configs = suite.configs({args.algorithm: _params(args.params)} if args.algorithm else None)
    if args.seeds is not None:
        seeds = _seed_selection(args.seeds, suite)
        configs = [c for c in configs if c.seed in seeds]
    for option, key, offered in (("problem", "problem", suite.data["problems"]), ("noise", "noise", suite.data["noise"]),
                                 ("mitigation", "mitigation", suite.mitigations), ("method", "label", suite.methods)):
        chosen = getattr(args, option)
        if chosen is None:
            continue
        names = [name.strip() for name in chosen.split(",")]
        unknown = [name for name in names if name not in offered]
        if unknown:
            raise CLIError(f"--{option} {unknown[0]!r} is not one of {suite.id}'s: {', '.join(offered)}")
        configs = [c for c in configs if getattr(c, key) in names]
    return suite, configs


def _seed_selection(text: str, suite) -> set[int]:
    """The seeds ``--seeds`` names (``0-4``, ``0,3,7``, ``0-2,7``), each one of the suite's."""
    seeds = set()
    for part in text.split(","):
        match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if not match or (match[2] is not None and int(match[2]) < int(match[1])):
            raise CLIError(f"--seeds takes seeds and ranges, e.g. 0-4 or 0,3,7; got {text!r}")
        seeds.update(range(int(match[1]), int(match[2] or match[1]) + 1))
    offered = suite.data["seeds"]
    unknown = sorted(seeds - set(offered))
    if unknown:
        raise CLIError(f"--seeds: seed {unknown[0]} is not one of {suite.id}'s: {offered[0]}-{offered[-1]}")
    return seeds


def _stored_calibration(path: str | None):
    """(calibrations, note) of ``--calibration FILE`` (:func:`qasbench.estimate.load_calibration`),
    checked before any work; (None, None) without the option."""
    from qasbench.estimate import load_calibration

    if path is None:
        return None, None
    if not Path(path).parent.is_dir():
        raise CLIError(f"--calibration {path}: directory {Path(path).parent} does not exist")
    try:
        return load_calibration(path)
    except ValueError as error:
        raise CLIError(f"--calibration: {error}") from None


def _print_estimate(configs, measured=None, calibration: str | None = None) -> None:
    from qasbench.estimate import against, estimate, save_calibration, totals

    stored, note = _stored_calibration(calibration)
    if note:
        print(f"qasbench: {note}", file=sys.stderr)
    print(f"qasbench: calibrating the cost model on this machine ({len(configs)} run(s) in the grid)"
          + (", where the stored calibration does not cover them" if stored else ""), file=sys.stderr)
    rows = estimate(configs, log=lambda line: print(f"qasbench: {line}", file=sys.stderr), stored=stored)
    if calibration is not None:
        save_calibration(stored, calibration)
    if measured is not None:
        rows = against(rows, measured)
        measured_rows = [r for r in rows if r["predicted_over_measured"]]
        within = sum(0.5 <= r["predicted_over_measured"] <= 2 for r in measured_rows)
        by_wall = sum(r["measured_by"] == "wall" for r in measured_rows)
        print(f"qasbench: {within} of {len(measured_rows)} cells with records predicted within 2x of their measured "
              f"CPU-hours" + (f" ({by_wall} of them measured by wall time: records without cpu_time_s)" if by_wall else ""),
              file=sys.stderr)
    _print_table(rows, list(rows[0]), float_format=".3g")
    print()
    for label, hours in totals(rows).items():
        print(f"{label}: {hours:.3g} CPU-hours")
    print(f"total: {sum(r['cpu_hours'] for r in rows):.3g} CPU-hours (one thread per run; divide by --workers "
          "for the wall time)")


def cmd_estimate(args) -> None:
    if args.experiment and _names_suite(args.experiment):
        configs = _suite_selection(args)[1]
    else:
        chosen = [name for name, _, _ in _SELECTION if getattr(args, name) is not None]
        if chosen:
            raise CLIError(f"--{chosen[0]} selects runs of a suite, e.g. `qasbench estimate lite-v1 --problem h2-2q`")
        configs = _grid(args.experiment)[1]
    _print_estimate(configs, args.against, args.calibration)


def cmd_suite(args) -> None:
    from qasbench.suite import Suite, available

    if args.action == "list":
        for name in available():
            suite = Suite.load(name)
            print(f"{name:<14} {suite.hash}  {len(suite.configs())} runs")
        return
    if not args.name:
        raise CLIError("qasbench suite show needs a suite name (see `qasbench suite list`)")
    print(Suite.load(args.name).describe())


def cmd_import_problem(args) -> None:
    from qasbench.problem import write_problem
    from qasbench.problem_import import problem_from_operator, read_operator_file

    metadata = {}
    for item in args.metadata or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CLIError(f"--metadata takes KEY=VALUE, got {item!r}")
        metadata[key] = value
    out = Path(args.out or f"{args.id}.json")
    if out.exists() and not args.force:
        raise CLIError(f"{out} already exists; nothing was written (use --force or another --out)")
    problem = problem_from_operator(read_operator_file(args.source), args.id, args.standard_budget,
                                    {"source": Path(args.source).name, **metadata}, args.n_qubits)
    write_problem(problem, out)
    print(f"qasbench: wrote {out}: {problem.n_qubits} qubits, {problem.n_terms} terms, exact ground energy "
          f"{problem.ground_energy:.10f}; run it with --problem {out}", file=sys.stderr)


def cmd_results(args) -> None:
    from qasbench.results import load_results

    frame = load_results(args.directory, on_corrupt=_skip)
    if frame.empty:
        raise CLIError(f"no records in {args.directory}")
    if args.csv:
        frame.to_csv(sys.stdout, index=False)
    else:
        columns = ["algorithm_label", "problem", "noise", "shots", "seed", "error", "success", "cnots", "depth",
                   "evaluations_used", "wall_time_s"]
        print(frame[columns].to_string(index=False))


def _skip(message: str) -> None:
    print(f"qasbench: skipping {message}", file=sys.stderr)


def _report_out(source: str, out: str | None) -> Path:
    """Where a report goes by default: ``DIR/report/`` beside a directory's records, and
    ``results/<archive folder>/report/`` for an archive (never into the committed reports/)."""
    from qasbench.results import is_archive

    if out is not None:
        return Path(out)
    source = Path(source)
    return Path("results") / source.parent.name / "report" if is_archive(source) else source / "report"


def _note(path: str) -> str:
    """The text of ``--note FILE``: UTF-8 plain text with something in it."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CLIError(f"--note {path} cannot be read as UTF-8 text: {getattr(exc, 'strerror', None) or exc}") from None
    if not text.strip():
        raise CLIError(f"--note {path} is empty")
    return text


def cmd_report(args) -> None:
    from qasbench.report import build_report
    from qasbench.suite import Suite

    out = _report_out(args.directory, args.out)
    suite = Suite.load(args.suite) if args.suite else None
    note = _note(args.note) if args.note else ""
    written, unverified = build_report(args.directory, out, on_corrupt=_skip, suite=suite, note=note)
    if unverified:
        print(f"qasbench: {unverified} record(s) not verified on aer are not ranked; run "
              f"`qasbench verify {args.directory}` first", file=sys.stderr)
    print(f"qasbench: wrote {len(written)} files into {out}/ (open {out / 'index.html'})", file=sys.stderr)


def cmd_compare(args) -> int:
    from qasbench.compare import compare
    from qasbench.suite import Suite

    suite = Suite.load(args.suite)
    archive = Path(args.archive or Path("reports") / suite.id / "records.jsonl.gz")
    summary = compare(args.directory, suite, archive, Path(args.out or Path(args.directory) / "compare"),
                      check_code=not args.no_code_check, log=lambda line: print(f"qasbench: {line}", file=sys.stderr))
    if summary["new_methods"]:
        print(f"qasbench: ranked {', '.join(summary['new_methods'])} among the published methods of {suite.id}",
              file=sys.stderr)
    if summary["cells_compared"]:
        verdict = ("consistent with the published records" if summary["cells_flagged"] <= summary["chance_limit"]
                   else "NOT consistent with the published records")
        print(f"qasbench: rerun of {', '.join(summary['rerun_methods'])}: {summary['cells_flagged']} of "
              f"{summary['cells_compared']} cells differ at alpha 0.05 (chance allows {summary['chance_limit']}): "
              f"{verdict}; see rerun-check.csv", file=sys.stderr)
    print(f"qasbench: code check: {summary['code_check']}", file=sys.stderr)
    print(f"qasbench: wrote {summary['out']}/ (open {summary['out'] / 'index.html'})", file=sys.stderr)
    return 1 if summary["stale"] else 0


def cmd_archive(args) -> None:
    from qasbench.archive import pack, unpack
    from qasbench.suite import Suite

    if args.adopt_as and not args.extract:
        raise ValueError("--as SUITE goes with --extract (it adopts an archive's records into SUITE's results)")
    if args.extract:
        suite = Suite.load(args.adopt_as) if args.adopt_as else None
        count = unpack(args.directory, args.out, suite)
        adopted = f" as {suite.id}'s" if suite else ""
        print(f"qasbench: wrote {count} records of {args.directory}{adopted} into {args.out}/", file=sys.stderr)
        return
    count = pack(args.directory, args.out)
    print(f"qasbench: archived {count} verified records into {args.out}", file=sys.stderr)


def cmd_verify(args) -> int:
    from qasbench.verify import verify_directory

    counts = verify_directory(args.directory, args.tolerance, on_corrupt=_skip, log=sys.stderr)
    print(f"qasbench: {counts['verified']} verified, {counts['failed']} failed, {counts['corrupt']} corrupt "
          f"(tolerance {args.tolerance})", file=sys.stderr)
    return 1 if counts["failed"] or counts["corrupt"] else 0


def _at_least(name: str, value: int, low: int, high: int | None = None) -> None:
    if value < low or (high is not None and value > high):
        raise CLIError(f"{name} must be {low} or more" + ("" if high is None else f" and at most {high}") +
                       f", got {value}")


def cmd_bench_sim(args) -> None:
    from qasbench.bench_sim import bench_sim

    for n in args.qubits:
        _at_least("--qubits", n, 2, 12)  # 12 qubits: a 128 MiB Pauli vector per state
    _at_least("--repeats", args.repeats, 1)

    if args.device:
        from qasbench.bench_sim import bench_device

        rows = bench_device(args.qubits, args.device, repeats=args.repeats, profile=args.noise)
    else:
        rows = bench_sim(args.qubits, repeats=args.repeats, profile=args.noise)
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        _print_table(rows, list(rows[0]), float_format=".3g")


def cmd_bench_optim(args) -> None:
    from qasbench.bench_optim import bench_optim

    _at_least("--seeds", args.seeds, 1)
    _at_least("--budget", args.budget, 1)

    rows = bench_optim(seeds=args.seeds, budget=args.budget)
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        _print_table(rows, ["problem", "shots", "optimizer", "seeds_reaching_target",
                            "median_evaluations_to_target", "median_final_error"], float_format=".3g")


# the options that pick runs of a suite (``run`` and ``estimate``): (name, help for a single run
# outside a suite, which ``run`` also takes, or None where only a suite takes it, help on a suite)
_SELECTION = (
    ("algorithm", "a registered name (`qasbench algorithms`) or package.module:Class",
     "that method (a registered name or package.module:Class) instead of the reference methods"),
    ("params", "algorithm hyperparameters as JSON, e.g. '{\"optimizer\": \"spsa\"}'",
     "with --algorithm: its hyperparameters as JSON"),
    ("problem", "a registered id (`qasbench problems`) or a problem file (*.json)",
     "only these of its problems (comma-separated)"),
    ("noise", "a profile (`qasbench noise`) or a noise file (*.toml); default noiseless",
     "only these of its noise profiles (comma-separated)"),
    ("mitigation", "none (default), readout, zne or readout+zne (see README, Error mitigation)",
     "only these of its mitigations (comma-separated)"),
    ("method", None, "only these of its reference methods (comma-separated)"),
    ("seeds", None, "only these of its seeds, e.g. 0-4 or 0,3,7"),
)


def _add_suite_selection(p, single_run: bool) -> None:
    """The :data:`_SELECTION` options; ``run`` (``single_run``) states what the first five mean
    for a single run, ``estimate`` only what they select of a suite."""
    for name, single, on_suite in _SELECTION:
        p.add_argument(f"--{name}", help=single if single_run and single else f"on a suite: {on_suite}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="qasbench", description="Quantum architecture search benchmark suite")
    parser.add_argument("--version", action="version", version=f"qasbench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("problems", help="list the problem suite")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_problems)
    p = sub.add_parser("noise", help="list the noise profiles and their conventions")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_noise)
    p = sub.add_parser("algorithms", help="list the registered algorithms, their hyperparameters and providers")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_algorithms)
    p = sub.add_parser("run", help="run the default suite, an experiment file, or one configuration")
    p.add_argument("experiment", nargs="?",
                   help="a suite (`qasbench suite list`) or an experiment TOML (default: the quick grid)")
    _add_suite_selection(p, single_run=True)
    p.add_argument("--seed", type=int, help="default 0")
    p.add_argument("--budget", type=int, help="evaluations (default: the problem's standard budget)")
    p.add_argument("--shots", type=int, help="shots per term and evaluation (default: exact)")
    p.add_argument("--max-gates", type=int, help="gate cap of the search space")
    p.add_argument("--out", help="results directory (default: results/ or results/<suite>)")
    p.add_argument("--workers", type=int, default=1, help="parallel runs (each pinned to one thread)")
    p.add_argument("--executor", choices=["local", "dask"], default="local")
    p.add_argument("--scheduler", help="Dask scheduler address, with --executor dask")
    p.add_argument("--timeout", type=float, help="wall-clock seconds per run")
    p.add_argument("--reuse-stale", action="store_true",
                   help="keep finished records made by other code than the running one")
    p.add_argument("--dry-run", action="store_true", help="print the predicted cost (`qasbench estimate`) and stop")
    p.add_argument("--calibration", metavar="FILE", help=CALIBRATION_HELP)
    p.add_argument("--cheapest-first", action="store_true",
                   help="run the cheapest runs first (default: the longest first, which keeps workers busy)")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("estimate", help="predicted CPU-hours of an experiment, per cell and algorithm")
    p.add_argument("experiment", nargs="?",
                   help="a suite (`qasbench suite list`) or an experiment TOML (default: the quick grid)")
    p.add_argument("--against", metavar="RESULTS",
                   help="also print the measured CPU-hours of the same cells' records (directory or archive)")
    _add_suite_selection(p, single_run=False)
    p.add_argument("--calibration", metavar="FILE", help=CALIBRATION_HELP)
    p.set_defaults(func=cmd_estimate)
    p = sub.add_parser("suite", help="list the frozen benchmark suites, or show one with its hash")
    p.add_argument("action", choices=["list", "show"])
    p.add_argument("name", nargs="?", help="a suite, e.g. lite-v1")
    p.set_defaults(func=cmd_suite)
    p = sub.add_parser("import-problem", help="write a problem file from an operator (OpenFermion text or JSON pairs)")
    p.add_argument("source", help="operator file: OpenFermion QubitOperator text, or JSON (see docs)")
    p.add_argument("--id", required=True, help="the problem's id")
    p.add_argument("--out", help="problem file to write (default: ID.json)")
    p.add_argument("--standard-budget", type=int, help="evaluations (default: 25000 per qubit)")
    p.add_argument("--n-qubits", type=int, help="qubits, when the operator leaves the highest ones idle")
    p.add_argument("--metadata", nargs="*", help="KEY=VALUE facts to keep (molecule, basis, mapping...)")
    p.add_argument("--force", action="store_true", help="overwrite an existing --out")
    p.set_defaults(func=cmd_import_problem)
    p = sub.add_parser("results", help="load every record of a results directory into one table")
    p.add_argument("directory")
    p.add_argument("--csv", action="store_true", help="all columns as CSV on stdout")
    p.set_defaults(func=cmd_results)
    p = sub.add_parser("report", help="leaderboard tables, plots and an HTML page from a results directory")
    p.add_argument("directory", help="a results directory or a release archive (*.jsonl.gz)")
    p.add_argument("--out", help="output directory (default: DIR/report/, for an archive results/<its folder>/report/)")
    p.add_argument("--suite", help="the records' suite file (*.toml), when it is not a packaged suite "
                                   "(its ranking rules rank the tables)")
    p.add_argument("--note", metavar="FILE", help="plain text shown on the page under Notes (paragraphs separated by "
                                                  "blank lines), e.g. why a cell holds no runs")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("compare", help="rank your suite runs among a suite's published records (no reruns)")
    p.add_argument("directory", help="your results of the suite (qasbench run SUITE --algorithm ...), verified")
    p.add_argument("--suite", required=True, help="the suite, e.g. lite-v1")
    p.add_argument("--archive", help="published archive (default: reports/SUITE/records.jsonl.gz)")
    p.add_argument("--out", help="output directory (default: DIRECTORY/compare/)")
    p.add_argument("--no-code-check", action="store_true",
                   help="skip rerunning one published run per method to check that this code still makes "
                        "the published records (exit code 1 when it does not, on the same machine)")
    p.set_defaults(func=cmd_compare)
    p = sub.add_parser("archive", help="pack a suite's verified records into one release archive (.jsonl.gz)")
    p.add_argument("directory", help="results directory of one suite, every record verified (with --extract: the archive)")
    p.add_argument("out", help="archive to write, e.g. reports/lite-v1/records.jsonl.gz (with --extract: a directory)")
    p.add_argument("--extract", action="store_true",
                   help="the other way: write an archive's records into a results directory (to resume its runs)")
    p.add_argument("--as", dest="adopt_as", metavar="SUITE",
                   help="with --extract: only the runs SUITE shares with the archive's suite, as SUITE's records "
                        "(e.g. lite-v1's records as standard-v1's lite cells)")
    p.set_defaults(func=cmd_archive)
    p = sub.add_parser("verify", help="re-simulate every record on qiskit-aer and mark it verified")
    p.add_argument("directory", help="a results directory, or an archive (checked, not written)")
    p.add_argument("--tolerance", type=float, default=1e-8, help="Hartree (default 1e-8)")
    p.set_defaults(func=cmd_verify)
    p = sub.add_parser("bench-sim", help="time the ptm simulator against qiskit-aer")
    p.add_argument("--qubits", type=int, nargs="+", default=[2, 4, 6, 8, 10])
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--device", help="instead: ptm on this torch device (e.g. cuda) against its CPU kernel")
    p.add_argument("--noise", default="mumbai-median",
                   help="noise profile, or a device snapshot (ibm-torino...: its default layout, random-pairs on "
                        "coupled pairs)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench_sim)
    p = sub.add_parser("bench-optim", help="compare inner optimizers on fixed circuits")
    p.add_argument("--seeds", type=int, default=20)
    p.add_argument("--budget", type=int, default=3000)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench_optim)
    return parser


def _interrupt(signum, frame):
    raise KeyboardInterrupt  # SIGTERM stops like Ctrl-C: workers are stopped, records kept


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed in one line
        return exc.code
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return args.func(args) or 0
    except (CLIError, ValueError, FileExistsError) as exc:
        print(f"qasbench: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # output piped into e.g. `head`: stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("qasbench: interrupted; finished records are kept, rerun to resume", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
