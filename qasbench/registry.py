"""The one place names resolve: algorithms, problems, noise profiles and inner optimizers.

Each kind is a Python entry-point group, filled by every installed distribution (qasbench's
own built-ins register through the same groups in its pyproject.toml)::

    [project.entry-points."qasbench.algorithms"]   greedy = "mypkg.greedy:Greedy"       (a class)
    [project.entry-points."qasbench.problems"]     my-4q  = "mypkg.problems:my_4q"      (a Problem,
                                                   ring-<n>q = "mypkg.problems:ring"      or a function
                                                                                          returning one)
    [project.entry-points."qasbench.noise"]        lab-a  = "mypkg.noise:lab_a"         (a NoiseModel,
                                                                                          or a function)
    [project.entry-points."qasbench.optimizers"]   nm     = "mypkg.opt:NelderMead"      (an Optimizer
                                                                                          class or factory)

A problem name holding ``<n>`` is a family: ``ring-6q`` calls ``ring(6)``. Without packaging,
an algorithm or optimizer may be named ``package.module:Class``, a problem by the path of a
problem file (``*.json``, schema in :mod:`qasbench.problem`), a noise profile by the path of a
noise file (``*.toml`` or ``*.json``, schema in :mod:`qasbench.noise`). Because every process
(CLI, spawned and Dask workers, verify, report) resolves names here, they all see the same
set. Modules are imported when a name is first resolved, never when this module is imported.
"""
from __future__ import annotations

import difflib
import importlib
import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

GROUPS = {"algorithm": "qasbench.algorithms", "problem": "qasbench.problems",
          "noise": "qasbench.noise", "optimizer": "qasbench.optimizers"}
_FILE_SUFFIXES = {"problem": (".json",), "noise": (".toml", ".json")}


@dataclass(frozen=True)
class Entry:
    """One resolvable name: what it points to and which distribution provides it."""

    kind: str
    name: str
    target: str  # "module:attribute", or a file path
    distribution: str | None = None
    version: str | None = None

    def load(self):
        """Import the target module and return the attribute (ValueError when that fails)."""
        module_name, _, attribute = self.target.partition(":")
        try:
            value = importlib.import_module(module_name)
            for part in attribute.split("."):
                value = getattr(value, part)
        except (ImportError, AttributeError) as exc:
            raise ValueError(f"{self.kind} {self.name!r}: cannot load {self.target!r} ({exc})") from None
        return value

    def provider(self) -> dict:
        return {"distribution": self.distribution, "version": self.version}


@lru_cache(maxsize=None)
def entries(kind: str) -> dict[str, Entry]:
    """Every registered name of ``kind`` (``algorithm``, ``problem``, ``noise``, ``optimizer``)."""
    found: dict[str, Entry] = {}
    for point in metadata.entry_points(group=GROUPS[kind]):
        dist = getattr(point, "dist", None)
        entry = Entry(kind, point.name, point.value, dist and dist.metadata["Name"], dist and dist.version)
        if point.name in found and found[point.name].target != entry.target:
            raise ValueError(f"{kind} {point.name!r} is registered twice: by {found[point.name].distribution} "
                             f"({found[point.name].target}) and by {entry.distribution} ({entry.target})")
        found[point.name] = entry
    return dict(sorted(found.items()))


def reload() -> None:
    """Forget what this process resolved: re-read the entry points and reload problems and noise
    profiles (after installing a plugin, or editing a problem or noise file, mid-process)."""
    for cached in (entries, _load, _provider):
        cached.cache_clear()


def names(kind: str) -> list[str]:
    return list(entries(kind))


def _distribution_of(module_name: str, known: dict[str, Entry]) -> tuple[str | None, str | None]:
    """Who provides the module behind a ``module:attr`` spec: the distribution whose installed
    files hold the module's file (or the one registering that very target); None otherwise
    (code on the path, an editable checkout that does not register it)."""
    for entry in known.values():
        if entry.target.partition(":")[0] == module_name:
            return entry.distribution, entry.version
    try:
        spec = importlib.util.find_spec(module_name)
    except (ImportError, ValueError):
        return None, None
    if spec is None or spec.origin is None:
        return None, None
    origin = Path(spec.origin).resolve()
    for dist_name in metadata.packages_distributions().get(module_name.split(".")[0], []):
        dist = metadata.distribution(dist_name)
        if any(Path(dist.locate_file(f)).resolve() == origin for f in dist.files or () if f.suffix == ".py"):
            return dist_name, dist.version
    return None, None


