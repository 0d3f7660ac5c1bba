"""Ray Serve LLM configs -> vLLM launches (a Serve config file, or a KubeRay ``RayService``
whose ``serveConfigV2`` is a YAML document held in a string).

Ray Serve LLM (``ray.serve.llm:build_openai_app``) builds one engine per ``llm_configs[]``
entry: ``model_loading_config.model_source`` (default: ``model_id``) is the model,
``engine_kwargs`` are vLLM ``AsyncEngineArgs`` fields (snake_case), ``accelerator_type`` picks
the GPU, ``runtime_env.env_vars`` is the environment. Apps with another ``import_path`` run
custom Python that reads engine settings from env vars; their launch carries the env and says
the flags are unknown. Spans inside ``serveConfigV2`` are mapped through the block scalar to
the manifest's characters.
"""

from __future__ import annotations

import json

from yaml.nodes import Node

from vllm_lint.launch import EnvValue, GpuRequest, Insertion, Launch, LaunchFacts, Token
from vllm_lint.sources.base import ExtractOptions, SourceFile
from vllm_lint.sources.k8s import gpu_requests
from vllm_lint.sources.yaml import loader, lookup, navigate, spans
from vllm_lint.span import Span

MODEL_ENV = ("MODEL_ID", "MODEL_NAME", "MODEL", "MODEL_PATH")



class _Mapper:
    """Maps offsets of an inner YAML text (a string scalar's value) to file offsets."""

    def __init__(self, src: SourceFile, offs: list[int] | None) -> None:
        self.src, self.offs = src, offs

    def span(self, inner_start: int, inner_end: int) -> Span | None:
        if self.offs is None:
            return self.src.index.span(inner_start, inner_end)
        if not self.offs or inner_start >= len(self.offs):
            return None
        a = self.offs[inner_start]
        last = self.offs[max(inner_start, inner_end - 1)] if inner_end - 1 < len(self.offs) else self.offs[-1]
        return self.src.index.span(a, last + 1)

    def node_span(self, inner_src: SourceFile, node: Node | None) -> Span | None:
        if node is None or not navigate.is_scalar(node):
            return None
        sp = gpu_requests.node_span(inner_src.index, node)
        return self.span(sp.start, sp.end) if sp else None

    def offset(self, inner: int) -> int | None:
        if self.offs is None:
            return inner
        if inner < len(self.offs):
            return self.offs[inner]
        return None


def doc_launches(src: SourceFile, doc: Node) -> list[Launch]:
    """A RayService (serveConfigV2 + cluster) or a plain Serve config document."""
    from vllm_lint.sources.k8s.container import PodContext
    from vllm_lint.sources.k8s.workloads import find_pod_specs, object_name, ray_context, workload_launches

    kind = (navigate.text(navigate.get(doc, "kind")) or "").strip()
    if kind != "RayService":
        return serve_config_launches(src, src, doc, _Mapper(src, None), None, None)
    _, name = object_name(doc)
    cluster_gpu: GpuRequest | None = None
    nodes = None
    product_pod = None
    cluster = navigate.path(doc, "spec", "rayClusterConfig")
    if cluster is not None:
        budget = navigate.Budget(src.limits.max_aliases, src.limits.max_depth)
        for trail, pod in find_pod_specs(doc, budget):
            keys = [k for k, _ in trail]
            if "headGroupSpec" in keys:
                ctx = PodContext(kind="RayService", name=name, pod_spec=pod)
                ray_context(src, trail, ctx)
                cluster_gpu, nodes = ctx.gpu_total, ctx.nodes
            elif "workerGroupSpecs" in keys and product_pod is None:
                product_pod = pod
    out: list[Launch] = []
    scv = navigate.path(doc, "spec", "serveConfigV2")
    if navigate.is_scalar(scv) and not navigate.is_null(scv):
        inner_src = SourceFile.from_text(scv.value, display=src.display, kind="rayservice", limits=src.limits)
        mapper = _Mapper(src, spans.scalar_offset_map(scv, src.text))
        loaded = loader.load_documents(inner_src)
        for d in loaded.diagnostics:
            if d.span is not None:
                d.span = mapper.span(d.span.start, d.span.end)
        for inner in loaded.documents:
            for launch in serve_config_launches(src, inner_src, inner, mapper, cluster_gpu, nodes, title=f"RayService/{name}"):
                if product_pod is not None and launch.gpu.product is None:
                    gpu_requests.read_product(src.index, product_pod, launch.gpu)
                out.append(launch)
    # A container that starts vLLM itself (e.g. `vllm serve` after `ray start` in the head).
    out.extend(workload_launches(src, doc, ExtractOptions(), source="ray"))
    return out


