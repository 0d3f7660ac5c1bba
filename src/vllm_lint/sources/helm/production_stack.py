"""How vLLM production-stack's chart renders ``servingEngineSpec.modelSpec[]`` into vLLM launches
(``helm/templates/deployment-vllm-multi.yaml``, and ``ray-cluster.yaml`` for ``raySpec``, read at
vllm-project/production-stack).
"""

from __future__ import annotations

import json
from pathlib import Path

from yaml.nodes import MappingNode, Node

from vllm_lint.launch import EnvValue, GpuRequest, Insertion, Launch, Token
from vllm_lint.sources.helm.generic import ARGS_KEYS, GENERIC_OPTION_KEYS
from vllm_lint.sources.helm.values import Values, is_scalar_value, new_launch, synthetic
from vllm_lint.sources.k8s import gpu_requests
from vllm_lint.sources.yaml import navigate
from vllm_lint.vllm.versions import version_from_image

# The chart's key maps, read from its templates (schema beside the data file).
_CHART = json.loads((Path(__file__).with_name("data") / "production_stack.json").read_text(encoding="utf-8"))
# vllmConfig keys -> the flag the template writes (underscores as rendered).
PS_VLLM_CONFIG: dict[str, str] = _CHART["vllm_config_flags"]
# ray-cluster.yaml's vllm-entrypoint.sh spells these with hyphens and adds pipelineParallelSize.
PS_RAY_CONFIG: dict[str, str] = _CHART["ray_config_flags"]
PS_VLLM_CONFIG_OTHER = frozenset(_CHART["vllm_config_other_keys"])
PS_MODELSPEC_KEYS = frozenset(_CHART["model_spec_keys"])
# servingEngineSpec keys some version of the chart reads (every helm/templates/* of every commit of
# vllm-project/production-stack up to a6c01db0): any other key there is ignored by every version.
PS_SES_KEYS = frozenset(_CHART["serving_engine_spec_keys"])
# modelSpec keys users write that no version of the chart reads (the vLLM Deployment and the Ray
# cluster take node placement only from nodeSelectorTerms, affinity or nodeName).
PS_MODELSPEC_IGNORED = frozenset(_CHART["model_spec_ignored_keys"])
# production-stack renders /opt/venv/bin/vllm for these image tags (LMCache images).
PS_VENV_TAGS = frozenset(_CHART["venv_image_tags"])


def _ps_gpu(values: Values, spec: Node, unknowns: list[str], ray_head: Node | None = None) -> GpuRequest:
    """``chart.resources``: ``resources`` wins; else ``requestGPU`` of ``requestGPUType``."""
    gpu = GpuRequest()
    res = navigate.get(spec, "resources")
    if navigate.is_map(res) and navigate.pairs(res):
        src = values.src_of(res)
        if not gpu_requests.read_resources(src.index, res, gpu, unknowns, where="modelSpec.resources"):
            unknowns.append("modelSpec.resources requests no GPU")
        return gpu
    req = navigate.get(spec, "requestGPU")
    rtype = (navigate.text(navigate.get(spec, "requestGPUType")) or "nvidia.com/gpu").strip()
    if req is None:
        unknowns.append("no requestGPU: the chart requests no GPU resource")
        return gpu
    n = navigate.as_number(req)
    gpu.count_span = values.span(req)
    gpu.mechanism = f"production-stack requestGPU ({rtype})"
    if n is None:
        unknowns.append(f"requestGPU {navigate.text(req)!r} is not a number")
    else:
        gpu.count = n
        if n != int(n):
            gpu.notes.append(f"fractional requestGPU {n:g} renders {rtype}: \"{n:g}\"")
    mig = gpu_requests.MIG_RE.match(rtype)
    if mig:
        gpu.mig_profile = mig.group("profile")
    if rtype.startswith("amd.com"):
        gpu.notes.append("vendor: amd")
    if ray_head is not None:
        head = navigate.as_number(navigate.get(ray_head, "requestGPU"))
        reps = navigate.as_number(navigate.get(spec, "replicaCount")) or 1
        if head is not None and gpu.count is not None:
            gpu.notes.append(f"Ray cluster: head {head:g} + {reps:g} worker(s) x {gpu.count:g}")
            gpu.count = head + reps * gpu.count
            gpu.mechanism = "production-stack raySpec: head requestGPU + replicaCount x requestGPU"
    return gpu


