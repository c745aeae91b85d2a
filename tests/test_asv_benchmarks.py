"""The asv suite's written-out algorithm list must follow the registry (see benchmarks/benchmarks.py)."""
from benchmarks.benchmarks import ALGORITHMS
from qasbench import registry


def test_quality_tracks_cover_every_registered_algorithm():
    assert ALGORITHMS == registry.names("algorithm")
