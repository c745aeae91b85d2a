"""Reading the project's TOML input files (experiments, suites, noise profiles) with one-line
errors: the one place that picks ``tomllib`` (Python 3.11+) or its backport ``tomli`` (3.10)."""
from __future__ import annotations

from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib


def read_toml(path: Path, what: str) -> dict:
    """The table held by the TOML file ``path``. A file that cannot be read or parsed raises
    ValueError in one line naming ``what`` (e.g. "suite file") and the path."""
    try:
        return tomllib.loads(path.read_text())
    except OSError as exc:
        raise ValueError(f"cannot read {what} {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"malformed {what} {path}: {exc}") from None