def _ps_product(values: Values, spec: Node, gpu: GpuRequest) -> None:
    rtype = navigate.text(navigate.get(spec, "requestGPUType"))
    pod_like = MappingNode("tag:yaml.org,2002:map", [])
    terms = navigate.get(spec, "nodeSelectorTerms")
    pairs = []
    for k, v in navigate.pairs(spec):
        kt = navigate.key_text(k)
        if kt in ("nodeSelector", "affinity"):
            pairs.append((k, v))
    pod_like.value = pairs
    src = values.src_of(spec)
    gpu_requests.read_product(src.index, pod_like, gpu)
    if gpu.product is None and navigate.is_seq(terms):
        for term in navigate.items(terms):
            for expr in navigate.items(navigate.get(term, "matchExpressions")):
                key = (navigate.text(navigate.get(expr, "key")) or "").strip()
                if key in gpu_requests.PRODUCT_LABELS and (navigate.text(navigate.get(expr, "operator")) or "").strip() == "In":
                    vals = navigate.items(navigate.get(expr, "values"))
                    if vals and gpu.product is None:
                        gpu.product = navigate.text(vals[0])
                        gpu.product_span = values.span(vals[0])
    if gpu.product is None and rtype and gpu_requests.MIG_RE.match(rtype.strip()):
        gpu.notes.append(f"MIG resource {rtype}")


def production_stack(values: Values) -> list[Launch]:
    ses = navigate.get(values.root, "servingEngineSpec")
    launches: list[Launch] = []
    enable_engine = navigate.as_bool(navigate.get(ses, "enableEngine"))
    if enable_engine is False:
        return launches
    port = (navigate.text(navigate.get(ses, "containerPort")) or "8000").strip()
    for i, spec in enumerate(navigate.items(navigate.get(ses, "modelSpec"))):
        if not navigate.is_map(spec):
            continue
        if navigate.as_bool(navigate.get(spec, "enabled")) is False:
            continue
        launch = _ps_launch(values, spec, i, port)
        if launch is not None:
            launches.append(launch)
    ses_ignored = [(f"servingEngineSpec.{navigate.key_text(k)}", values.span(k)) for k, _ in navigate.pairs(ses)
                   if navigate.key_text(k) not in PS_SES_KEYS] if navigate.is_map(ses) else []
    if launches and ses_ignored:  # one report for the section, on its first engine
        launches[0].facts["ignored_keys"] = list(launches[0].facts.get("ignored_keys") or []) + ses_ignored
    return launches


