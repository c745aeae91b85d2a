"""Content hashes: ``"sha256:" + hex digest`` of canonical JSON (sorted keys, no spaces)."""
from __future__ import annotations

import hashlib
import json


def json_hash(value) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
