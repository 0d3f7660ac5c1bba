"""Operator CRDs whose controller builds the vLLM command from typed fields (VLLMRuntime), or
whose pods run a vLLM wrapper outside a ``containers`` list (NVIDIA Dynamo).

``VLLMRuntime`` (production-stack operator, ``production-stack.vllm.ai/v1alpha1``): the
controller (``operator/internal/controller/vllmruntime_controller.go``,
``deploymentForVLLMRuntime``) runs ``/opt/venv/bin/vllm serve <model.modelURL> --host 0.0.0.0
--port <vllmConfig.port>`` then, in this order: ``--enable-lora``, ``--enable-auto-tool-choice``,
``--tool-call-parser``, ``--enable-chunked-prefill``/``--no-enable-chunked-prefill`` (always one
of them), ``--enable-prefix-caching``/``--no-enable-prefix-caching`` (always), ``--max-model-len``
(model), ``--dtype`` (model), ``--tensor-parallel-size``, ``--max-num-seqs`` (model),
``--gpu_memory_utilization`` and ``--max_loras`` (underscores as written by the controller),
``vllmConfig.extraArgs``, ``--chat-template``, and ``--kv-transfer-config`` when LMCache is on.
GPUs: ``deploymentConfig.resources.gpu`` of ``gpuType`` (default ``nvidia.com/gpu``).
"""

from __future__ import annotations

from yaml.nodes import Node

from vllm_lint.launch import EnvValue, GpuRequest, Launch, LaunchFacts, Token
from vllm_lint.sources.base import SourceFile
from vllm_lint.sources.k8s import gpu_requests
from vllm_lint.sources.yaml import navigate
from vllm_lint.vllm.versions import version_from_image


def _syn(*words: str) -> list[Token]:
    return [Token(text=w, style="synthetic", origin="vllmruntime-controller") for w in words]