def _ps_launch(values: Values, spec: Node, i: int, port: str) -> Launch | None:
    """One ``modelSpec`` entry as the chart's deployment (or Ray cluster) template renders it.

    Long on purpose: it follows the template from top to bottom, one values key after another, so
    that it can be reviewed against the chart's template line by line."""
    unknowns: list[str] = []
    name = (navigate.text(navigate.get(spec, "name")) or str(i)).strip()
    repo_node, tag_node = navigate.get(spec, "repository"), navigate.get(spec, "tag")
    repo = (navigate.text(repo_node) or "").strip()
    tag = (navigate.text(tag_node) or "").strip()
    image = f"{repo}:{tag}" if repo else None
    ray = navigate.get(spec, "raySpec")
    on_ray = navigate.is_map(ray) and navigate.as_bool(navigate.get(ray, "enabled")) is True
    venv = tag in PS_VENV_TAGS or tag.startswith("nightly-") or (tag == "latest" and repo == "lmcache/vllm-openai")
    # The Ray path runs vllm-entrypoint.sh (ray-cluster.yaml ConfigMap): `vllm serve` from PATH.
    program = synthetic("/opt/venv/bin/vllm" if venv and not on_ray else "vllm", "serve")
    args: list[Token] = []
    model = navigate.get(spec, "modelURL")
    if is_scalar_value(model):
        args.append(values.token(model))
    else:
        unknowns.append("modelURL is not set")
    args += synthetic("--host", "0.0.0.0", "--port", port)
    if on_ray:
        args += synthetic("--distributed-executor-backend", "ray")
    facts: dict[str, object] = {"chart": "vllm-production-stack"}
    if tag_node is not None:
        facts["image_tag_span"] = values.span(tag_node)  # VL503 points at the tag
    ignored: list[tuple[str, object]] = []
    for flag_key, flag in (("enableLoRA", "--enable-lora"), ("enableTool", "--enable-auto-tool-choice")):
        pair = navigate.get_pair(spec, flag_key)
        if pair and navigate.as_bool(pair[1]):
            args.append(values.key_token(pair[0], flag))
    tcp = navigate.get_pair(spec, "toolCallParser")
    if tcp and is_scalar_value(tcp[1]) and navigate.text(tcp[1]):
        args += [values.key_token(tcp[0], "--tool-call-parser"), values.token(tcp[1])]
    vc_pair = navigate.get_pair(spec, "vllmConfig")
    vc = vc_pair[1] if vc_pair else None
    insertion: Insertion | None = None
    if navigate.is_map(vc) and navigate.pairs(vc):
        cp = navigate.get_pair(vc, "enableChunkedPrefill")
        if cp:
            args.append(values.key_token(cp[0], "--enable-chunked-prefill" if navigate.as_bool(cp[1]) else "--no-enable-chunked-prefill"))
        pc = navigate.get_pair(vc, "enablePrefixCaching")
        if on_ray:  # the Ray script adds --enable-prefix-caching only when true, nothing otherwise
            if pc and navigate.as_bool(pc[1]):
                args.append(values.key_token(pc[0], "--enable-prefix-caching"))
        elif pc:
            args.append(values.key_token(pc[0], "--enable-prefix-caching" if navigate.as_bool(pc[1]) else "--no-enable-prefix-caching"))
        else:
            t = values.key_token(vc_pair[0], "--no-enable-prefix-caching")
            t.style = "synthetic"
            args.append(t)
            facts["implicit_no_prefix_caching"] = True
        for key, flag in (PS_RAY_CONFIG if on_ray else PS_VLLM_CONFIG).items():
            pair = navigate.get_pair(vc, key)
            if pair and not navigate.is_null(pair[1]):
                args += [values.key_token(pair[0], flag), values.token(pair[1])]
        if on_ray:
            pass
        elif navigate.get_pair(vc, "pipelineParallelSize"):
            k = navigate.get_pair(vc, "pipelineParallelSize")[0]
            ignored.append(("vllmConfig.pipelineParallelSize", values.span(k)))
        extra = navigate.get(vc, "extraArgs")
        for item in navigate.items(extra):
            if is_scalar_value(item):
                args.append(values.token(item))
        for k, _ in navigate.pairs(vc):
            kt = navigate.key_text(k)
            known_keys = (set(PS_RAY_CONFIG) | {"v1"}) if on_ray else set(PS_VLLM_CONFIG)
            if kt not in known_keys and kt not in PS_VLLM_CONFIG_OTHER:
                ignored.append((f"vllmConfig.{kt}", values.span(k)))
        if on_ray:  # ray-cluster.yaml: VLLM_USE_V1 = vllmConfig.v1, default "0"
            facts["vllm_use_v1"] = (navigate.text(navigate.get(vc, "v1")) or "0").strip()
        elif (navigate.text(navigate.get(vc, "v0")) or "").strip() == "1":
            facts["vllm_use_v1"] = "0"
        insertion = _ps_insertion(values, vc, extra)
        if navigate.get_pair(vc, "tensorParallelSize"):
            facts["dev_shm_volume"] = True
            facts["shm_size"] = (navigate.text(navigate.get(spec, "shmSize")) or "20Gi").strip()
        else:
            facts["dev_shm_volume"] = False
    else:
        facts["dev_shm_volume"] = False
        insertion = _ps_insertion(values, None, None, spec=spec)
        if insertion is not None:
            facts["insertion_note"] = ("adding vllmConfig also makes the chart render --no-enable-prefix-caching "
                                       "(add enablePrefixCaching: true to keep prefix caching on)")
    lm = navigate.get(spec, "lmcacheConfig")
    if navigate.is_map(lm) and navigate.as_bool(navigate.get(lm, "enabled")):
        role = (navigate.text(navigate.get(lm, "kvRole")) or "kv_both").strip()
        if on_ray:  # the Ray script picks the connector from vllmConfig.v1 only
            conn = "LMCacheConnectorV1" if navigate.is_map(vc) and (navigate.text(navigate.get(vc, "v1")) or "").strip() == "1" else "LMCacheConnector"
            role = "kv_both"
        elif navigate.get(lm, "enablePD") is not None:
            conn = "LMCacheConnectorV1"
        elif navigate.is_map(vc) and (navigate.text(navigate.get(vc, "v0")) or "").strip() == "1":
            conn = "LMCacheConnector"
        else:
            conn = "LMCacheConnectorV1"
        args += synthetic("--kv-transfer-config", json.dumps({"kv_connector": conn, "kv_role": role}, separators=(",", ":")))
    if navigate.is_map(lm) and navigate.as_bool(navigate.get(lm, "enablePD")):
        facts["ipc_host"] = True
    ct = navigate.get(spec, "chatTemplate")
    if is_scalar_value(ct) and navigate.text(ct):
        args += synthetic("--chat-template", navigate.text(ct) if on_ray else f"/templates/{navigate.text(ct)}")
    for k, v in navigate.pairs(spec):
        kt = navigate.key_text(k)
        if kt not in PS_MODELSPEC_KEYS and (kt in ARGS_KEYS or kt in GENERIC_OPTION_KEYS or kt in PS_VLLM_CONFIG
                                            or kt in PS_MODELSPEC_IGNORED):
            ignored.append((kt, values.span(k)))
    if ignored:
        facts["ignored_keys"] = ignored
    env: dict[str, EnvValue] = {"HF_HOME": EnvValue("/data" if navigate.get(spec, "pvcStorage") is not None else "/tmp")}
    if "vllm_use_v1" in facts:
        env["VLLM_USE_V1"] = EnvValue(str(facts["vllm_use_v1"]))
    for item in navigate.items(navigate.get(spec, "env")):
        n = (navigate.text(navigate.get(item, "name")) or "").strip()
        if not n:
            continue
        if navigate.get(item, "valueFrom") is not None:
            env[n] = EnvValue(f"$({n})", values.span(navigate.get(item, "name")), symbolic=True)
        else:
            v = navigate.get(item, "value")
            env[n] = EnvValue(navigate.text(v) or "", values.span(v))
    if navigate.is_map(lm) and navigate.get(lm, "cudaVisibleDevices") is not None:
        v = navigate.get(lm, "cudaVisibleDevices")
        env["CUDA_VISIBLE_DEVICES"] = EnvValue(navigate.text(v) or "", values.span(v))
    gpu = _ps_gpu(values, spec, unknowns, navigate.get(ray, "headNode") if on_ray else None)
    _ps_product(values, spec, gpu)
    reps = navigate.as_number(navigate.get(spec, "replicaCount"))
    facts["ports"] = [port]
    if on_ray:
        facts["nodes"] = int((reps or 1) + 1)
    title = f"servingEngineSpec.modelSpec[{i}] ({name})"
    return new_launch(values, title, navigate.get(spec, "name") or spec, program=program, args=args, env=env, image=image,
                      image_span=values.span(repo_node), vllm_version=version_from_image(image) if image else None,
                      gpu=gpu, replicas=None if on_ray else (int(reps) if reps is not None else 1),
                      insertion=insertion, facts=facts, unknowns=unknowns, entrypoint="serve")