def _kwarg_tokens(mapper: _Mapper, inner_src: SourceFile, kw: Node) -> list[Token]:
    toks: list[Token] = []
    for k, v in navigate.pairs(kw):
        key = navigate.key_text(k)
        kspan = mapper.node_span(inner_src, k)
        raw = mapper.src.text[kspan.start:kspan.end] if kspan else key
        if navigate.is_null(v):
            continue
        b = navigate.as_bool(v) if navigate.is_scalar(v) and v.tag == navigate.BOOL_TAG else None
        if b is True:
            toks.append(Token(text=f"--{key}", span=kspan, raw=raw, style="config-key"))
        elif b is False:
            toks.append(Token(text=f"--no-{key.replace('_', '-')}", span=kspan, raw=raw, style="config-key"))
        elif navigate.is_scalar(v):
            vspan = mapper.node_span(inner_src, v)
            toks.append(Token(text=f"--{key}", span=kspan, raw=raw, style="config-key"))
            toks.append(Token(text=v.value, span=vspan, raw=mapper.src.text[vspan.start:vspan.end] if vspan else v.value,
                              style="config-key", symbolic=v.value.startswith("<") and v.value.endswith(">")))
        else:
            toks.append(Token(text=f"--{key}", span=kspan, raw=raw, style="config-key"))
            toks.append(Token(text=json.dumps(lookup.to_python(v), separators=(",", ":")), span=None,
                              style="synthetic", origin="ray:engine_kwargs"))
    return toks


def _kwargs_insertion(mapper: _Mapper, inner_src: SourceFile, kw: Node) -> Insertion | None:
    """A new ``key: value`` line under ``engine_kwargs`` (inside the block scalar if nested)."""
    pairs = navigate.pairs(kw)
    if not pairs or kw.flow_style:
        return None
    first_key = pairs[0][0]
    last_v = pairs[-1][1]
    inner_end = last_v.end_mark.index
    while inner_end > 0 and inner_src.text[inner_end - 1] in " \t\r\n":
        inner_end -= 1
    off = mapper.offset(max(0, inner_end - 1))
    kspan = mapper.node_span(inner_src, first_key)
    if off is None or kspan is None:
        return None
    off += 1
    col = kspan.column - 1
    src = mapper.src

    def render(words: list[str], col=col) -> str:
        from vllm_lint.sources.vllm_config import render_mapping_lines

        return render_mapping_lines(words, "\n" + " " * col)

    return Insertion(src.display, off, render)


def serve_config_launches(src: SourceFile, inner_src: SourceFile, doc: Node, mapper: _Mapper,
                          cluster_gpu: GpuRequest | None, nodes: int | None, title: str = "") -> list[Launch]:
    out: list[Launch] = []
    for ai, app in enumerate(navigate.items(navigate.get(doc, "applications"))):
        app_name = (navigate.text(navigate.get(app, "name")) or str(ai)).strip()
        import_path = (navigate.text(navigate.get(app, "import_path")) or "").strip()
        app_env = _env_vars(mapper, inner_src, navigate.path(app, "runtime_env", "env_vars"))
        configs = navigate.items(navigate.path(app, "args", "llm_configs"))
        prefix = (title + " " if title else "") + f"applications[{app_name}]"
        if configs:
            for i, cfg in enumerate(configs):
                launch = _llm_config_launch(src, inner_src, cfg, mapper, cluster_gpu, nodes, f"{prefix}.llm_configs[{i}]", app_env)
                if launch is not None:
                    out.append(launch)
        elif import_path and "vllm" in (import_path + " ".join(app_env)).lower() or any(k in app_env for k in MODEL_ENV):
            out.append(_custom_app_launch(src, app, import_path, app_env, cluster_gpu, nodes, prefix, mapper, inner_src))
    return out


def _env_vars(mapper: _Mapper, inner_src: SourceFile, node: Node | None) -> dict[str, EnvValue]:
    env: dict[str, EnvValue] = {}
    for k, v in navigate.pairs(node):
        env[navigate.key_text(k)] = EnvValue(navigate.text(v) or "", mapper.node_span(inner_src, v))
    return env


