"""KServe objects -> vLLM launches.

* ``InferenceService`` (v1beta1): ``spec.predictor.model.args`` are appended to the serving
  runtime container's args (a ``ServingRuntime``/``ClusterServingRuntime`` in the same file
  when there is one; else the built-in ``kserve-vllmserver`` for ``modelFormat: vLLM``, which
  runs ``python -m vllm.entrypoints.openai.api_server --port=8080
  --served-model-name={{.Name}} --model=/mnt/models``). The model is downloaded from
  ``storageUri`` to ``/mnt/models``. ``predictor.model.resources`` replace the runtime's.
* ``LLMInferenceService`` (v1alpha2): the default config runs ``eval "exec vllm serve /mnt/models
  --served-model-name <model.name> ... ${VLLM_ADDITIONAL_ARGS} $@"`` in bash; the value is parsed
  by the shell again (``sources.wrappers``). ``parallelism`` becomes
  ``--tensor-parallel-size``/``--data-parallel-size``...; with a ``worker`` spec the engine spans
  ``data / dataLocal`` pods.
* A runtime with no InferenceService in the file, and ``LLMInferenceServiceConfig`` templates,
  are read as plain pod templates.
"""

from __future__ import annotations

import re

from yaml.nodes import Node

from vllm_lint.launch import EnvValue, GpuRequest, Launch, LaunchFacts, Token
from vllm_lint.sources import wrappers
from vllm_lint.sources.base import ExtractOptions, SourceFile
from vllm_lint.sources.k8s import gpu_requests
from vllm_lint.sources.k8s.container import PodContext, container_launch, foreign_nodes, item_token, read_env
from vllm_lint.sources.yaml import navigate, spans
from vllm_lint.vllm.versions import version_from_image

RUNTIME_KINDS = {"ServingRuntime", "ClusterServingRuntime"}



def _syn(*words: str, origin: str = "kserve") -> list[Token]:
    return [Token(text=w, style="synthetic", origin=origin) for w in words]


def launches(src: SourceFile, docs: list[Node]) -> list[Launch]:
    from vllm_lint.sources.k8s.workloads import object_name, workload_launches

    out: list[Launch] = []
    runtimes = {object_name(d)[1]: d for d in docs if object_name(d)[0] in RUNTIME_KINDS}
    used: set[str] = set()
    for doc in docs:
        kind, name = object_name(doc)
        if kind == "InferenceService":
            got, rt = isvc_launches(src, doc, runtimes)
            out.extend(got)
            if rt:
                used.add(rt)
        elif kind == "LLMInferenceService":
            out.extend(llmisvc_launches(src, doc))
    for doc in docs:
        kind, name = object_name(doc)
        if kind in RUNTIME_KINDS and name not in used or kind not in RUNTIME_KINDS | {"InferenceService", "LLMInferenceService"}:
            out.extend(workload_launches(src, doc, ExtractOptions(), source="kserve"))
    return out


def _runtime_unrendered(model: Node) -> bool:
    """True when ``runtime:`` is written but its name is a template nobody rendered (a chart's
    ``runtime: {{ include ... }}``): the InferenceService names some runtime, not known which."""
    node = navigate.get(model, "runtime")
    if node is None:
        return False
    rt = (navigate.text(node) or "").strip()
    return not rt or "{{" in rt or "$" in rt


def _pick_runtime(model: Node, runtimes: dict[str, Node]) -> tuple[str | None, Node | None]:
    if _runtime_unrendered(model):
        return None, None
    rt = (navigate.text(navigate.get(model, "runtime")) or "").strip()
    if rt:
        return rt, runtimes.get(rt)
    fmt = (navigate.text(navigate.path(model, "modelFormat", "name")) or "").strip().lower()
    for name, doc in runtimes.items():
        for f in navigate.items(navigate.path(doc, "spec", "supportedModelFormats")):
            if (navigate.text(navigate.get(f, "name")) or "").strip().lower() == fmt and navigate.as_bool(navigate.get(f, "autoSelect")) is not False:
                return name, doc
    return None, None


