"""What operators do to the pods they create that the manifest does not say, read as data
(``sources/data/pod-mutations.json``, each mutation with its source): KubeRay mounts a
memory-backed /dev/shm in every Ray container unless rayStartParams sets plasma-directory.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from vllm_lint.launch import LaunchFacts
from vllm_lint.sources.yaml import navigate

_MUTATIONS = Path(__file__).resolve().parents[1] / "data" / "pod-mutations.json"


@lru_cache(maxsize=1)
def _mutations() -> tuple[dict, ...]:
    return tuple(json.loads(_MUTATIONS.read_text("utf-8"))["mutations"])


def operator_mutations(kind: str, trail: tuple) -> LaunchFacts:
    """What an operator adds to the pods of this object that the manifest does not say
    (``sources/data/pod-mutations.json``): KubeRay's memory-backed /dev/shm in every Ray container."""
    out = LaunchFacts()
    keys = [k for k, _ in trail]
    for m in _mutations():
        if kind not in m["kinds"]:
            continue
        where = next((i for i, k in enumerate(keys) if k in m["under"]), None)
        if where is None:
            continue
        group = trail[where + 1][1] if keys[where] == "workerGroupSpecs" and where + 1 < len(trail) else trail[where][1]
        unless = m.get("unless_ray_start_param")
        if unless and navigate.get(navigate.get(group, "rayStartParams"), unless) is not None:
            continue
        for name, value in m["sets"].items():
            setattr(out, name, value)
        out.shm_note = f"{m['note']} ({m['source'].split(':', 1)[0]})"
    return out