def _gpu(cluster_gpu: GpuRequest | None, product_node: Node | None, mapper: _Mapper, inner_src: SourceFile,
         unknowns: list[str]) -> GpuRequest:
    gpu = GpuRequest()
    if cluster_gpu is not None:
        gpu = GpuRequest(count=cluster_gpu.count, count_span=cluster_gpu.count_span, mechanism=cluster_gpu.mechanism,
                         notes=list(cluster_gpu.notes))
    else:
        unknowns.append("Ray cluster not in this file: GPU count unknown")
    if product_node is not None and navigate.text(product_node):
        gpu.product = navigate.text(product_node)
        gpu.product_span = mapper.node_span(inner_src, product_node)
    if gpu.count is None and cluster_gpu is not None:
        unknowns.append("Ray cluster GPU count unknown")
    return gpu


def _llm_config_launch(src: SourceFile, inner_src: SourceFile, cfg: Node, mapper: _Mapper,
                       cluster_gpu: GpuRequest | None, nodes: int | None, title: str,
                       app_env: dict[str, EnvValue]) -> Launch | None:
    if not navigate.is_map(cfg):
        return None
    unknowns: list[str] = []
    mlc = navigate.get(cfg, "model_loading_config")
    mid = navigate.get(mlc, "model_id")
    msrc = navigate.get(mlc, "model_source")
    model_node = msrc if navigate.is_scalar(msrc) and navigate.text(msrc) else mid
    args: list[Token] = []
    if navigate.is_scalar(model_node) and navigate.text(model_node):
        sp = mapper.node_span(inner_src, model_node)
        args.append(Token(text=model_node.value, span=sp, raw=src.text[sp.start:sp.end] if sp else None,
                          style="synthetic", origin="ray:model_loading_config"))
        model_id = navigate.text(mid) or model_node.value
        if model_id != model_node.value:
            msp = mapper.node_span(inner_src, mid)
            args += [Token(text="--served-model-name", style="synthetic", origin="ray"),
                     Token(text=model_id, span=msp, raw=src.text[msp.start:msp.end] if msp else None,
                           style="synthetic", origin="ray")]
    else:
        unknowns.append("model_loading_config has no model_id/model_source")
    kw = navigate.get(cfg, "engine_kwargs")
    args += _kwarg_tokens(mapper, inner_src, kw)
    env = dict(app_env)
    env.update(_env_vars(mapper, inner_src, navigate.path(cfg, "runtime_env", "env_vars")))
    gpu = _gpu(cluster_gpu, navigate.get(cfg, "accelerator_type"), mapper, inner_src, unknowns)
    dc = navigate.get(cfg, "deployment_config")
    reps = navigate.as_number(navigate.get(dc, "num_replicas"))
    if reps is None:
        reps = navigate.as_number(navigate.path(dc, "autoscaling_config", "min_replicas"))
    facts = LaunchFacts(ray_serve_llm=True)
    if nodes is not None:
        facts.nodes = nodes
    mx = navigate.as_number(navigate.path(dc, "autoscaling_config", "max_replicas"))
    if mx is not None:
        facts.max_replicas = int(mx)
    insertion = _kwargs_insertion(mapper, inner_src, kw) if navigate.is_map(kw) else None
    anchor = mapper.node_span(inner_src, model_node) if model_node is not None else None
    name = title + (f" ({navigate.text(mid)})" if navigate.text(mid) else "")
    return Launch(path=src.display, name=name, source="ray", span=anchor or src.index.span(0, 0),
                  entrypoint="engine_kwargs", program=[], args=args, env=env, gpu=gpu,
                  replicas=int(reps) if reps is not None else None, insertion=insertion, facts=facts, unknowns=unknowns)


def _custom_app_launch(src: SourceFile, app: Node, import_path: str, env: dict[str, EnvValue],
                       cluster_gpu: GpuRequest | None, nodes: int | None, title: str, mapper: _Mapper,
                       inner_src: SourceFile) -> Launch:
    unknowns = [f"custom Ray Serve app {import_path or '?'}: engine arguments come from its Python code"]
    gpu = _gpu(cluster_gpu, None, mapper, inner_src, unknowns)
    facts = LaunchFacts(ray_custom_app=import_path)
    for k in MODEL_ENV:
        if k in env:
            facts.model_hint = env[k].value
            break
    facts.engine_env = {k: v.value for k, v in env.items() if k not in ("LD_LIBRARY_PATH",)}
    if nodes is not None:
        facts.nodes = nodes
    anchor = navigate.get(app, "import_path") or app
    sp = mapper.node_span(inner_src, anchor) if navigate.is_scalar(anchor) else None
    return Launch(path=src.display, name=title, source="ray", span=sp or src.index.span(0, 0),
                  entrypoint="engine_kwargs", program=[], args=[], env=env, gpu=gpu, facts=facts, unknowns=unknowns)
