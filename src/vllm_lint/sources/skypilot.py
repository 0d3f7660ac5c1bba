"""SkyPilot task YAML -> the launch in its ``run:`` script.

Modelled on SkyPilot's task spec: ``resources.accelerators`` as ``NAME:COUNT`` (``H100:8``), a
name alone (count 1), a list or an any-of mapping (``{L4: 1, A10G: 1}``); ``num_nodes``; ``envs``
(a null value must be passed with ``--env``: unknown) and ``secrets``; ``run`` is a bash script,
read statically with spans inside the YAML block scalar. SkyPilot sets
``SKYPILOT_NUM_GPUS_PER_NODE`` and ``SKYPILOT_NUM_NODES`` for the script. With several
accelerator choices the launch must start on each, so it is checked against the one with the
least GPU memory in all (``facts.accelerator_choices``: ``A100:4, the choice with the least GPU
memory of {A100:4, A100:8, H100:8}``), whose count ``SKYPILOT_NUM_GPUS_PER_NODE`` then is.
``resources.image_id: docker:IMAGE`` runs ``setup`` and ``run`` inside that container: its vLLM
is the one the script starts.
"""

from __future__ import annotations

import re

from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from vllm_lint.launch import GpuRequest
from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile
from vllm_lint.sources.shell.commands import parse_script
from vllm_lint.sources.yaml import loader, lookup, spans
from vllm_lint.vllm.versions import version_from_image

_ACC = re.compile(r"^\s*([\w.\-]+)\s*(?::\s*([\d.]+))?\s*$")


def _choices(node) -> list[tuple[str, float | None]]:
    """``NAME:COUNT`` choices of one ``accelerators`` value (a name, a list, an any-of mapping)."""
    choices: list[tuple[str, float | None]] = []
    if isinstance(node, ScalarNode):
        m = _ACC.match(node.value)
        if m:
            choices.append((m.group(1), float(m.group(2)) if m.group(2) else 1.0))
    elif isinstance(node, MappingNode):
        for k, v in lookup.mapping_pairs(node):
            if isinstance(k, ScalarNode):
                val = lookup.to_python(v)
                m = _ACC.match(k.value)  # {A100:4, H100:8} is a flow mapping of "A100:4" keys
                if m and m.group(2) and val is None:
                    choices.append((m.group(1), float(m.group(2))))
                    continue
                choices.append((k.value, float(val) if isinstance(val, (int, float)) and not isinstance(val, bool) else 1.0))
    elif isinstance(node, SequenceNode):
        for item in node.value:
            if isinstance(item, ScalarNode):
                m = _ACC.match(item.value)
                if m:
                    choices.append((m.group(1), float(m.group(2)) if m.group(2) else 1.0))
    return choices


def _accelerators(src: SourceFile, res) -> tuple[GpuRequest, int | None]:
    node = lookup.get(res, "accelerators")
    req = GpuRequest(mechanism="resources.accelerators")
    if node is None or lookup.is_null(node):
        # resources.any_of / resources.ordered: candidate resource sets, SkyPilot takes one
        key, alts = next(((k, lookup.get(res, k)) for k in ("any_of", "ordered")
                          if isinstance(lookup.get(res, k), SequenceNode)), ("", None))
        if alts is None:
            req.mechanism = None
            req.notes.append("no resources.accelerators")
            return req, None
        req.mechanism = f"resources.{key}"
        choices = [c for item in alts.value for c in _choices(lookup.get(item, "accelerators"))]
        choices = list(dict.fromkeys(choices))
        node = alts
    else:
        choices = _choices(node)
    if not choices:
        req.notes.append("resources.accelerators could not be read")
        return req, None
    req.product_span = spans.node_span(node, src)
    if len(choices) > 1:
        # SkyPilot launches on whichever choice it gets first: the launch has to work on each,
        # so it is checked against the one with the least GPU memory in all, and says so
        listed = choice_words(choices)
        smallest = smallest_choice(choices)
        if smallest is None:
            req.product = ", ".join(name for name, _ in choices)
            req.notes.append(f"any one of {listed} (SkyPilot picks at launch); the memory of one is not known")
            return req, None
        req.notes.append(f"{smallest[0]}:{smallest[1]:g}, the choice with the least GPU memory of {listed}")
        choices = [smallest]
    name, c = choices[0]
    req.product = name
    per_node = int(c) if c is not None and float(c).is_integer() else None
    req.count = c
    return req, per_node


