import json
import os
from pathlib import Path

import numpy as np
import pytest

from qasbench.circuit import Circuit, Gate
from qasbench.hamiltonian import Hamiltonian
from qasbench.search_space import SearchSpace

TINY = Path(__file__).parent / "data" / "tiny-v1.toml"


def random_circuit(rng: np.random.Generator, n_qubits: int, n_gates: int) -> Circuit:
    if n_qubits == 1:
        names = rng.choice(["RX", "RY", "RZ"], size=n_gates)
        return Circuit(1, tuple(Gate(str(name), (0,)) for name in names))
    return SearchSpace(n_qubits, n_gates).sample(rng, n_gates)


def random_hamiltonian(rng: np.random.Generator, n_qubits: int, n_terms: int = 12) -> Hamiltonian:
    labels = set()
    while len(labels) < n_terms:
        label = "".join(rng.choice(list("IXYZ"), size=n_qubits))
        if set(label) != {"I"}:
            labels.add(label)
        if len(labels) == 4**n_qubits - 1:
            break
    labels = sorted(labels)
    return Hamiltonian(tuple(labels), rng.normal(size=len(labels)), float(rng.normal()))


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Pretrained models of the test session go to a fresh cache, not the user's."""
    os.environ["QASBENCH_CACHE"] = str(tmp_path_factory.mktemp("cache"))


def as_committed(directory, commit: str = "0" * 40) -> None:
    """Records of ``directory`` as if made at ``commit`` (the test checkout may have local changes)."""
    for path in Path(directory).glob("*.json"):
        record = json.loads(path.read_text())
        record["git_commit"] = commit
        path.write_text(json.dumps(record))


@pytest.fixture(scope="session")
def tiny_published(tmp_path_factory):
    """The tiny suite's reference methods, run, verified and packed as its release archive:
    (suite, archive, results directory)."""
    from qasbench.archive import pack
    from qasbench.runner import run_grid
    from qasbench.suite import Suite
    from qasbench.verify import verify_directory

    suite = Suite.load(TINY)
    root = tmp_path_factory.mktemp("published")
    run_grid(suite.configs(), root / "runs", workers=2, tags=suite.tags)
    as_committed(root / "runs")
    assert verify_directory(root / "runs")["failed"] == 0
    pack(root / "runs", root / "records.jsonl.gz")
    return suite, root / "records.jsonl.gz", root / "runs"
