"""Why gate-by-gate search stalls on lih-4q: the figures quoted in the CRLQAS section of docs/algorithms.md.

    python scripts/lih4q_landscape.py [RESULTS_DIR ...]

Prints (noiseless statevector, energies in Ha, qubit 0 the most significant bit):
1. the gap between the two lowest eigenstates;
2. the lowest energy of a product state across each cut of the 4 qubits (real amplitudes, best
   of 20 BFGS starts), and the ground state's Schmidt weights across the {0,1}|{2,3} cut;
3. for every lih-4q record in RESULTS_DIR: its error, the weight of its state's second Schmidt
   component across that cut, and its overlaps with the two lowest eigenstates;
4. an 18-gate circuit that reaches chemical accuracy, built one gate at a time with warm-started
   COBYLA (each new angle from 0, as the CRLQAS environment does) at several evaluation counts
   per step, against BFGS run to convergence, and the curvature where COBYLA stops.
"""
import sys

import numpy as np
from scipy.optimize import minimize

from qasbench.circuit import CNOT, RY, Circuit
from qasbench.registry import load_noise, load_problem, make_optimizer
from qasbench.results import iter_records
from qasbench.sim import make_backend

PROBLEM = load_problem("lih-4q")
BACKEND = make_backend("statevector", PROBLEM.hamiltonian, load_noise("noiseless"))
MATRIX = PROBLEM.hamiltonian.matrix().real
EIGENVALUES, EIGENVECTORS = np.linalg.eigh(MATRIX)
CUTS = (((0, 1), (2, 3)), ((0, 2), (1, 3)), ((0, 3), (1, 2)), ((0,), (1, 2, 3)), ((1,), (0, 2, 3)),
        ((2,), (0, 1, 3)), ((3,), (0, 1, 2)))
LOCAL_01 = [RY(0), RY(1), CNOT(0, 1), RY(0), RY(1), CNOT(0, 1), RY(0), RY(1)]
LOCAL_23 = [RY(2), RY(3), CNOT(2, 3), RY(2), RY(3), CNOT(2, 3), RY(2), RY(3)]
ENTANGLED_18 = [RY(0), CNOT(0, 2)] + LOCAL_01 + LOCAL_23


def product_state(cut, x):
    """Normalized real product state over the two groups of ``cut``, in qubit order."""
    left = x[: 2 ** len(cut[0])]
    right = x[2 ** len(cut[0]):]
    state = np.kron(left / np.linalg.norm(left), right / np.linalg.norm(right))
    order = cut[0] + cut[1]
    return state.reshape([2] * 4).transpose(np.argsort(order)).reshape(-1)


def best_product_error(cut, rng, starts=20):
    def energy(x):
        state = product_state(cut, x)
        return state @ MATRIX @ state
    dim = 2 ** len(cut[0]) + 2 ** len(cut[1])
    return min(minimize(energy, rng.normal(size=dim), method="BFGS").fun for _ in range(starts)) - EIGENVALUES[0]


def schmidt_weights(state):
    """Schmidt weights of a 4-qubit state across the {0,1}|{2,3} cut, largest first."""
    return np.linalg.svd(state.reshape(4, 4), compute_uv=False) ** 2


def energy_function(circuit):
    return lambda x: float(BACKEND.energies(circuit, np.atleast_2d(x))[0])


def build_gate_by_gate(gates, method, evaluations_per_step=None):
    """Angles, error and evaluations used after appending ``gates`` one at a time, re-optimizing all
    angles after each: scipy's BFGS to convergence, or this package's COBYLA (as the CRLQAS
    environment runs it) with ``evaluations_per_step``."""
    x = np.zeros(0)
    evaluations = 0
    for k in range(1, len(gates) + 1):
        circuit = Circuit(4, tuple(gates[:k]))
        x = np.append(x, np.zeros(circuit.n_params - x.size))
        if not circuit.n_params:
            continue
        if method == "COBYLA":
            result = make_optimizer("cobyla").minimize(lambda points, circuit=circuit, **_: BACKEND.energies(
                circuit, points), x, evaluations_per_step, np.random.default_rng(0))
        else:
            result = minimize(energy_function(circuit), x, method=method)
        x, evaluations = result.x, evaluations + result.nfev
    return x, energy_function(circuit)(x) - PROBLEM.ground_energy, evaluations


def curvatures(function, x, step=1e-3):
    """Gradient norm and Hessian eigenvalues of ``function`` at ``x`` (central differences)."""
    basis = np.eye(x.size) * step
    gradient = np.array([function(x + e) - function(x - e) for e in basis]) / (2 * step)
    hessian = np.array([[function(x + e + d) - function(x + e - d) - function(x - e + d) + function(x - e - d)
                         for d in basis] for e in basis]) / (4 * step**2)
    return np.linalg.norm(gradient), np.linalg.eigvalsh(hessian)


def main(directories):
    rng = np.random.default_rng(0)
    print(f"gap between the two lowest eigenstates: {EIGENVALUES[1] - EIGENVALUES[0]:.4e} Ha")
    print("lowest product-state error across each cut:")
    for cut in CUTS:
        print(f"  {cut[0]}|{cut[1]}: {best_product_error(cut, rng):.4e} Ha")
    print("ground state's Schmidt weights across {0,1}|{2,3}:", np.round(schmidt_weights(EIGENVECTORS[:, 0]), 4))

    for directory in directories:
        for path, record in iter_records(directory):
            if record["problem"] != "lih-4q":
                continue
            circuit = Circuit.from_dict(record["circuit"])
            state = BACKEND.states(circuit, np.atleast_2d(record["angles"]))[0]
            overlaps = np.abs(EIGENVECTORS[:, :2].T @ state) ** 2
            print(f"{path.name}: error {record['error']:.3e}, second Schmidt weight "
                  f"{schmidt_weights(state)[1]:.1e}, overlaps with the two lowest eigenstates "
                  f"{overlaps[0]:.3f} / {overlaps[1]:.3f}")

    print(f"{len(ENTANGLED_18)}-gate circuit, built gate by gate:")
    for method, per_step in [("BFGS", None), ("COBYLA", 100), ("COBYLA", 300), ("COBYLA", 1000), ("COBYLA", 3000)]:
        x, error, used = build_gate_by_gate(ENTANGLED_18, method, per_step)
        budget = "to convergence" if per_step is None else f"at most {per_step} evaluations per step"
        print(f"  {method} {budget}: {error:.3e} Ha ({used} evaluations)")
    gradient, hessian = curvatures(energy_function(Circuit(4, tuple(ENTANGLED_18))), x)
    print(f"  at COBYLA's last point: gradient norm {gradient:.1e}, Hessian eigenvalues "
          f"{', '.join(f'{value:.1e}' for value in hessian)}")


if __name__ == "__main__":
    main(sys.argv[1:])