def isvc_launches(src: SourceFile, doc: Node, runtimes: dict[str, Node]) -> tuple[list[Launch], str | None]:
    from vllm_lint.sources.k8s.workloads import object_name, workload_launches

    _, name = object_name(doc)
    predictor = navigate.path(doc, "spec", "predictor")
    model = navigate.get(predictor, "model")
    if not navigate.is_map(predictor):
        return [], None
    if not navigate.is_map(model):
        # A custom predictor (containers directly under predictor): a plain pod template.
        from vllm_lint.sources.base import ExtractOptions
        return workload_launches(src, doc, ExtractOptions(), source="kserve"), None
    unknowns: list[str] = []
    rt_name, rt_doc = _pick_runtime(model, runtimes)
    rt_src = src
    if rt_name and rt_doc is None and rt_name not in BUILTIN_RUNTIMES:
        found = runtime_in_repo(src, rt_name)
        if found is not None:
            rt_src, rt_doc = found
    args_node = navigate.get(model, "args")
    env_ctx: dict[str, EnvValue] = {}
    extra = [item_token(src, n, env_ctx, unknowns) for n in navigate.items(args_node)]
    storage = (navigate.text(navigate.get(model, "storageUri")) or "").strip()
    fmt = (navigate.text(navigate.path(model, "modelFormat", "name")) or "").strip()
    min_r = navigate.as_number(navigate.get(predictor, "minReplicas"))
    facts = LaunchFacts(model_uri=storage or None, model_format=fmt)
    if rt_doc is not None:
        containers = navigate.items(navigate.path(rt_doc, "spec", "containers"))
        if not containers:
            return [], rt_name
        ctx = PodContext(kind="InferenceService", name=name, pod_spec=predictor, role=f"runtime {rt_name}",
                         replicas=int(min_r) if min_r is not None else None, extra_args=extra, source="kserve",
                         facts=facts)
        res = navigate.get(model, "resources")
        if res is not None:
            gpu = GpuRequest()
            if gpu_requests.read_resources(src.index, res, gpu, unknowns, where="predictor.model.resources"):
                ctx.gpu_total = gpu
        if rt_src is not src:  # the runtime's nodes live in another file of the repository
            with foreign_nodes({id(n): rt_src for n in _all_nodes(rt_doc)}):
                launch = container_launch(src, ctx, containers[0])
            if launch is not None:
                launch.facts.runtime_file = rt_src.display
        else:
            launch = container_launch(src, ctx, containers[0])
        if launch is not None:
            launch.facts.model_id = storage_model_id(storage)
            _isvc_model_note(launch, storage)
            launch.unknowns += [u for u in unknowns if u not in launch.unknowns]
            from vllm_lint.sources.k8s.container import list_insertion
            if navigate.is_seq(args_node) and navigate.items(args_node):
                launch.insertion = list_insertion(src, args_node)
        return ([launch] if launch else []), rt_name
    # Built-in runtimes (not in this file).
    if fmt.lower() == "vllm":
        program = _syn("python", "-m", "vllm.entrypoints.openai.api_server")
        if _runtime_unrendered(model):
            # some runtime of the chart's own: KServe's port and model mount, not its other args
            args = _syn("--port=8080", "--model=/mnt/models") + extra
            facts.runtime = "not known (its name is not rendered); the InferenceService's args only"
            unknowns.append("the ServingRuntime's name is a template: its own arguments are not known")
        else:
            args = _syn("--port=8080", f"--served-model-name={name}", "--model=/mnt/models") + extra
            facts.runtime = "kserve-vllmserver (built-in)"
        entrypoint = "api_server"
    elif fmt.lower() == "huggingface":
        # kserve-huggingfaceserver: `python -m huggingfaceserver --model_name=<name> --model_dir=/mnt/models`,
        # which passes vLLM engine args through; only the engine args are kept here.
        program = _syn("python", "-m", "huggingfaceserver")
        args = _syn("--model", "/mnt/models", "--served-model-name", name) + extra
        entrypoint = "api_server"
        facts.runtime = "kserve-huggingfaceserver (built-in; vLLM backend)"
        facts.wrapper = "huggingfaceserver"
    else:
        return [], None
    gpu = GpuRequest()
    if not gpu_requests.read_resources(src.index, navigate.get(model, "resources"), gpu, unknowns, where="predictor.model.resources"):
        unknowns.append("no GPU resource requested")
    gpu_requests.read_product(src.index, predictor, gpu)
    if rt_name and rt_name not in BUILTIN_RUNTIMES:
        # named, but in neither this file, the files beside it, nor KServe's built-in runtimes
        facts.runtime_missing = rt_name
        rt_node = navigate.get(model, "runtime")
        facts.runtime_span = src.index.span(rt_node.start_mark.index, rt_node.end_mark.index) if rt_node else None
    facts.model_id = storage_model_id(storage)
    anchor = navigate.get(model, "modelFormat") or model
    launch = Launch(path=src.display, name=f"InferenceService/{name} (predictor)", source="kserve",
                    span=src.index.span(anchor.start_mark.index, anchor.start_mark.index), entrypoint=entrypoint,
                    program=program, args=args, gpu=gpu, replicas=int(min_r) if min_r is not None else None,
                    facts=facts, unknowns=unknowns)
    _isvc_model_note(launch, storage)
    from vllm_lint.sources.k8s.container import list_insertion
    if navigate.is_seq(args_node) and navigate.items(args_node):
        launch.insertion = list_insertion(src, args_node)
    return [launch], None