def suggestion(name: str, choices) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or an empty string."""
    close = difflib.get_close_matches(str(name), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _family(kind: str, name: str) -> tuple[Entry, int] | None:
    for entry in entries(kind).values():
        if "<n>" in entry.name:
            match = re.fullmatch(re.escape(entry.name).replace("<n>", r"(\d+)"), name)
            if match:
                return entry, int(match.group(1))
    return None


def is_file_spec(kind: str, spec: str) -> bool:
    return kind in _FILE_SUFFIXES and spec.lower().endswith(_FILE_SUFFIXES[kind])


def canonical(kind: str, spec) -> str:
    """The spelling a record stores: file specs become absolute paths; other names as given."""
    if not isinstance(spec, str) or not spec:
        raise ValueError(f"{kind} must be named by a non-empty string, got {spec!r}")
    return str(Path(spec).resolve()) if is_file_spec(kind, spec) else spec


def resolve(kind: str, spec: str) -> Entry:
    """The entry behind ``spec``: a registered name, a family member, ``module:attr`` or a file."""
    spec = canonical(kind, spec)
    if is_file_spec(kind, spec):
        if not Path(spec).is_file():
            raise ValueError(f"no {kind} file {spec}")
        return Entry(kind, spec, spec)
    known = entries(kind)
    if spec in known:
        return known[spec]
    if ":" in spec:
        module_name = spec.partition(":")[0]
        return Entry(kind, spec, spec, *_distribution_of(module_name, known))
    family = _family(kind, spec)
    if family:
        return family[0]
    listing = ", ".join(known)
    hint = {"problem": " or a problem file (*.json)", "noise": " or a noise file (*.toml, *.json)"}.get(
        kind, " or package.module:Class")
    raise ValueError(f"unknown {kind} {spec!r}{suggestion(spec, known)}; choose from {listing}{hint}")


def provider(kind: str, spec: str) -> dict:
    """The distribution and version that provide ``spec`` (None for files and unpackaged code);
    looked up once per process (a ``module:attr`` spec scans the installed distributions)."""
    return dict(_provider(kind, canonical(kind, spec)))


@lru_cache(maxsize=None)
def _provider(kind: str, spec: str) -> tuple:
    return tuple(resolve(kind, spec).provider().items())


# -- the four kinds --------------------------------------------------------------------------

def algorithm_class(spec: str) -> type:
    """The Algorithm subclass named by ``spec``."""
    from qasbench.algorithms.base import Algorithm

    cls = resolve("algorithm", spec).load()
    if not (isinstance(cls, type) and issubclass(cls, Algorithm)):
        raise ValueError(f"algorithm {spec!r} is not a subclass of qasbench.algorithms.Algorithm")
    return cls


def make_algorithm(spec: str, **params):
    """An instance of the algorithm ``spec`` with hyperparameters by keyword, each checked by
    name, type and range before any run (see ``Algorithm.from_params``)."""
    return algorithm_class(spec).from_params(spec, params)


def load_problem(spec: str):
    """The Problem named by ``spec`` (registered id, family member such as ``tfim-6q``, or file);
    loaded once per process."""
    return _load("problem", canonical("problem", spec))


def load_noise(spec: str):
    """The noise named by ``spec`` (registered profile, or a noise file), loaded once per process:
    a uniform :class:`~qasbench.noise.NoiseModel`, a device snapshot
    (:class:`~qasbench.device.Device`, placed on a task's qubits by the task) or a placed one
    (:class:`~qasbench.device.DeviceNoise`, from a noise file naming device and layout)."""
    return _load("noise", canonical("noise", spec))


@lru_cache(maxsize=None)
def _load(kind: str, spec: str):
    """A problem or noise profile: read from its file, or made by its entry (called with n for a
    family member, with nothing when callable, else taken as it is)."""
    from qasbench import device, noise, problem

    expected, read = {"problem": (problem.Problem, problem.from_file),
                      "noise": ((noise.NoiseModel, device.Device, device.DeviceNoise), noise.from_file)}[kind]
    entry = resolve(kind, spec)
    if is_file_spec(kind, spec):
        return read(spec)
    value = entry.load()
    family = _family(kind, spec) if "<n>" in entry.name else None
    try:
        made = value(family[1]) if family else (value() if callable(value) else value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{kind} {spec!r}: {exc}") from None
    if not isinstance(made, expected):
        kinds = " or ".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))
        raise ValueError(f"{kind} {spec!r}: {entry.target} gave {type(made).__name__}, not a {kinds}")
    return made


def make_optimizer(spec: str, **params):
    """The inner optimizer ``spec`` (a preset), with any hyperparameter overridden by keyword."""
    from qasbench.optim.base import Optimizer

    value = resolve("optimizer", spec).load()
    optimizer = value() if callable(value) else value
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"optimizer {spec!r} did not give a qasbench.optim.Optimizer")
    unknown = sorted(set(params) - set(optimizer.get_params()))
    if unknown:
        raise ValueError(f"optimizer {spec!r} has no hyperparameter {unknown[0]!r}"
                         f"{suggestion(unknown[0], optimizer.get_params())}")
    return type(optimizer)(**{**optimizer.get_params(), **params})