def vllmruntime_launches(src: SourceFile, doc: Node) -> list[Launch]:
    """A production-stack ``VLLMRuntime``: the command its operator builds from typed fields.

    Long on purpose: it follows the operator's command builder field by field (model, vllmConfig,
    deploymentConfig), so it can be reviewed against the controller's code in one read."""
    spec = navigate.get(doc, "spec")
    model = navigate.get(spec, "model")
    vc = navigate.get(spec, "vllmConfig")
    dc = navigate.get(spec, "deploymentConfig")
    name = (navigate.text(navigate.path(doc, "metadata", "name")) or "?").strip()
    unknowns: list[str] = []

    def val(node: Node | None) -> Token:
        sp = gpu_requests.node_span(src.index, node)
        return Token(text=(navigate.text(node) or "").strip(), span=sp, raw=src.text[sp.start:sp.end] if sp else None)

    def key(parent: Node | None, k: str, flag: str) -> Token:
        pair = navigate.get_pair(parent, k)
        sp = gpu_requests.node_span(src.index, pair[0]) if pair else None
        return Token(text=flag, span=sp, raw=src.text[sp.start:sp.end] if sp else None, style="helm-key")

    args: list[Token] = []
    url = navigate.get(model, "modelURL")
    if navigate.text(url):
        args.append(val(url))
    else:
        unknowns.append("spec.model.modelURL is not set")
    port = (navigate.text(navigate.get(vc, "port")) or "8000").strip()
    args += _syn("--host", "0.0.0.0", "--port", port)
    if navigate.as_bool(navigate.get(model, "enableLoRA")):
        args.append(key(model, "enableLoRA", "--enable-lora"))
    if navigate.as_bool(navigate.get(model, "enableTool")):
        args.append(key(model, "enableTool", "--enable-auto-tool-choice"))
    if (navigate.text(navigate.get(model, "toolCallParser")) or "").strip():
        args += [key(model, "toolCallParser", "--tool-call-parser"), val(navigate.get(model, "toolCallParser"))]
    for k, on, off in (("enableChunkedPrefill", "--enable-chunked-prefill", "--no-enable-chunked-prefill"),
                       ("enablePrefixCaching", "--enable-prefix-caching", "--no-enable-prefix-caching")):
        flag = on if navigate.as_bool(navigate.get(vc, k)) else off
        t = key(vc, k, flag)
        if t.span is None:
            t.style = "synthetic"
        args.append(t)
    for parent, k, flag in ((model, "maxModelLen", "--max-model-len"), (model, "dtype", "--dtype"),
                            (vc, "tensorParallelSize", "--tensor-parallel-size"), (model, "maxNumSeqs", "--max-num-seqs"),
                            (vc, "gpuMemoryUtilization", "--gpu_memory_utilization"), (vc, "maxLoras", "--max_loras")):
        v = navigate.get(parent, k)
        t = (navigate.text(v) or "").strip()
        if t and t not in ("0",):
            args += [key(parent, k, flag), val(v)]
    for item in navigate.items(navigate.get(vc, "extraArgs")):
        if navigate.is_scalar(item) and not navigate.is_null(item):
            args.append(val(item))
    if (navigate.text(navigate.get(model, "chatTemplate")) or "").strip():
        args += _syn("--chat-template", "/etc/chat-template.json")
    v1 = bool(navigate.as_bool(navigate.get(vc, "v1")))
    if navigate.as_bool(navigate.path(spec, "lmCacheConfig", "enabled")):
        conn = "LMCacheConnectorV1" if v1 else "LMCacheConnector"
        args += _syn("--kv-transfer-config", '{"kv_connector":"%s","kv_role":"kv_both"}' % conn)
    env: dict[str, EnvValue] = {"VLLM_USE_V1": EnvValue("1" if v1 else "0")}
    for item in navigate.items(navigate.get(vc, "env")):
        n = (navigate.text(navigate.get(item, "name")) or "").strip()
        if n:
            v = navigate.get(item, "value")
            env[n] = EnvValue(navigate.text(v) or "", gpu_requests.node_span(src.index, v))
    res = navigate.path(dc, "resources")
    gpu = GpuRequest()
    gnode = navigate.get(res, "gpu")
    gtype = (navigate.text(navigate.get(res, "gpuType")) or "nvidia.com/gpu").strip()
    if gnode is not None:
        n = navigate.as_number(gnode)
        gpu.count, gpu.count_span = n, gpu_requests.node_span(src.index, gnode)
        gpu.mechanism = f"VLLMRuntime deploymentConfig.resources.gpu ({gtype})"
        mig = gpu_requests.MIG_RE.match(gtype)
        if mig:
            gpu.mig_profile = mig.group("profile")
        if n is None:
            unknowns.append(f"deploymentConfig.resources.gpu {navigate.text(gnode)!r} is not a number")
    else:
        unknowns.append("no deploymentConfig.resources.gpu: GPU count unknown")
    terms = navigate.get(dc, "nodeSelectorTerms")
    for term in navigate.items(terms):
        for expr in navigate.items(navigate.get(term, "matchExpressions")):
            if (navigate.text(navigate.get(expr, "key")) or "").strip() in gpu_requests.PRODUCT_LABELS and gpu.product is None:
                vals = navigate.items(navigate.get(expr, "values"))
                if vals:
                    gpu.product, gpu.product_span = navigate.text(vals[0]), gpu_requests.node_span(src.index, vals[0])
    img = navigate.get(dc, "image")
    reg, iname = (navigate.text(navigate.get(img, "registry")) or "").strip(), (navigate.text(navigate.get(img, "name")) or "").strip()
    image = f"{reg}/{iname}" if reg and iname else (iname or None)
    reps = navigate.as_number(navigate.get(dc, "replicas"))
    anchor = url if url is not None else doc
    span = gpu_requests.node_span(src.index, anchor) if navigate.is_scalar(anchor) else src.index.span(anchor.start_mark.index, anchor.start_mark.index)
    return [Launch(path=src.display, name=f"VLLMRuntime/{name}", source="kubernetes", span=span,
                   entrypoint="serve", program=_syn("/opt/venv/bin/vllm", "serve"), args=args, env=env, image=image,
                   image_span=gpu_requests.node_span(src.index, navigate.get(img, "name")),
                   vllm_version=version_from_image(image) if image else None, gpu=gpu,
                   replicas=int(reps) if reps is not None else None,
                   facts=LaunchFacts(operator="production-stack VLLMRuntime", ports=[port]), unknowns=unknowns)]


# NVIDIA Dynamo's vLLM worker (`python3 -m dynamo.vllm`) parses its own options and hands the
# rest to vLLM's engine-argument parser (components/backends/vllm, args.py). Its own options:
DYNAMO_SWITCHES = {"--is-prefill-worker", "--is-decode-worker", "--is-multimodal", "--use-vllm-tokenizer"}
DYNAMO_VALUED = {"--endpoint", "--migration-limit", "--dyn-endpoint-types", "--dyn-tool-call-parser",
                 "--dyn-reasoning-parser", "--custom-jinja-template", "--store-kv", "--request-plane"}
DYNAMO_NARGS = {"--connector"}


