"""The vLLM project's example chart (``examples/online_serving/chart-helm``): ``image.command`` is
the whole argv.
"""

from __future__ import annotations

from vllm_lint.launch import GpuRequest, Launch
from vllm_lint.sources.helm.values import Values, new_launch
from vllm_lint.sources.k8s import gpu_requests
from vllm_lint.sources.yaml import navigate
from vllm_lint.vllm.versions import version_from_image

# ----------------------------------------------------------------------------- other charts


def vllm_example_chart(values: Values) -> list[Launch]:
    """vllm-project/vllm examples/online_serving/chart-helm: ``image.command`` is the argv."""
    from vllm_lint.sources.k8s import entrypoints
    from vllm_lint.sources.k8s.container import list_insertion

    root = values.root
    image_node = navigate.get(root, "image")
    repo = (navigate.text(navigate.get(image_node, "repository")) or "").strip()
    tag = (navigate.text(navigate.get(image_node, "tag")) or "latest").strip()
    image = f"{repo}:{tag}" if repo else None
    cmd = navigate.get(image_node, "command")
    tokens = [values.token(n) for n in navigate.items(cmd)]
    found = entrypoints.find_vllm(tokens)
    if found is None:
        return []
    entrypoint, program, args, facts = found
    unknowns: list[str] = []
    gpu = GpuRequest()
    res = navigate.get(root, "resources")
    if not gpu_requests.read_resources(values.src_of(res).index if res is not None else values.main.index, res, gpu, unknowns):
        unknowns.append("no GPU resource in resources")
    models = navigate.items(navigate.get(root, "gpuModels"))
    if models:
        gpu.product = navigate.text(models[0])
        gpu.product_span = values.span(models[0])
        if gpu.product and gpu.product.isupper() and "_" in gpu.product:
            gpu.notes.append(f"gpuModels value {gpu.product!r} looks like a placeholder")
            unknowns.append(f"GPU product placeholder {gpu.product!r}")
    facts.chart = "vllm-example-chart"
    if navigate.get(image_node, "tag") is not None:
        facts.image_tag_span = values.span(navigate.get(image_node, "tag"))  # VL503 points at the tag
    shm = navigate.get(root, "shm")
    facts.dev_shm_volume = bool(navigate.as_bool(navigate.get(shm, "enabled")))
    if facts.dev_shm_volume:
        facts.shm_size = navigate.text(navigate.get(shm, "size"))
    port = navigate.text(navigate.get(root, "containerPort"))
    facts.ports = [port] if port else []
    reps = navigate.as_number(navigate.get(root, "replicaCount"))
    ins = list_insertion(values.main, cmd) if values.src_of(cmd) is values.main else None
    return [new_launch(values, "image.command", cmd, entrypoint=entrypoint, program=program, args=args,
                       image=image, image_span=values.span(navigate.get(image_node, "repository")),
                       vllm_version=version_from_image(image) if image else None, gpu=gpu,
                       replicas=int(reps) if reps is not None else None, insertion=ins, facts=facts, unknowns=unknowns)]
