"""The ``qasbench`` command line. Bad input: one line on stderr and exit code 2."""
from __future__ import annotations

import argparse
import json
import signal
import sys
from importlib import resources
from pathlib import Path

from qasbench import noise as noise_profiles
from qasbench import problems

EXIT_USAGE = 2


class CLIError(Exception):
    """A user error: printed as one line, exit code 2."""


def _print_table(rows: list[dict], columns: list[str], float_format: str = "") -> None:
    """Aligned columns; floats shown with ``float_format`` (default: full precision)."""
    def cell(value) -> str:
        return format(value, float_format) if isinstance(value, float) else f"{value}"

    widths = {c: max(len(c), *(len(cell(r[c])) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(cell(row[c]).ljust(widths[c]) for c in columns))


def cmd_problems(args) -> None:
    rows = [problems.load(pid).summary() for pid in problems.available()]
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        _print_table(rows, ["id", "n_qubits", "n_terms", "ground_energy", "standard_budget"])


def cmd_noise(args) -> None:
    rows = [m.to_dict() for m in noise_profiles.profiles().values()]
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    for row in rows:
        print(f"{row['name']}: {row['description']}")
        print("    " + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                  for k, v in row.items() if k not in ("name", "description")))


def _default_suite() -> Path:
    return Path(str(resources.files("qasbench.experiments").joinpath("quick.toml")))


def cmd_run(args) -> int:
    from qasbench.runner import Experiment, make_config, run_grid

    single = [args.algorithm, args.problem]
    if args.experiment and any(single):
        raise CLIError("give either an experiment file or --algorithm/--problem, not both")
    if any(single):
        if not all(single):
            raise CLIError("a single run needs both --algorithm and --problem")
        try:
            params = json.loads(args.params) if args.params else {}
        except json.JSONDecodeError as exc:
            raise CLIError(f"--params is not valid JSON: {exc}") from None
        configs = [make_config(args.algorithm, args.problem, args.noise, args.seed, args.budget,
                               params, args.shots, args.max_gates)]
        out = Path(args.out or "results")
        from qasbench.results import record_name

        if (out / record_name(configs[0])).exists():
            raise CLIError(f"{out / record_name(configs[0])} already exists; nothing was run or "
                           "overwritten (use another --out or remove the file)")
        name = "single run"
    else:
        experiment = Experiment.from_toml(args.experiment or _default_suite())
        configs, name = experiment.configs, experiment.name
        out = Path(args.out or Path("results") / experiment.name)
    print(f"qasbench: {name}: {len(configs)} run(s) into {out}/", file=sys.stderr)
    counts = run_grid(configs, out, workers=args.workers, executor=args.executor, scheduler=args.scheduler,
                      timeout_s=args.timeout)
    print(f"qasbench: {counts['done']} run, {counts['skipped']} already done, "
          f"{counts['rerun_corrupt']} corrupt re-run, {counts['failed']} failed; records in {out}/",
          file=sys.stderr)
    return 1 if counts["failed"] else 0


def cmd_results(args) -> None:
    from qasbench.results import load_results

    frame = load_results(args.directory, on_corrupt=_skip)
    if frame.empty:
        raise CLIError(f"no records in {args.directory}")
    if args.csv:
        frame.to_csv(sys.stdout, index=False)
    else:
        columns = ["algorithm", "problem", "noise", "seed", "error", "success", "cnots", "depth",
                   "evaluations_used", "wall_time_s"]
        print(frame[columns].to_string(index=False))


def _skip(message: str) -> None:
    print(f"qasbench: skipping {message}", file=sys.stderr)


def cmd_report(args) -> None:
    from qasbench.report import build_report

    written = build_report(args.directory, args.out, on_corrupt=_skip)
    print(f"qasbench: wrote {len(written)} files into {args.out}/ (open {Path(args.out) / 'index.html'})",
          file=sys.stderr)


def cmd_verify(args) -> int:
    from qasbench.verify import verify_directory

    counts = verify_directory(args.directory, args.tolerance, on_corrupt=_skip, log=sys.stderr)
    print(f"qasbench: {counts['verified']} verified, {counts['failed']} failed (tolerance {args.tolerance} Ha)",
          file=sys.stderr)
    return 1 if counts["failed"] else 0


def cmd_bench_sim(args) -> None:
    from qasbench.bench_sim import bench_sim

    rows = bench_sim(args.qubits, repeats=args.repeats)
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        _print_table(rows, list(rows[0]), float_format=".3g")


def cmd_bench_optim(args) -> None:
    from qasbench.bench_optim import bench_optim

    rows = bench_optim(seeds=args.seeds, budget=args.budget)
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        _print_table(rows, ["problem", "shots", "optimizer", "seeds_reaching_target",
                            "median_evaluations_to_target", "median_final_error"], float_format=".3g")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qasbench", description="Quantum architecture search benchmark suite")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("problems", help="list the problem suite")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_problems)
    p = sub.add_parser("noise", help="list the noise profiles and their conventions")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_noise)
    p = sub.add_parser("run", help="run the default suite, an experiment file, or one configuration")
    p.add_argument("experiment", nargs="?", help="experiment TOML (default: the quick suite)")
    p.add_argument("--algorithm")
    p.add_argument("--problem")
    p.add_argument("--noise", default="noiseless")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--budget", type=int, help="evaluations (default: the problem's standard budget)")
    p.add_argument("--shots", type=int, help="shots per term and evaluation (default: exact)")
    p.add_argument("--max-gates", type=int, help="gate cap of the search space")
    p.add_argument("--params", help="algorithm hyperparameters as JSON, e.g. '{\"optimizer\": \"spsa\"}'")
    p.add_argument("--out", help="results directory (default: results/ or results/<suite>)")
    p.add_argument("--workers", type=int, default=1, help="parallel runs (each pinned to one thread)")
    p.add_argument("--executor", choices=["local", "dask"], default="local")
    p.add_argument("--scheduler", help="Dask scheduler address, with --executor dask")
    p.add_argument("--timeout", type=float, help="wall-clock seconds per run")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("results", help="load every record of a results directory into one table")
    p.add_argument("directory")
    p.add_argument("--csv", action="store_true", help="all columns as CSV on stdout")
    p.set_defaults(func=cmd_results)
    p = sub.add_parser("report", help="leaderboard tables, plots and an HTML page from a results directory")
    p.add_argument("directory")
    p.add_argument("--out", default="reports", help="output directory (default: reports/)")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("verify", help="re-simulate every record on qiskit-aer and mark it verified")
    p.add_argument("directory")
    p.add_argument("--tolerance", type=float, default=1e-8, help="Hartree (default 1e-8)")
    p.set_defaults(func=cmd_verify)
    p = sub.add_parser("bench-sim", help="time the ptm simulator against qiskit-aer")
    p.add_argument("--qubits", type=int, nargs="+", default=[2, 4, 6, 8, 10])
    p.add_argument("--repeats", type=int, default=7)
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
    args = build_parser().parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return args.func(args) or 0
    except (CLIError, ValueError, FileExistsError) as exc:
        print(f"qasbench: error: {exc}", file=sys.stderr)
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
