"""The benchmark results file (build/<preset>/bench/results.json): one entry per figure.

Each entry is {"value": number, "unit": text, ...}; every benchmark replaces
its own keys and keeps the ones others wrote.
"""

import json
import os

from .atomic import write_atomically


def record(path, entries):
    """Merges entries ({key: {"value": ..., "unit": ...}}) into the results file at path."""
    results = {}
    if os.path.exists(path):
        with open(path) as f:
            results = json.load(f)
    results.update(entries)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    write_atomically(path, json.dumps(results, indent=2, sort_keys=True) + "\n")
    return results
