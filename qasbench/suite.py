"""Benchmark suites: frozen, versioned, hashed definitions of the runs behind a published table.

A suite file (``qasbench/suites/<name>-v<version>.toml``) names its problems by id and content
hash, each with its evaluation budget and gate cap; its noise profiles by name and hash; the
shots, the seeds, the success threshold and the ranking rules of its tables; and the reference
methods. Loading a suite checks every hash against the installed problems and noise profiles,
so a suite never runs on other tasks than the ones it was frozen with. The suite's own hash is
the SHA-256 of its parsed content (comments and layout aside); every record a suite run writes
carries ``suite`` (e.g. ``lite-v1``) and ``suite_hash``, and tables refuse to mix suites.
A frozen file is never edited: a change is a new version.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from itertools import product
from pathlib import Path

from qasbench import registry
from qasbench.config import RunConfig, cell_noise_name, method_entries, method_label, shots_label
from qasbench.evaluator import noise_hash
from qasbench.problem import CHEMICAL_ACCURACY
from qasbench.hashing import json_hash
from qasbench.tomlfile import read_toml

KEYS = {"name", "version", "seeds", "shots", "success_threshold_ha", "ranking", "noise", "problems", "algorithms"}
OPTIONAL_KEYS = {"mitigation"}  # a list of qasbench.mitigation names; absent: ["none"]
RANKING_KEYS = {"keys", "keys_without_success", "evaluations_to_success_rtol", "median_error_atol_ha"}
PROBLEM_KEYS = {"hash", "budget", "max_gates"}


def _suite_files() -> dict[str, Path]:
    folder = resources.files("qasbench").joinpath("suites")
    return {Path(str(f)).stem: Path(str(f)) for f in folder.iterdir() if str(f).endswith(".toml")}


def _own_rule(problem_id: str) -> str:
    """``  success: ...`` for a problem with its own criterion (MaxCut, GHZ...), else nothing."""
    problem = registry.load_problem(problem_id)
    rule = problem.metadata.get("success")
    return f"  success: {rule}" if rule and problem.success_threshold != CHEMICAL_ACCURACY else ""


def available() -> list[str]:
    """The packaged suites, e.g. ``['lite-v1', 'standard-v1']``."""
    return sorted(_suite_files())


@dataclass(frozen=True)
class Suite:
    """A loaded, checked suite. ``data`` is the parsed file; ``id`` is ``<name>-v<version>``."""

    data: dict
    path: Path

    @classmethod
    def load(cls, spec: str | Path) -> "Suite":
        """A packaged suite by id (``lite-v1``) or a suite file (``*.toml``, named after its
        id); ValueError with one line for anything else, or when a hash it names differs from
        the installed problem's or profile's."""
        files = _suite_files()
        if str(spec).endswith(".toml"):
            path = Path(spec)
            if not path.is_file():
                raise ValueError(f"no suite file {path}")
        elif spec in files:
            path = files[spec]
        else:
            raise ValueError(f"unknown suite {spec!r}{registry.suggestion(spec, files)}; "
                             f"available: {', '.join(sorted(files))}")
        suite = cls(read_toml(path, "suite file"), path)
        suite._check()
        return suite

    def _check(self) -> None:
        data, where = self.data, f"suite file {self.path}"
        unknown = sorted(set(data) - KEYS - OPTIONAL_KEYS) or sorted(set(data.get("ranking", {})) - RANKING_KEYS)
        if unknown or not KEYS <= set(data):
            missing = sorted(KEYS - set(data))
            raise ValueError(f"{where}: " + (f"unknown key {unknown[0]!r}" if unknown else f"missing {missing[0]!r}"))
        if self.id != self.path.stem:
            raise ValueError(f"{where}: its name and version say {self.id!r}, its file name {self.path.stem!r}")
        if data["success_threshold_ha"] != CHEMICAL_ACCURACY:
            raise ValueError(f"{where}: success threshold {data['success_threshold_ha']} Ha; this qasbench "
                             f"scores success at {CHEMICAL_ACCURACY} Ha")
        for name, frozen in data["noise"].items():
            installed = noise_hash(registry.load_noise(name))
            if installed != frozen:
                raise ValueError(f"{where}: noise profile {name!r} is {installed} here, the suite was frozen "
                                 f"with {frozen}")
        for problem_id, entry in data["problems"].items():
            if set(entry) != PROBLEM_KEYS:
                raise ValueError(f"{where}: problem {problem_id!r} needs exactly {', '.join(sorted(PROBLEM_KEYS))}")
            installed = registry.load_problem(problem_id).content_hash
            if installed != entry["hash"]:
                raise ValueError(f"{where}: problem {problem_id!r} is {installed} here, the suite was frozen "
                                 f"with {entry['hash']}")

    # -- what it is ------------------------------------------------------------------------
    @property
    def id(self) -> str:
        return f"{self.data['name']}-v{self.data['version']}"

    @property
    def hash(self) -> str:
        return json_hash(self.data)

    @property
    def tags(self) -> dict:
        """What every record of this suite carries."""
        return {"suite": self.id, "suite_hash": self.hash}

    @property
    def shots(self) -> int | None:
        return None if self.data["shots"] == "exact" else self.data["shots"]

    def configs(self, algorithms: dict | None = None) -> list[RunConfig]:
        """One RunConfig per method x problem x noise profile x mitigation x seed; ``algorithms``
        (name -> hyperparameters) replaces the reference methods, e.g. for a method joining the
        table."""
        problems = self.data["problems"]
        return [RunConfig(algorithm, problem, noise, seed, problems[problem]["budget"], self.shots,
                          problems[problem]["max_gates"], params, mitigation=mitigation)
                for (algorithm, params), problem, noise, mitigation, seed in product(
                    method_entries(self.data["algorithms"] if algorithms is None else algorithms), problems,
                    self.data["noise"], self.mitigations, self.data["seeds"])]

    @property
    def methods(self) -> list[str]:
        """The reference methods as tables label them (:attr:`RunConfig.label`), in file order."""
        return [method_label(algorithm, params) for algorithm, params in method_entries(self.data["algorithms"])]

    @property
    def cells(self) -> list[tuple[str, str, str]]:
        """The suite's leaderboard cells as reports key them: (problem, noise profile with its
        mitigation if any, shots: ``"exact"`` or the number as text)."""
        return [(problem, cell_noise_name(noise, mitigation), shots_label(self.shots))
                for problem, noise, mitigation in product(self.data["problems"], self.data["noise"], self.mitigations)]

    @property
    def mitigations(self) -> list[str]:
        return self.data.get("mitigation", ["none"])

    def describe(self) -> str:
        """The suite as ``qasbench suite show`` prints it."""
        d = self.data
        lines = [f"{self.id}  {self.hash}", f"  file: {self.path}",
                 f"  seeds: {d['seeds'][0]}-{d['seeds'][-1]} ({len(d['seeds'])}), shots: {d['shots']}, "
                 f"success: absolute error < {d['success_threshold_ha']} Ha unless a problem states its own",
                 "  problems:"]
        lines += [f"    {p:<14} budget {e['budget']:>7}  max_gates {e['max_gates']:>4}  {e['hash']}" + _own_rule(p)
                  for p, e in d["problems"].items()]
        lines += ["  noise:"] + [f"    {n:<14} {h}" for n, h in d["noise"].items()]
        lines += [f"  mitigation: {', '.join(self.mitigations)}"] if "mitigation" in d else []
        r = d["ranking"]
        lines += [f"  ranking: {' > '.join(r['keys'])}; where no method succeeds: "
                  f"{' > '.join(r['keys_without_success'])} (evaluations to success tie within "
                  f"{r['evaluations_to_success_rtol']:.0%}, median errors within {r['median_error_atol_ha']} Ha)",
                  f"  reference methods: {', '.join(d['algorithms'])}",
                  f"  runs: {len(self.configs())}"]
        return "\n".join(lines)