def _split_dynamo_args(args: list[Token]) -> tuple[list[Token], list[str]]:
    """(vLLM engine args, Dynamo's own options) of a ``dynamo.vllm`` argv."""
    keep: list[Token] = []
    own: list[str] = []
    i = 0
    while i < len(args):
        t = args[i]
        flag = t.text.split("=", 1)[0]
        if flag in DYNAMO_SWITCHES:
            own.append(t.text)
            i += 1
        elif flag in DYNAMO_VALUED:
            own.append(t.text)
            if "=" not in t.text and i + 1 < len(args):
                own.append(args[i + 1].text)
                i += 1
            i += 1
        elif flag in DYNAMO_NARGS:
            own.append(t.text)
            i += 1
            while i < len(args) and not args[i].text.startswith("-"):
                own.append(args[i].text)
                i += 1
        else:
            keep.append(t)
            i += 1
    return keep, own


def dynamo_launches(src: SourceFile, doc: Node) -> list[Launch]:
    """``DynamoGraphDeployment``: one launch per service whose main container runs ``dynamo.vllm``;
    GPUs from ``resources.limits|requests.gpu`` (Dynamo's resource schema), per replica."""
    from vllm_lint.sources.k8s.container import expand_k8s, item_token, read_env

    name = (navigate.text(navigate.path(doc, "metadata", "name")) or "?").strip()
    out: list[Launch] = []
    for skey, svc in navigate.pairs(navigate.path(doc, "spec", "services")):
        main = navigate.path(svc, "extraPodSpec", "mainContainer")
        cmd_node, args_node = navigate.get(main, "command"), navigate.get(main, "args")
        if not any("dynamo.vllm" in (navigate.text(n) or "") for n in navigate.items(cmd_node)):
            continue
        unknowns: list[str] = []
        env, literal_dollar, _ = read_env(src, main) if main is not None else ({}, [], [])
        for item in navigate.items(navigate.get(svc, "envs")):
            n = (navigate.text(navigate.get(item, "name")) or "").strip()
            if n:
                v = navigate.get(item, "value")
                sym = navigate.get(item, "valueFrom") is not None
                value, s2 = expand_k8s(navigate.text(v) or "", env)
                env[n] = EnvValue(f"$({n})" if sym else value, gpu_requests.node_span(src.index, v if v is not None else navigate.get(item, "name")), sym or s2)
        program = [item_token(src, n, env, unknowns) for n in navigate.items(cmd_node)]
        raw_args = [item_token(src, n, env, unknowns) for n in navigate.items(args_node)]
        args, own = _split_dynamo_args(raw_args)
        gpu = GpuRequest()
        res = navigate.get(svc, "resources")
        g = navigate.path(res, "limits", "gpu") if navigate.path(res, "limits", "gpu") is not None else navigate.path(res, "requests", "gpu")
        if g is not None:
            gpu.count, gpu.count_span = navigate.as_number(g), gpu_requests.node_span(src.index, g)
            gpu.mechanism = "Dynamo services.<name>.resources.gpu"
            if gpu.count is None:
                unknowns.append(f"Dynamo gpu {navigate.text(g)!r} is not a number")
        else:
            unknowns.append("no resources.gpu on the Dynamo service: GPU count unknown")
        gpu_requests.read_product(src.index, navigate.get(svc, "extraPodSpec"), gpu)
        image = (navigate.text(navigate.get(main, "image")) or "").strip() or None
        if image:
            unknowns.append(f"vLLM release inside {image} is not known from its tag")
        reps = navigate.as_number(navigate.get(svc, "replicas"))
        facts = LaunchFacts(wrapper="dynamo.vllm", wrapper_args=own,
                            component_type=(navigate.text(navigate.get(svc, "componentType")) or "").strip())
        if literal_dollar:
            facts.literal_dollar_env = literal_dollar
        from vllm_lint.sources.k8s.container import list_insertion
        insertion = list_insertion(src, args_node) if navigate.is_seq(args_node) and navigate.items(args_node) else None
        sp = gpu_requests.node_span(src.index, skey)
        out.append(Launch(path=src.display, name=f"DynamoGraphDeployment/{name} services.{navigate.key_text(skey)}",
                          # engine args + --model, as the api_server module takes them (no positional model)
                          source="kubernetes", span=sp or src.index.span(0, 0), entrypoint="api_server",
                          program=program, args=args, env=env, image=image,
                          image_span=gpu_requests.node_span(src.index, navigate.get(main, "image")),
                          vllm_version=version_from_image(image) if image else None, gpu=gpu,
                          replicas=int(reps) if reps is not None else None, insertion=insertion, facts=facts,
                          unknowns=unknowns))
    return out
