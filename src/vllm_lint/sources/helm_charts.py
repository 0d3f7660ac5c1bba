"""Models of how known Helm charts render their values into a vLLM command line.

* vLLM production-stack (``helm/templates/deployment-vllm-multi.yaml`` and ``ray-cluster.yaml``,
  read at vllm-project/production-stack; corpus NOTES.md section 2).
* The vLLM project's example chart (``examples/online_serving/chart-helm``): ``image.command``
  is the whole argv.
* KubeAI's models chart: ``catalog.<name>`` entries rendered as ``Model`` objects when enabled.
* llm-d deployer values: ``sampleApplication.decode|prefill.extraArgs``.
* Unknown charts whose ``templates/`` write the container command from ``.Values``: the
  template itself, rendered with the merged values (``template_launches``, ``helm_template``).
* Other unknown charts, by heuristics: a model key, ``args``/``extraArgs``/``additionalArgs``
  lists, and vLLM option keys (camelCase or snake_case) under a ``vllm``/``model`` section.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from yaml.nodes import MappingNode, Node

from vllm_lint.launch import EnvValue, GpuRequest, Insertion, Launch, Token
from vllm_lint.sources import k8s_gpu
from vllm_lint.sources import k8s_yaml as Y
from vllm_lint.sources.helm import Values, is_scalar_value, new_launch
from vllm_lint.span import Span
from vllm_lint.vllm.versions import version_from_image

if TYPE_CHECKING:
    from vllm_lint.sources.base import SourceFile

# production-stack vllmConfig keys -> the flag the template writes (underscores as rendered).
PS_VLLM_CONFIG = {
    "maxModelLen": "--max-model-len",
    "dtype": "--dtype",
    "tensorParallelSize": "--tensor-parallel-size",
    "maxNumSeqs": "--max-num-seqs",
    "gpuMemoryUtilization": "--gpu_memory_utilization",
    "maxLoras": "--max_loras",
    "runner": "--runner",
    "convert": "--convert",
}
# ray-cluster.yaml's vllm-entrypoint.sh spells these with hyphens and adds pipelineParallelSize.
PS_RAY_CONFIG = {
    "maxModelLen": "--max-model-len",
    "dtype": "--dtype",
    "tensorParallelSize": "--tensor-parallel-size",
    "pipelineParallelSize": "--pipeline-parallel-size",
    "maxNumSeqs": "--max-num-seqs",
    "gpuMemoryUtilization": "--gpu-memory-utilization",
    "maxLoras": "--max-loras",
}
PS_VLLM_CONFIG_OTHER = {"enableChunkedPrefill", "enablePrefixCaching", "extraArgs", "v0", "prometheusMultiprocDir",
                        "pipelineParallelSize"}
PS_MODELSPEC_KEYS = {
    "name", "enabled", "annotations", "podAnnotations", "labels", "podLabels", "serviceAccountName",
    "priorityClassName", "runtimeClassName", "repository", "tag", "imagePullSecret", "modelURL", "modelRevision",
    "replicaCount", "resources", "requestCPU", "requestMemory", "requestGPU", "requestGPUType", "requestGPUMem",
    "requestGPUMemPercentage", "requestGPUCores", "limitCPU", "limitMemory", "limitGPUMem", "limitGPUMemPercentage",
    "limitGPUCores", "pvcStorage", "pvcAccessMode", "storageClass", "pvcMatchLabels", "pvcLabels", "pvcAnnotations",
    "extraVolumes", "extraVolumeMounts", "initContainer", "vllmConfig", "lmcacheConfig", "hf_token", "envFromSecret",
    "env", "affinity", "nodeSelectorTerms", "nodeName", "tolerations", "tolerationsPolicy", "shmSize",
    "serviceAnnotations", "enableLoRA", "enableTool", "toolCallParser", "chatTemplate", "chatTemplateConfigMap",
    "keda", "raySpec", "strategy", "sidecar", "securityContext", "containerSecurityContext",
}
# production-stack renders /opt/venv/bin/vllm for these image tags (LMCache images).
PS_VENV_TAGS = {"2025-05-27-v1", "2025-05-17-v1", "latest-nightly"}

# Keys an unknown chart may use for vLLM options (camelCase or snake_case) -> flag.
GENERIC_OPTION_KEYS = {
    "maxModelLen", "gpuMemoryUtilization", "tensorParallelSize", "pipelineParallelSize", "dataParallelSize",
    "dtype", "quantization", "maxNumSeqs", "maxNumBatchedTokens", "kvCacheDtype", "enforceEager", "trustRemoteCode",
    "servedModelName", "enableChunkedPrefill", "enablePrefixCaching", "blockSize", "swapSpace", "maxLoraRank",
    "maxLoras", "enableLora", "task", "runner", "convert", "revision", "tokenizer", "seed", "cpuOffloadGb",
    "enableAutoToolChoice", "toolCallParser", "reasoningParser", "chatTemplate", "loadFormat", "maxLogprobs",
    "limitMmPerPrompt", "enableEager",
}
MODEL_KEYS = ("modelURL", "modelName", "modelId", "model_id", "modelPath", "repoId", "model")
ARGS_KEYS = ("extraArgs", "args", "additionalArgs", "extra_args", "vllmArgs", "engineArgs")


def kebab(key: str) -> str:
    """``maxModelLen`` -> ``max-model-len``; ``max_model_len`` stays as written (vLLM maps _ to -)."""
    if "_" in key:
        return key
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "-" + m.group(1).lower(), key).lower()


def render(values: Values) -> list[Launch]:
    root = values.root
    launches: list[Launch] = []
    if Y.get(root, "servingEngineSpec") is not None:
        return production_stack(values)
    if Y.is_map(Y.get(root, "catalog")):
        return kubeai_catalog(values)
    command = Y.path(root, "image", "command")
    if Y.is_seq(command) and any((Y.text(i) or "").strip() in ("vllm", "serve") or "vllm." in (Y.text(i) or "")
                                 for i in Y.items(command)):
        return vllm_example_chart(values)
    sample = Y.get(root, "sampleApplication")
    if Y.is_map(sample):
        for role in ("decode", "prefill"):
            r = Y.get(sample, role)
            if Y.is_map(r) and Y.get(r, "extraArgs") is not None:
                launch = generic(values, [sample, r], f"sampleApplication.{role}")
                if launch is not None:
                    launches.append(launch)
        return launches
    from_templates = template_launches(values)
    if from_templates:
        return from_templates  # the chart's own template wins over guessing from values keys
    launch = generic(values, [root], "values")
    return [launch] if launch is not None else []


def template_launches(values: Values) -> list[Launch]:
    """Launches rendered from the chart's own templates (``helm_template``), for a chart whose
    ``templates/`` write a vLLM container command from ``.Values``.

    Used only for charts not modelled above, and only when the chart's ``values.yaml`` is among
    the merged files (an overlay alone would render the template against missing defaults).
    Literal template text keeps spans in the template; substituted values point at the values
    file that set them. When a template renders a vLLM launch it replaces the values-key
    heuristic (``generic``), which would otherwise report the same engine a second time with
    flags guessed from key names.
    """
    from vllm_lint.sources import helm_template as T
    from vllm_lint.sources import kubernetes
    from vllm_lint.sources.base import ExtractOptions, SourceFile
    from vllm_lint.span import LineIndex

    main = values.main
    assert main is not None
    base = next((f for f in values.files if f.path.name == "values.yaml"), None)
    if base is None or not (base.path.parent / "templates").is_dir():
        return []
    meta, chart_src = T.chart_meta(base)
    meta_ids = {id(n) for n in meta.values()}

    def origin_of(node):
        if chart_src is not None and id(node) in meta_ids:
            return chart_src
        return values.src_of(node)

    launches: list[Launch] = []
    for tpl in T.chart_templates(base):
        try:
            rendered = T.render(tpl, values.root, origin_of, meta)
        except T.Unknown:
            continue
        rsrc = SourceFile(path=tpl.path, display=tpl.display, text=rendered.text,
                          index=LineIndex(tpl.display, rendered.text), kind="kubernetes", limits=tpl.limits)
        loaded = yamlspan_load(rsrc)
        if loaded is None:
            continue
        try:
            found = kubernetes.documents_launches(rsrc, loaded, ExtractOptions())
        except (RecursionError, Y.BudgetExceeded):
            continue
        for launch in found:
            if not T.remap_launch(launch, rendered):
                continue  # this container's command does not come from values
            rel = f"templates/{tpl.path.name}"
            launch.path = launch.span.path  # the template (the values file is ctx.src)
            launch.source = "helm"
            shown = launch.name.replace("${{", "{{")  # the `$` the renderer added for YAML's sake
            launch.name = launch_name_of(values, f"{rel}: {shown}")
            launch.facts["chart"] = "rendered-template"
            launch.facts["chart_template"] = tpl.display
            launch.facts["chart_values"] = main.display
            launch.unknowns.extend(rendered.unknowns)
            launches.append(launch)
    return launches


def yamlspan_load(src: SourceFile) -> list | None:
    """Documents of a rendered template, or None when the rendering is not valid YAML."""
    from vllm_lint.sources import yamlspan

    loaded = yamlspan.load_documents(src)
    return None if loaded.diagnostics else loaded.documents


def launch_name_of(values: Values, base: str) -> str:
    from vllm_lint.sources.helm import launch_name

    return launch_name(values, base)


# ----------------------------------------------------------------------------- production-stack


def _synthetic(*words: str) -> list[Token]:
    return [Token(text=w, span=None, style="synthetic", origin="chart") for w in words]


def _ps_gpu(values: Values, spec: Node, unknowns: list[str], ray_head: Node | None = None) -> GpuRequest:
    """``chart.resources``: ``resources`` wins; else ``requestGPU`` of ``requestGPUType``."""
    gpu = GpuRequest()
    res = Y.get(spec, "resources")
    if Y.is_map(res) and Y.pairs(res):
        src = values.src_of(res)
        if not k8s_gpu.read_resources(src.index, res, gpu, unknowns, where="modelSpec.resources"):
            unknowns.append("modelSpec.resources requests no GPU")
        return gpu
    req = Y.get(spec, "requestGPU")
    rtype = (Y.text(Y.get(spec, "requestGPUType")) or "nvidia.com/gpu").strip()
    if req is None:
        unknowns.append("no requestGPU: the chart requests no GPU resource")
        return gpu
    n = Y.as_number(req)
    gpu.count_span = values.span(req)
    gpu.mechanism = f"production-stack requestGPU ({rtype})"
    if n is None:
        unknowns.append(f"requestGPU {Y.text(req)!r} is not a number")
    else:
        gpu.count = n
        if n != int(n):
            gpu.notes.append(f"fractional requestGPU {n:g} renders {rtype}: \"{n:g}\"")
    mig = k8s_gpu.MIG_RE.match(rtype)
    if mig:
        gpu.mig_profile = mig.group("profile")
    if rtype.startswith("amd.com"):
        gpu.notes.append("vendor: amd")
    if ray_head is not None:
        head = Y.as_number(Y.get(ray_head, "requestGPU"))
        reps = Y.as_number(Y.get(spec, "replicaCount")) or 1
        if head is not None and gpu.count is not None:
            gpu.notes.append(f"Ray cluster: head {head:g} + {reps:g} worker(s) x {gpu.count:g}")
            gpu.count = head + reps * gpu.count
            gpu.mechanism = "production-stack raySpec: head requestGPU + replicaCount x requestGPU"
    return gpu


def _ps_product(values: Values, spec: Node, gpu: GpuRequest) -> None:
    rtype = Y.text(Y.get(spec, "requestGPUType"))
    pod_like = MappingNode("tag:yaml.org,2002:map", [])
    terms = Y.get(spec, "nodeSelectorTerms")
    pairs = []
    for k, v in Y.pairs(spec):
        kt = Y.key_text(k)
        if kt in ("nodeSelector", "affinity"):
            pairs.append((k, v))
    pod_like.value = pairs
    src = values.src_of(spec)
    k8s_gpu.read_product(src.index, pod_like, gpu)
    if gpu.product is None and Y.is_seq(terms):
        for term in Y.items(terms):
            for expr in Y.items(Y.get(term, "matchExpressions")):
                key = (Y.text(Y.get(expr, "key")) or "").strip()
                if key in k8s_gpu.PRODUCT_LABELS and (Y.text(Y.get(expr, "operator")) or "").strip() == "In":
                    vals = Y.items(Y.get(expr, "values"))
                    if vals and gpu.product is None:
                        gpu.product = Y.text(vals[0])
                        gpu.product_span = values.span(vals[0])
    if gpu.product is None and rtype and k8s_gpu.MIG_RE.match(rtype.strip()):
        gpu.notes.append(f"MIG resource {rtype}")


def production_stack(values: Values) -> list[Launch]:
    ses = Y.get(values.root, "servingEngineSpec")
    launches: list[Launch] = []
    enable_engine = Y.as_bool(Y.get(ses, "enableEngine"))
    if enable_engine is False:
        return launches
    port = (Y.text(Y.get(ses, "containerPort")) or "8000").strip()
    for i, spec in enumerate(Y.items(Y.get(ses, "modelSpec"))):
        if not Y.is_map(spec):
            continue
        if Y.as_bool(Y.get(spec, "enabled")) is False:
            continue
        launch = _ps_launch(values, spec, i, port)
        if launch is not None:
            launches.append(launch)
    return launches


def _ps_launch(values: Values, spec: Node, i: int, port: str) -> Launch | None:
    unknowns: list[str] = []
    name = (Y.text(Y.get(spec, "name")) or str(i)).strip()
    repo_node, tag_node = Y.get(spec, "repository"), Y.get(spec, "tag")
    repo = (Y.text(repo_node) or "").strip()
    tag = (Y.text(tag_node) or "").strip()
    image = f"{repo}:{tag}" if repo else None
    ray = Y.get(spec, "raySpec")
    on_ray = Y.is_map(ray) and Y.as_bool(Y.get(ray, "enabled")) is True
    venv = tag in PS_VENV_TAGS or tag.startswith("nightly-") or (tag == "latest" and repo == "lmcache/vllm-openai")
    # The Ray path runs vllm-entrypoint.sh (ray-cluster.yaml ConfigMap): `vllm serve` from PATH.
    program = _synthetic("/opt/venv/bin/vllm" if venv and not on_ray else "vllm", "serve")
    args: list[Token] = []
    model = Y.get(spec, "modelURL")
    if is_scalar_value(model):
        args.append(values.token(model))
    else:
        unknowns.append("modelURL is not set")
    args += _synthetic("--host", "0.0.0.0", "--port", port)
    if on_ray:
        args += _synthetic("--distributed-executor-backend", "ray")
    facts: dict[str, object] = {"chart": "vllm-production-stack"}
    if tag_node is not None:
        facts["image_tag_span"] = values.span(tag_node)  # VL503 points at the tag
    ignored: list[tuple[str, object]] = []
    for flag_key, flag in (("enableLoRA", "--enable-lora"), ("enableTool", "--enable-auto-tool-choice")):
        pair = Y.get_pair(spec, flag_key)
        if pair and Y.as_bool(pair[1]):
            args.append(values.key_token(pair[0], flag))
    tcp = Y.get_pair(spec, "toolCallParser")
    if tcp and is_scalar_value(tcp[1]) and Y.text(tcp[1]):
        args += [values.key_token(tcp[0], "--tool-call-parser"), values.token(tcp[1])]
    vc_pair = Y.get_pair(spec, "vllmConfig")
    vc = vc_pair[1] if vc_pair else None
    insertion: Insertion | None = None
    if Y.is_map(vc) and Y.pairs(vc):
        cp = Y.get_pair(vc, "enableChunkedPrefill")
        if cp:
            args.append(values.key_token(cp[0], "--enable-chunked-prefill" if Y.as_bool(cp[1]) else "--no-enable-chunked-prefill"))
        pc = Y.get_pair(vc, "enablePrefixCaching")
        if on_ray:  # the Ray script adds --enable-prefix-caching only when true, nothing otherwise
            if pc and Y.as_bool(pc[1]):
                args.append(values.key_token(pc[0], "--enable-prefix-caching"))
        elif pc:
            args.append(values.key_token(pc[0], "--enable-prefix-caching" if Y.as_bool(pc[1]) else "--no-enable-prefix-caching"))
        else:
            t = values.key_token(vc_pair[0], "--no-enable-prefix-caching")
            t.style = "synthetic"
            args.append(t)
            facts["implicit_no_prefix_caching"] = True
        for key, flag in (PS_RAY_CONFIG if on_ray else PS_VLLM_CONFIG).items():
            pair = Y.get_pair(vc, key)
            if pair and not Y.is_null(pair[1]):
                args += [values.key_token(pair[0], flag), values.token(pair[1])]
        if on_ray:
            pass
        elif Y.get_pair(vc, "pipelineParallelSize"):
            k = Y.get_pair(vc, "pipelineParallelSize")[0]
            ignored.append(("vllmConfig.pipelineParallelSize", values.span(k)))
        extra = Y.get(vc, "extraArgs")
        for item in Y.items(extra):
            if is_scalar_value(item):
                args.append(values.token(item))
        for k, _ in Y.pairs(vc):
            kt = Y.key_text(k)
            known_keys = (set(PS_RAY_CONFIG) | {"v1"}) if on_ray else set(PS_VLLM_CONFIG)
            if kt not in known_keys and kt not in PS_VLLM_CONFIG_OTHER:
                ignored.append((f"vllmConfig.{kt}", values.span(k)))
        if on_ray:  # ray-cluster.yaml: VLLM_USE_V1 = vllmConfig.v1, default "0"
            facts["vllm_use_v1"] = (Y.text(Y.get(vc, "v1")) or "0").strip()
        elif (Y.text(Y.get(vc, "v0")) or "").strip() == "1":
            facts["vllm_use_v1"] = "0"
        insertion = _ps_insertion(values, vc, extra)
        if Y.get_pair(vc, "tensorParallelSize"):
            facts["dev_shm_volume"] = True
            facts["shm_size"] = (Y.text(Y.get(spec, "shmSize")) or "20Gi").strip()
        else:
            facts["dev_shm_volume"] = False
    else:
        facts["dev_shm_volume"] = False
        insertion = _ps_insertion(values, None, None, spec=spec)
        if insertion is not None:
            facts["insertion_note"] = ("adding vllmConfig also makes the chart render --no-enable-prefix-caching "
                                       "(add enablePrefixCaching: true to keep prefix caching on)")
    lm = Y.get(spec, "lmcacheConfig")
    if Y.is_map(lm) and Y.as_bool(Y.get(lm, "enabled")):
        role = (Y.text(Y.get(lm, "kvRole")) or "kv_both").strip()
        if on_ray:  # the Ray script picks the connector from vllmConfig.v1 only
            conn = "LMCacheConnectorV1" if Y.is_map(vc) and (Y.text(Y.get(vc, "v1")) or "").strip() == "1" else "LMCacheConnector"
            role = "kv_both"
        elif Y.get(lm, "enablePD") is not None:
            conn = "LMCacheConnectorV1"
        elif Y.is_map(vc) and (Y.text(Y.get(vc, "v0")) or "").strip() == "1":
            conn = "LMCacheConnector"
        else:
            conn = "LMCacheConnectorV1"
        args += _synthetic("--kv-transfer-config", json.dumps({"kv_connector": conn, "kv_role": role}, separators=(",", ":")))
    if Y.is_map(lm) and Y.as_bool(Y.get(lm, "enablePD")):
        facts["ipc_host"] = True
    ct = Y.get(spec, "chatTemplate")
    if is_scalar_value(ct) and Y.text(ct):
        args += _synthetic("--chat-template", Y.text(ct) if on_ray else f"/templates/{Y.text(ct)}")
    for k, v in Y.pairs(spec):
        kt = Y.key_text(k)
        if kt not in PS_MODELSPEC_KEYS and (kt in ARGS_KEYS or kt in GENERIC_OPTION_KEYS or kt in PS_VLLM_CONFIG):
            ignored.append((kt, values.span(k)))
    if ignored:
        facts["ignored_keys"] = ignored
    env: dict[str, EnvValue] = {"HF_HOME": EnvValue("/data" if Y.get(spec, "pvcStorage") is not None else "/tmp")}
    if "vllm_use_v1" in facts:
        env["VLLM_USE_V1"] = EnvValue(str(facts["vllm_use_v1"]))
    for item in Y.items(Y.get(spec, "env")):
        n = (Y.text(Y.get(item, "name")) or "").strip()
        if not n:
            continue
        if Y.get(item, "valueFrom") is not None:
            env[n] = EnvValue(f"$({n})", values.span(Y.get(item, "name")), symbolic=True)
        else:
            v = Y.get(item, "value")
            env[n] = EnvValue(Y.text(v) or "", values.span(v))
    if Y.is_map(lm) and Y.get(lm, "cudaVisibleDevices") is not None:
        v = Y.get(lm, "cudaVisibleDevices")
        env["CUDA_VISIBLE_DEVICES"] = EnvValue(Y.text(v) or "", values.span(v))
    gpu = _ps_gpu(values, spec, unknowns, Y.get(ray, "headNode") if on_ray else None)
    _ps_product(values, spec, gpu)
    reps = Y.as_number(Y.get(spec, "replicaCount"))
    facts["ports"] = [port]
    if on_ray:
        facts["nodes"] = int((reps or 1) + 1)
    title = f"servingEngineSpec.modelSpec[{i}] ({name})"
    return new_launch(values, title, Y.get(spec, "name") or spec, program=program, args=args, env=env, image=image,
                      image_span=values.span(repo_node), vllm_version=version_from_image(image) if image else None,
                      gpu=gpu, replicas=None if on_ray else (int(reps) if reps is not None else 1),
                      insertion=insertion, facts=facts, unknowns=unknowns, entrypoint="serve")


def _camel(flag: str) -> str:
    parts = flag.lstrip("-").replace("_", "-").split("-")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def _ps_insertion(values: Values, vc: Node | None, extra: Node | None, spec: Node | None = None) -> Insertion | None:
    """New flags go into ``vllmConfig`` as chart keys when the chart knows them, else ``extraArgs``."""
    from vllm_lint.sources.k8s_container import _yaml_quote, list_insertion

    if vc is not None and values.src_of(vc) is values.main:
        if vc.flow_style:
            return None  # a flow mapping ({a: 1}): no line-based insertion
        if extra is not None and Y.is_seq(extra) and Y.items(extra) and values.src_of(extra) is values.main:
            return list_insertion(values.main, extra)
        first = Y.pairs(vc)[0][0]
        src = values.main
        col = first.start_mark.column
        last_key_line = max(Y.last_content_line(v, src.text) for _, v in Y.pairs(vc))
        offset = src.index.line_start(last_key_line) + len(src.index.line_text(last_key_line))
        known = {v: k for k, v in PS_VLLM_CONFIG.items()}

        def render(words: list[str], col=col) -> str:
            pad = " " * col
            flag = words[0] if words else ""
            norm = flag.replace("_", "-")
            keyed = {k.replace("_", "-"): v for k, v in known.items()}
            if norm in keyed and len(words) == 2:
                return f"\n{pad}{keyed[norm]}: {words[1]}"
            return f"\n{pad}extraArgs: [" + ", ".join(_yaml_quote(w, None) for w in words) + "]"

        return Insertion(src.display, offset, render)
    if spec is not None and values.src_of(spec) is values.main and Y.pairs(spec):
        # No vllmConfig yet: add one after the modelSpec entry's last line.
        src = values.main
        first = Y.pairs(spec)[0][0]
        col = first.start_mark.column
        last_line = max(Y.last_content_line(v, src.text) for _, v in Y.pairs(spec))
        offset = src.index.line_start(last_line) + len(src.index.line_text(last_line))
        known = {v.replace("_", "-"): k for k, v in PS_VLLM_CONFIG.items()}

        def render_new(words: list[str], col=col) -> str:
            pad = " " * col
            norm = words[0].replace("_", "-") if words else ""
            if norm in known and len(words) == 2:
                body = f"{pad}  {known[norm]}: {words[1]}"
            else:
                body = f"{pad}  extraArgs: [" + ", ".join(_yaml_quote(w, None) for w in words) + "]"
            return f"\n{pad}vllmConfig:\n{body}"

        return Insertion(src.display, offset, render_new)
    return None


# ----------------------------------------------------------------------------- other charts


def vllm_example_chart(values: Values) -> list[Launch]:
    """vllm-project/vllm examples/online_serving/chart-helm: ``image.command`` is the argv."""
    from vllm_lint.sources import k8s_shell as H
    from vllm_lint.sources.k8s_container import list_insertion

    root = values.root
    image_node = Y.get(root, "image")
    repo = (Y.text(Y.get(image_node, "repository")) or "").strip()
    tag = (Y.text(Y.get(image_node, "tag")) or "latest").strip()
    image = f"{repo}:{tag}" if repo else None
    cmd = Y.get(image_node, "command")
    tokens = [values.token(n) for n in Y.items(cmd)]
    found = H.find_vllm(tokens)
    if found is None:
        return []
    entrypoint, program, args, facts = found
    unknowns: list[str] = []
    gpu = GpuRequest()
    res = Y.get(root, "resources")
    if not k8s_gpu.read_resources(values.src_of(res).index if res is not None else values.main.index, res, gpu, unknowns):
        unknowns.append("no GPU resource in resources")
    models = Y.items(Y.get(root, "gpuModels"))
    if models:
        gpu.product = Y.text(models[0])
        gpu.product_span = values.span(models[0])
        if gpu.product and gpu.product.isupper() and "_" in gpu.product:
            gpu.notes.append(f"gpuModels value {gpu.product!r} looks like a placeholder")
            unknowns.append(f"GPU product placeholder {gpu.product!r}")
    facts["chart"] = "vllm-example-chart"
    if Y.get(image_node, "tag") is not None:
        facts["image_tag_span"] = values.span(Y.get(image_node, "tag"))
    shm = Y.get(root, "shm")
    facts["dev_shm_volume"] = bool(Y.as_bool(Y.get(shm, "enabled")))
    if facts["dev_shm_volume"]:
        facts["shm_size"] = Y.text(Y.get(shm, "size"))
    port = Y.text(Y.get(root, "containerPort"))
    facts["ports"] = [port] if port else []
    reps = Y.as_number(Y.get(root, "replicaCount"))
    ins = list_insertion(values.main, cmd) if values.src_of(cmd) is values.main else None
    return [new_launch(values, "image.command", cmd, entrypoint=entrypoint, program=program, args=args,
                       image=image, image_span=values.span(Y.get(image_node, "repository")),
                       vllm_version=version_from_image(image) if image else None, gpu=gpu,
                       replicas=int(reps) if reps is not None else None, insertion=ins, facts=facts, unknowns=unknowns)]


def kubeai_catalog(values: Values) -> list[Launch]:
    """KubeAI models chart: ``catalog.<name>`` becomes a Model when enabled (or ``all.enabled``)."""
    from vllm_lint.sources import kubeai

    all_on = Y.as_bool(Y.path(values.root, "all", "enabled")) is True
    launches: list[Launch] = []
    for k, entry in Y.pairs(Y.get(values.root, "catalog")):
        if not Y.is_map(entry):
            continue
        en = Y.as_bool(Y.get(entry, "enabled"))
        if not (en is True or (all_on and en is not False)):
            continue
        launch = kubeai.spec_launch(values.src_of(entry), entry, Y.key_text(k), f"catalog.{Y.key_text(k)}", source="helm")
        if launch is not None:
            launch.path = values.main.display
            launches.append(launch)
    return launches


_PAIR = re.compile(r"^(--[A-Za-z0-9][\w.\-]*)([ \t]+)([^ \t'\"{\[]+)$")


def _split_pair(tok: Token) -> list[Token]:
    """``"--load-format auto"`` in one list item -> two words. Charts that take free-form args
    lists usually join them into a shell command line (open-source-ai-dev's template does);
    the split is recorded on the tokens' origin."""
    m = _PAIR.match(tok.text)
    if not m or tok.span is None or tok.raw != tok.text:
        return [tok]
    a, gap = m.group(1), m.group(2)
    s = tok.span
    src_index_span = lambda start, end: Span(s.path, start, end, s.line, s.column + (start - s.start), s.end_line,
                                             s.column + (end - s.start))
    first = Token(text=a, span=src_index_span(s.start, s.start + len(a)), raw=a, origin="helm:split-item")
    vs = s.start + len(a) + len(gap)
    second = Token(text=m.group(3), span=src_index_span(vs, s.end), raw=m.group(3), origin="helm:split-item")
    return [first, second]


def _find_section(root: Node, names: tuple[str, ...]) -> list[Node]:
    out = []
    for n in names:
        v = Y.get(root, n)
        if Y.is_map(v):
            out.append(v)
    return out


def _vllm_signal(repo: str, sections: list[Node], root: Node, args: list[Token]) -> bool:
    """True when values are for a vLLM chart: a vLLM image, a ``vllm`` section, or vLLM flags."""
    from vllm_lint.sources import images

    if repo and images.is_vllm_image(repo):
        return True
    if Y.is_map(Y.get(root, "vllm")):
        return True
    from vllm_lint.sources.k8s_shell import has_vllm_flag

    return has_vllm_flag(args)


def generic(values: Values, scopes: list[Node], title: str) -> Launch | None:
    """An unknown chart: vLLM option keys, args lists and a model key, if any are present.

    Keys are rendered as ``--kebab-case`` flags (``helm-key`` tokens at the key); how the real
    template writes them is unknown, so the launch records ``facts["chart"] = "unknown"``.
    """
    from vllm_lint.sources.k8s_container import list_insertion

    root = values.root
    sections = list(scopes)
    for s in list(scopes):
        sections += _find_section(s, ("vllm", "model", "engine", "server", "vllmConfig", "serving"))
    args: list[Token] = []
    model_tok: Token | None = None
    unknowns: list[str] = []
    insertion: Insertion | None = None
    seen_option = False
    for sec in sections:
        for key in MODEL_KEYS:
            v = Y.get(sec, key)
            if model_tok is None and is_scalar_value(v) and (Y.text(v) or "").strip():
                model_tok = values.token(v)
            elif model_tok is None and Y.is_map(v):
                for sub in ("repoId", "name", "id", "path", "uri"):
                    sv = Y.get(v, sub)
                    if is_scalar_value(sv) and (Y.text(sv) or "").strip():
                        model_tok = values.token(sv)
                        break
        for k, v in Y.pairs(sec):
            kt = Y.key_text(k)
            if kt in GENERIC_OPTION_KEYS or (sec is not root and "_" in kt and kt.islower() and kt not in ("model_id",)):
                if sec is root and kt not in GENERIC_OPTION_KEYS:
                    continue
                if kt in ("servedModelName",) and not (Y.text(v) or "").strip():
                    continue
                b = Y.as_bool(v)
                if is_scalar_value(v) and (Y.text(v) or "").strip() == "":
                    continue  # empty strings are skipped by templates' `if`
                seen_option = True
                if b is True:
                    args.append(values.key_token(k, "--" + kebab(kt)))
                elif b is False:
                    continue
                elif is_scalar_value(v):
                    args += [values.key_token(k, "--" + kebab(kt)), values.token(v)]
    for sec in sections:
        for key in ARGS_KEYS:
            lst = Y.get(sec, key)
            if Y.is_seq(lst):
                for item in Y.items(lst):
                    if not is_scalar_value(item):
                        continue
                    t = values.token(item)
                    args.extend(_split_pair(t))
                    seen_option = True
                if Y.items(lst) and values.src_of(lst) is values.main:
                    insertion = list_insertion(values.main, lst)
    if not seen_option and model_tok is None:
        return None
    image_node = Y.get(root, "image")
    repo = (Y.text(Y.get(image_node, "repository")) or Y.text(Y.get(image_node, "name")) or
            (Y.text(image_node) if Y.is_scalar(image_node) else "") or "").strip()
    if not _vllm_signal(repo, sections, root, args):
        return None  # another application's chart: args and keys are not vLLM's
    if model_tok is None:
        unknowns.append("model not set in these values (it may come from the chart's defaults or another values file)")
    tag = (Y.text(Y.get(image_node, "tag")) or "").strip()
    image = (f"{repo}:{tag}" if tag else repo) if repo else None
    gpu = GpuRequest()
    res = None
    for s in scopes + [root]:
        res = Y.get(s, "resources")
        if res is not None:
            break
    if not k8s_gpu.read_resources(values.src_of(res).index if res is not None else values.main.index, res, gpu, unknowns):
        unknowns.append("no GPU resource found in the values")
    pod_like = MappingNode("tag:yaml.org,2002:map", [])
    pod_like.value = [(k, v) for k, v in Y.pairs(root) if Y.key_text(k) in ("nodeSelector", "affinity")]
    k8s_gpu.read_product(values.main.index, pod_like, gpu)
    na = Y.get(root, "nodeAffinity")
    if gpu.product is None and Y.is_map(na):
        for term in Y.items(Y.get(na, "nodeSelectorTerms")):
            for expr in Y.items(Y.get(term, "matchExpressions")):
                if (Y.text(Y.get(expr, "key")) or "").strip() in k8s_gpu.PRODUCT_LABELS:
                    vals = Y.items(Y.get(expr, "values"))
                    if vals and gpu.product is None:
                        gpu.product, gpu.product_span = Y.text(vals[0]), values.span(vals[0])
    program = _synthetic("vllm", "serve")
    all_args = ([model_tok] if model_tok is not None else []) + args
    reps = Y.as_number(Y.get(root, "replicaCount"))
    return new_launch(values, title, scopes[-1] if scopes[-1] is not root else None, program=program, args=all_args,
                      image=image, image_span=values.span(Y.get(image_node, "repository")),
                      vllm_version=version_from_image(image) if image else None, gpu=gpu,
                      replicas=int(reps) if reps is not None else None, insertion=insertion,
                      facts={"chart": "unknown", **({"image_tag_span": values.span(Y.get(image_node, "tag"))} if tag else {})},
                      unknowns=unknowns + ["chart template unknown: flags rendered from values keys by convention"])
