"""Experiment grids shipped with qasbench (TOML): quick.toml is the default suite."""