# ClusterServingRuntimes KServe installs (config/runtimes): an InferenceService may name them
BUILTIN_RUNTIMES = frozenset({"kserve-huggingfaceserver", "kserve-huggingfaceserver-multinode", "kserve-vllmserver",
                              "kserve-sklearnserver", "kserve-xgbserver", "kserve-lgbserver", "kserve-mlserver",
                              "kserve-paddleserver", "kserve-pmmlserver", "kserve-tensorflow-serving",
                              "kserve-torchserve", "kserve-tritonserver"})
_RUNTIME_FILES = 200  # YAML files looked at beside an InferenceService for its runtime


def runtime_in_repo(src: SourceFile, name: str) -> tuple[SourceFile, Node] | None:
    """A ``ServingRuntime``/``ClusterServingRuntime`` called ``name`` in a YAML file beside
    ``src`` or in its parent folder (a kustomize base), as (file, document)."""
    import os

    from vllm_lint.sources.k8s.workloads import object_name
    from vllm_lint.sources.readfile import load_sibling
    from vllm_lint.sources.yaml import loader

    seen = 0
    for rel_dir in (".", ".."):
        folder = src.path.parent / rel_dir
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for fname in names:
            if not fname.endswith((".yaml", ".yml")) or seen >= _RUNTIME_FILES:
                continue
            seen += 1
            rel = fname if rel_dir == "." else f"../{fname}"
            if (folder / fname).resolve() == src.path.resolve():
                continue
            sib = load_sibling(src, rel, "kserve")
            if sib is None or "ServingRuntime" not in sib.text or name not in sib.text:
                continue
            for doc in loader.load_documents(sib).documents:
                kind, doc_name = object_name(doc)
                if kind in RUNTIME_KINDS and doc_name == name:
                    return sib, doc
    return None


def _all_nodes(root: Node) -> list[Node]:
    out, stack = [], [root]
    while stack:
        n = stack.pop()
        out.append(n)
        if navigate.is_map(n):
            for k, v in navigate.pairs(n):
                stack.extend((k, v))
        elif navigate.is_seq(n):
            stack.extend(navigate.items(n))
    return out


_SIZE = re.compile(r"(?:^|[-_.])\d+(?:\.\d+)?[bm](?:$|[-_.])", re.I)


def storage_model_id(storage: str) -> str | None:
    """The model a ``storageUri`` names: ``hf://org/name`` exactly; a modelcar image
    (``oci://quay.io/x/modelcar-catalog:granite-3.3-2b-instruct``,
    ``oci://registry/x/modelcar-granite-3-1-8b-instruct:1.5``) by the name in its tag or repository,
    which resolves only as a name does (likely)."""
    if storage.startswith("hf://"):
        return storage[5:].split("@", 1)[0].strip("/") or None
    if not storage.startswith("oci://") or "$" in storage or "{" in storage:
        return None
    ref = storage[6:].split("@", 1)[0]
    repo, _, tag = ref.rpartition(":") if ":" in ref.rsplit("/", 1)[-1] else (ref, "", "")
    for word in (tag, repo.rsplit("/", 1)[-1].removeprefix("modelcar-")):
        if word and _SIZE.search(word):
            return word
    return None


def _isvc_model_note(launch: Launch, storage: str) -> None:
    if storage and not storage.startswith("hf://"):
        launch.unknowns.append(f"model weights come from {storage} (mounted at /mnt/models): model identity not known")


def _additional_args(src: SourceFile, env_node: Node | None, env: dict[str, EnvValue]) -> list[Token]:
    """``VLLM_ADDITIONAL_ARGS`` as the LLMInferenceService template passes it to vLLM
    (``sources.wrappers``: the template ``eval``s it, so quotes are removed and words split)."""
    if env_node is None or not navigate.is_scalar(env_node):
        return []
    w = wrappers.wrapper("kserve-llminferenceservice")
    offs = spans.scalar_offset_map(env_node, src.text)
    shell_env = {k: (None if v.symbolic else v.value) for k, v in env.items() if k != w.variable}
    out: list[Token] = []
    for word in wrappers.expand(w, env_node.value, offs or None, shell_env):
        tok = word.token(src.text, src.index) if offs else Token(text=word.text, raw=word.text, symbolic=word.symbolic)
        tok.origin = f"env:{w.variable}"
        out.append(tok)
    return out


def _main_container(template: Node | None) -> Node | None:
    cs = navigate.items(navigate.get(template, "containers"))
    for c in cs:
        if (navigate.text(navigate.get(c, "name")) or "").strip() == "main":
            return c
    return cs[0] if cs else None


