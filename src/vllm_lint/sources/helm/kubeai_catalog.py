"""KubeAI's models chart: each enabled ``catalog.<name>`` entry is rendered as a KubeAI ``Model``.
"""

from __future__ import annotations

from vllm_lint.launch import Launch
from vllm_lint.sources.helm.values import Values
from vllm_lint.sources.yaml import navigate


def kubeai_catalog(values: Values) -> list[Launch]:
    """KubeAI models chart: ``catalog.<name>`` becomes a Model when enabled (or ``all.enabled``)."""
    from vllm_lint.sources.k8s import kubeai

    all_on = navigate.as_bool(navigate.path(values.root, "all", "enabled")) is True
    launches: list[Launch] = []
    for k, entry in navigate.pairs(navigate.get(values.root, "catalog")):
        if not navigate.is_map(entry):
            continue
        en = navigate.as_bool(navigate.get(entry, "enabled"))
        if not (en is True or (all_on and en is not False)):
            continue
        launch = kubeai.spec_launch(values.src_of(entry), entry, navigate.key_text(k), f"catalog.{navigate.key_text(k)}", source="helm")
        if launch is not None:
            launch.path = values.main.display
            launches.append(launch)
    return launches
