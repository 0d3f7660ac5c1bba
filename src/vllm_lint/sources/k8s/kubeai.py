"""KubeAI ``Model`` objects (kubeai.org/v1) -> vLLM launches.

KubeAI's model controller (substratusai/kubeai, engine VLLM) starts the engine image with
``--model=<url path> --served-model-name=<Model name>`` followed by ``spec.args``; the image
comes from the resource profile's ``imageName`` in the operator chart (default
``vllm/vllm-openai:v0.8.3`` at the corpus commit of ``charts/kubeai/values.yaml``). The GPU
count is ``resourceProfile: <profile>:<count>`` times the profile's per-unit resources (one GPU
per unit for the ``nvidia-gpu-*`` and ``amd-gpu-*`` profiles of that chart).
"""

from __future__ import annotations

from yaml.nodes import Node

from vllm_lint.launch import EnvValue, GpuRequest, Launch, LaunchFacts, Token
from vllm_lint.sources.base import SourceFile
from vllm_lint.sources.k8s import entrypoints, gpu_requests
from vllm_lint.sources.yaml import navigate
from vllm_lint.vllm.versions import version_from_image

# charts/kubeai/values.yaml modelServers.VLLM.images (substratusai/kubeai, corpus commit).
ENGINE_IMAGES = {
    "default": "vllm/vllm-openai:v0.8.3",
    "nvidia-gpu": "vllm/vllm-openai:v0.8.3",
    "cpu": "substratusai/vllm:v0.6.3.post1-cpu",
    "google-tpu": "substratusai/vllm:v0.6.4.post1-tpu",
    "gh200": "substratusai/vllm-gh200:v0.8.3",
    "amd-gpu": "substratusai/vllm-rocm:nightly_main_20250120",
}



def profile_image(profile: str) -> str:
    if profile.startswith("nvidia-gpu-gh200"):
        return ENGINE_IMAGES["gh200"]
    for prefix in ("nvidia-gpu", "amd-gpu", "google-tpu", "cpu"):
        if profile.startswith(prefix):
            return ENGINE_IMAGES[prefix]
    return ENGINE_IMAGES["default"]