def _count_origins(launch, per_node: int | None, choice: str) -> None:
    """A word that reads ``$SKYPILOT_NUM_GPUS_PER_NODE`` (``--tensor-parallel-size``) has the
    count of the choice it was checked against, which another choice would change: say so."""
    for t in launch.args:
        if per_node is not None and "SKYPILOT_NUM_GPUS_PER_NODE" in (t.raw or "") and t.origin == "file":
            t.origin = f"value: SKYPILOT_NUM_GPUS_PER_NODE is {per_node}, checked against {choice}"


def choice_words(choices: list[tuple[str, float | None]]) -> str:
    """``{A100:4, A100:8, H100:8}``: accelerator choices as SkyPilot writes them."""
    return "{" + ", ".join(f"{n}:{c:g}" if c is not None else n for n, c in choices) + "}"


def smallest_choice(choices: list[tuple[str, float | None]]) -> tuple[str, float] | None:
    """The choice with the least GPU memory in all (count x memory); None when one is unknown."""
    from vllm_lint.hardware.gpus import resolve_gpu

    sized = []
    for name, count in choices:
        spec = resolve_gpu(name)
        if spec is None or count is None:
            return None
        sized.append((spec.total_gib * count, count, name))
    _, count, name = min(sized)
    return name, count


def _docker_image(src: SourceFile, res, launch) -> None:
    """``image_id: docker:vllm/vllm-openai:v0.11.0``: the task runs in that image."""
    node = lookup.get(res, "image_id") if isinstance(res, MappingNode) else None
    if not isinstance(node, ScalarNode) or not node.value.startswith("docker:"):
        return
    at = len("docker:")
    while at < len(node.value) and node.value[at] == " ":
        at += 1
    image = node.value[at:].rstrip()
    offs = spans.scalar_offset_map(node, src.text)
    if not image or "{" in image or "$" in image or offs is None or len(offs) != len(node.value):
        return
    start = offs[at]
    launch.image = image
    launch.image_span = src.span(start, start + len(image))
    launch.vllm_version = version_from_image(image)
    launch.facts.runs_in_image = image


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    opts = opts or ExtractOptions()
    docs = loader.load_documents(src)
    result = ExtractResult(diagnostics=list(docs.diagnostics))
    for doc in docs.documents:
        if not isinstance(doc, MappingNode):
            continue
        run = lookup.get(doc, "run")
        if not isinstance(run, ScalarNode) or lookup.is_null(run):
            continue
        res = lookup.get(doc, "resources")
        gpu, per_node = _accelerators(src, res)
        nodes_s = lookup.get_str(doc, "num_nodes")
        nodes = int(nodes_s) if nodes_s and nodes_s.isdigit() else 1
        env: dict[str, object] = dict(opts.env)
        for section in ("envs", "secrets"):
            for k, v in lookup.mapping_pairs(lookup.get(doc, section)):
                if isinstance(k, ScalarNode):
                    env[k.value] = None if lookup.is_null(v) or section == "secrets" else str(lookup.to_python(v))
        env["SKYPILOT_NUM_NODES"] = str(nodes)
        env["SKYPILOT_NUM_GPUS_PER_NODE"] = str(per_node) if per_node is not None else None
        for k in ("SKYPILOT_NODE_RANK", "SKYPILOT_NODE_IPS"):
            env.setdefault(k, None)
        offs = spans.scalar_offset_map(run, src.text)
        if offs is None:
            continue
        script = parse_script(run.value, offs, env)
        from vllm_lint.sources.shell.scripts import command_launch

        for cmd in script.commands:
            launch = command_launch(src, cmd, script, depth=0)
            if launch is None:
                continue
            launch.source = "skypilot"
            launch.name = f"run: {launch.name}"
            if launch.image is None:
                if gpu.count is not None:
                    gpu.count = gpu.count * nodes
                launch.gpu = gpu
                launch.unknowns = [u for u in launch.unknowns if "host are visible" not in u and "GPU count" not in u]
                if gpu.count is None:
                    launch.unknowns.append("GPU count is not known: " + ("; ".join(gpu.notes) or "no accelerators"))
            if launch.image is None:
                _docker_image(src, res, launch)
            launch.facts.nodes = nodes
            choice = next((n for n in gpu.notes if ", the choice with the least GPU memory of " in n), None)
            if choice is not None:
                launch.facts.accelerator_choices = choice
                _count_origins(launch, per_node, choice)
            if per_node is not None:
                launch.facts.gpus_per_node = per_node
            replicas = lookup.get_str(lookup.get(doc, "service"), "replicas")
            if replicas and replicas.isdigit():
                launch.replicas = int(replicas)
            result.launches.append(launch)
            break
    return result