def llmisvc_launches(src: SourceFile, doc: Node) -> list[Launch]:
    spec = navigate.get(doc, "spec")
    if not navigate.is_map(spec):
        return []
    name = (navigate.text(navigate.path(doc, "metadata", "name")) or "?").strip()
    model = navigate.get(spec, "model")
    uri_node = navigate.get(model, "uri")
    uri = (navigate.text(uri_node) or "").strip()
    mname = (navigate.text(navigate.get(model, "name")) or name).strip()
    out: list[Launch] = []
    pools = [("decode", spec, navigate.get(spec, "template"), navigate.get(spec, "worker"))]
    prefill = navigate.get(spec, "prefill")
    if navigate.is_map(prefill):
        pools.append(("prefill", prefill, navigate.get(prefill, "template"), navigate.get(prefill, "worker")))
    for role, pool, template, worker in pools:
        unknowns: list[str] = []
        main = _main_container(template)
        par = navigate.get(pool, "parallelism") if navigate.get(pool, "parallelism") is not None else navigate.get(spec, "parallelism")
        model_tok: Token
        uri_span = gpu_requests.node_span(src.index, uri_node)
        if uri.startswith("hf://"):
            model_tok = Token(text=uri[5:], span=uri_span, raw=uri, style="synthetic", origin="kserve:model.uri")
        else:
            model_tok = Token(text="/mnt/models", span=uri_span, raw=uri, style="synthetic", origin="kserve:model.uri")
            unknowns.append(f"model weights come from {uri or '?'}: model identity not known")
        args = [model_tok] + _syn("--served-model-name", mname, "--port", "8000")
        for key, flag in (("tensor", "--tensor-parallel-size"), ("data", "--data-parallel-size"),
                          ("dataLocal", "--data-parallel-size-local"), ("pipeline", "--pipeline-parallel-size")):
            v = navigate.get(par, key)
            if navigate.is_scalar(v) and not navigate.is_null(v):
                args.append(Token(text=flag, style="synthetic", origin="kserve:parallelism"))
                vsp = gpu_requests.node_span(src.index, v)
                args.append(Token(text=(navigate.text(v) or "").strip(), span=vsp, raw=src.text[vsp.start:vsp.end] if vsp else None,
                                  style="synthetic", origin="kserve:parallelism"))
        if navigate.as_bool(navigate.get(par, "expert")):
            args.append(Token(text="--enable-expert-parallel", style="synthetic", origin="kserve:parallelism"))
        env, literal_dollar, notes = read_env(src, main) if main is not None else ({}, [], [])
        add_node = None
        for item in navigate.items(navigate.get(main, "env")):
            if (navigate.text(navigate.get(item, "name")) or "").strip() == "VLLM_ADDITIONAL_ARGS":
                add_node = navigate.get(item, "value")
        extra = _additional_args(src, add_node, env)
        args += extra
        gpu = GpuRequest()
        if main is None or not gpu_requests.read_resources(src.index, navigate.get(main, "resources"), gpu, unknowns):
            unknowns.append("no GPU resource in the template: the LLMInferenceServiceConfig default applies")
        gpu_requests.read_product(src.index, template, gpu)
        pods = 1
        if worker is not None:
            d, dl = navigate.as_number(navigate.get(par, "data")), navigate.as_number(navigate.get(par, "dataLocal"))
            if d and dl:
                pods = int(d // dl)
            if gpu.count is not None:
                gpu.notes.append(f"{pods} pods x {gpu.count:g} GPUs (parallelism.data / dataLocal)")
                gpu.count = gpu.count * pods
                gpu.mechanism = "LLMInferenceService parallelism data/dataLocal pods"
        image = (navigate.text(navigate.get(main, "image")) or "").strip() or None
        reps = navigate.as_number(navigate.get(pool, "replicas"))
        facts = LaunchFacts(nodes=pods, model_uri=uri or None,
                            wrapper_reads=[wrappers.wrapper("kserve-llminferenceservice").variable])
        if literal_dollar:
            facts.literal_dollar_env = literal_dollar
        insertion = None
        if add_node is not None and extra and extra[-1].span is not None:
            from vllm_lint.sources.k8s.container import text_insertion
            insertion = text_insertion(src, extra[-1].span)
        anchor = uri_node if uri_node is not None else spec
        launch = Launch(path=src.display, name=f"LLMInferenceService/{name} ({role})", source="kserve",
                        span=gpu_requests.node_span(src.index, anchor) if navigate.is_scalar(anchor) else src.index.span(anchor.start_mark.index, anchor.start_mark.index),
                        entrypoint="serve", program=_syn("vllm", "serve"), args=args, env=env, image=image,
                        image_span=gpu_requests.node_span(src.index, navigate.get(main, "image")),
                        vllm_version=version_from_image(image) if image else None, gpu=gpu,
                        replicas=int(reps) if reps is not None else 1, insertion=insertion, facts=facts,
                        unknowns=unknowns)
        out.append(launch)
    return out