def model_from_url(url: str) -> tuple[str | None, str]:
    """(model argument vLLM receives, scheme): ``hf://org/m`` -> ``org/m``; other schemes are
    loaded to a local path by KubeAI, unknown here."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url, ""
    if scheme == "hf":
        return rest, scheme
    return None, scheme


def _gpu(src: SourceFile, node: Node | None, unknowns: list[str]) -> GpuRequest:
    gpu = GpuRequest(mechanism="kubeai resourceProfile")
    value = (navigate.text(node) or "").strip()
    if not value:
        unknowns.append("no resourceProfile: GPU count unknown")
        return gpu
    profile, _, count = value.partition(":")
    gpu.count_span = gpu_requests.node_span(src.index, node)
    gpu.notes.append(f"resourceProfile {value}")
    try:
        n = float(count) if count else 1.0
    except ValueError:
        unknowns.append(f"resourceProfile count {count!r} is not a number")
        return gpu
    for prefix, vendor in (("nvidia-gpu-", "nvidia"), ("amd-gpu-", "amd")):
        if profile.startswith(prefix):
            gpu.count = n
            gpu.product = profile[len(prefix):]
            gpu.product_span = gpu.count_span
            if vendor == "amd":
                gpu.notes.append("vendor: amd")
            return gpu
    if profile.startswith("google-tpu"):
        gpu.count, gpu.accelerator = 0, "tpu"
        gpu.notes.append(f"TPU profile ({n:g} units): no GPU")
        unknowns.append(f"resourceProfile {value} is a TPU profile")
        return gpu
    if profile == "cpu":
        gpu.count, gpu.accelerator = 0, "cpu"
        return gpu
    unknowns.append(f"resourceProfile {profile!r} is not a KubeAI default profile: per-unit GPUs unknown")
    return gpu


def spec_launch(src: SourceFile, spec: Node, name: str, title: str, *, source: str = "kubeai") -> Launch | None:
    """The launch of one Model spec (a ``Model`` object or a models-chart catalog entry)."""
    from vllm_lint.sources.k8s.container import list_insertion

    if not navigate.is_map(spec):
        return None
    engine = (navigate.text(navigate.get(spec, "engine")) or "").strip()
    if engine.lower() != "vllm":
        return None
    unknowns: list[str] = []
    url_node = navigate.get(spec, "url")
    url = (navigate.text(url_node) or "").strip()
    model, scheme = model_from_url(url)
    url_span = gpu_requests.node_span(src.index, url_node)
    args: list[Token] = [Token(text="--model", style="synthetic", origin="kubeai")]
    if model is not None:
        args.append(Token(text=model, span=url_span, raw=src.text[url_span.start:url_span.end] if url_span else url, style="synthetic", origin="kubeai:url"))
    else:
        args.append(Token(text=url or "?", span=url_span, raw=src.text[url_span.start:url_span.end] if url_span else url, style="synthetic", symbolic=True, origin="kubeai:url"))
        unknowns.append(f"model URL scheme {scheme!r}: KubeAI loads it to a local path")
    args += [Token(text="--served-model-name", style="synthetic", origin="kubeai"),
             Token(text=name, style="synthetic", origin="kubeai")]
    args_node = navigate.get(spec, "args")
    for item in navigate.items(args_node):
        if navigate.is_scalar(item) and not navigate.is_null(item):
            span = gpu_requests.node_span(src.index, item)
            args.append(Token(text=navigate.text(item) or "", span=span, raw=src.text[span.start:span.end] if span else None))
    env: dict[str, EnvValue] = {}
    for k, v in navigate.pairs(navigate.get(spec, "env")):
        env[navigate.key_text(k)] = EnvValue(navigate.text(v) or "", gpu_requests.node_span(src.index, v))
    profile_node = navigate.get(spec, "resourceProfile")
    profile = (navigate.text(profile_node) or "").split(":")[0].strip()
    image = profile_image(profile)
    gpu = _gpu(src, profile_node, unknowns)
    program = entrypoints.image_entrypoint(image)
    entrypoint = "api_server" if any(t.text.endswith("api_server") for t in program) else "serve"
    if not program:
        # KubeAI's engine images (substratusai/vllm:*) are rebuilds of vLLM's Dockerfile, and the
        # operator passes the model as `--model=`: the image runs the OpenAI api_server module.
        program = [Token(text=w, style="synthetic", origin="kubeai")
                   for w in ("python3", "-m", "vllm.entrypoints.openai.api_server")]
        entrypoint = "api_server"
    min_r = navigate.as_number(navigate.get(spec, "minReplicas"))
    facts = LaunchFacts(kubeai_profile=profile or None, image_from="kubeai default engine image")
    max_r = navigate.as_number(navigate.get(spec, "maxReplicas"))
    if max_r is not None:
        facts.max_replicas = int(max_r)
    anchor = navigate.get(spec, "url") or spec
    start = anchor.start_mark.index
    span = gpu_requests.node_span(src.index, anchor) if navigate.is_scalar(anchor) else src.index.span(start, start)
    insertion = list_insertion(src, args_node) if navigate.is_seq(args_node) and navigate.items(args_node) else None
    return Launch(path=src.display, name=f"{title} ({name})" if title != f"Model/{name}" else title,
                  source=source, span=span or src.index.span(start, start), entrypoint=entrypoint, program=program,
                  args=args, env=env, image=image, image_span=None, vllm_version=version_from_image(image),
                  gpu=gpu, replicas=int(min_r) if min_r is not None else None, insertion=insertion, facts=facts,
                  unknowns=unknowns)


def model_launches(src: SourceFile, doc: Node) -> list[Launch]:
    name = (navigate.text(navigate.path(doc, "metadata", "name")) or "?").strip()
    spec = navigate.get(doc, "spec")
    launch = spec_launch(src, spec, name, f"Model/{name}")
    if launch is None:
        return []
    ann = navigate.path(doc, "metadata", "annotations")
    if navigate.is_map(ann):
        launch.facts.annotations = {navigate.key_text(k): navigate.text(v) for k, v in navigate.pairs(ann)}
    return [launch]