def _camel(flag: str) -> str:
    parts = flag.lstrip("-").replace("_", "-").split("-")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def _ps_insertion(values: Values, vc: Node | None, extra: Node | None, spec: Node | None = None) -> Insertion | None:
    """New flags go into ``vllmConfig`` as chart keys when the chart knows them, else ``extraArgs``."""
    from vllm_lint.sources.k8s.container import _yaml_quote, list_insertion

    if vc is not None and values.src_of(vc) is values.main:
        if vc.flow_style:
            return None  # a flow mapping ({a: 1}): no line-based insertion
        if extra is not None and navigate.is_seq(extra) and navigate.items(extra) and values.src_of(extra) is values.main:
            return list_insertion(values.main, extra)
        first = navigate.pairs(vc)[0][0]
        src = values.main
        col = first.start_mark.column
        last_key_line = max(navigate.last_content_line(v, src.text) for _, v in navigate.pairs(vc))
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
    if spec is not None and values.src_of(spec) is values.main and navigate.pairs(spec):
        # No vllmConfig yet: add one after the modelSpec entry's last line.
        src = values.main
        first = navigate.pairs(spec)[0][0]
        col = first.start_mark.column
        last_line = max(navigate.last_content_line(v, src.text) for _, v in navigate.pairs(spec))
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
