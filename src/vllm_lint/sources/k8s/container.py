"""One Kubernetes container -> the vLLM launch it starts, following the kubelet's rules.

Kubernetes semantics modelled here (API reference, "Define a Command and Arguments for a
Container"):

* ``command`` replaces the image ENTRYPOINT, ``args`` replaces the image CMD; ``args`` alone
  keeps the ENTRYPOINT and drops the CMD.
* ``$(VAR)`` in ``command``/``args`` (and in ``env[].value``) expands from the container's
  environment; ``$$`` escapes to a literal ``$``; a reference to an undefined variable is left
  unchanged. ``$VAR``/``${VAR}`` are NOT expanded by Kubernetes (a shell may expand them later).
* ``env[].valueFrom`` (secrets, config maps, downward API) has no value in the manifest.

A container whose argv is ``sh -c "<script>"`` has its script tokenized statically (never run)
and the vLLM command found inside it.
"""

from __future__ import annotations

import dataclasses
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from yaml.nodes import Node

from vllm_lint.launch import EnvValue, GpuRequest, Insertion, Launch, LaunchFacts, Token
from vllm_lint.sources.base import SourceFile
from vllm_lint.sources.containers.images import starts_with_program
from vllm_lint.sources.insertion import shell_quote
from vllm_lint.sources.k8s import entrypoints, gpu_requests
from vllm_lint.sources.yaml import navigate
from vllm_lint.span import Span
from vllm_lint.vllm.versions import version_from_image

K8S_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.\-]*)\)")
SHELL_DOLLAR = re.compile(r"\$(?:\{[A-Za-z_]\w*[^}]*\}|[A-Za-z_]\w*)")
# Variables controllers inject into pods at run time (their values are not in the manifest).
INJECTED_ENV = {
    "LWS_GROUP_SIZE": "LeaderWorkerSet group size",
    "LWS_LEADER_ADDRESS": "LeaderWorkerSet leader address",
    "LWS_WORKER_INDEX": "LeaderWorkerSet worker index",
    "KUBERAY_GEN_RAY_START_CMD": "KubeRay ray start command",
}
IGNORE_ANNOTATION = "ignore-check.vllm-lint.io/"


# Nodes read from another file (a kustomize base merged under a patch): node id -> its file.
_FOREIGN: dict[int, SourceFile] = {}


@contextmanager
def foreign_nodes(origin: dict[int, SourceFile]) -> Iterator[None]:
    """While active, spans of the given nodes are computed in their own file."""
    _FOREIGN.update(origin)
    gpu_requests.FOREIGN.update({k: v.index for k, v in origin.items()})
    try:
        yield
    finally:
        for k in origin:
            _FOREIGN.pop(k, None)
            gpu_requests.FOREIGN.pop(k, None)


def src_of(src: SourceFile, node: Node | None) -> SourceFile:
    return _FOREIGN.get(id(node), src) if node is not None else src


def span_of(src: SourceFile, node: Node | None) -> Span | None:
    return gpu_requests.node_span(src.index, node)


@dataclass
class PodContext:
    """Where a container sits: its workload, pod spec and the multipliers around it."""

    kind: str
    name: str
    pod_spec: Node | None
    role: str | None = None
    replicas: int | None = None
    annotations: list[Node] = field(default_factory=list)
    group_size: int | None = None  # LeaderWorkerSet size (pods per replica group)
    gpu_total: GpuRequest | None = None  # a multi-pod total computed by the caller (LWS, Ray)
    nodes: int | None = None
    extra_args: list[Token] = field(default_factory=list)  # appended after args (KServe ISVC)
    facts: LaunchFacts = field(default_factory=LaunchFacts)
    source: str = "kubernetes"
    unknowns: list[str] = field(default_factory=list)  # what the workload leaves unknown


def read_env(src: SourceFile, container: Node) -> tuple[dict[str, EnvValue], list[tuple[str, Span | None]], list[str]]:
    """The container's env (later entries win), ``$VAR`` literals Kubernetes won't expand, notes."""
    env: dict[str, EnvValue] = {}
    literal_dollar: list[tuple[str, Span | None]] = []
    notes: list[str] = []
    for item in navigate.items(navigate.get(container, "env")):
        name = navigate.text(navigate.get(item, "name"))
        if not name:
            continue
        name = name.strip()
        value_node = navigate.get(item, "value")
        if navigate.get(item, "valueFrom") is not None:
            env[name] = EnvValue(value=f"$({name})", span=span_of(src, navigate.get(item, "name")), symbolic=True)
            continue
        raw = navigate.text(value_node) or ""
        span = span_of(src, value_node)
        expanded, symbolic = expand_k8s(raw, env)
        env[name] = EnvValue(value=expanded, span=span, symbolic=symbolic)
        if SHELL_DOLLAR.search(raw):
            literal_dollar.append((name, span))
        if value_node is not None and navigate.is_scalar(value_node) and value_node.style is None \
                and value_node.tag in (navigate.INT_TAG, navigate.FLOAT_TAG, navigate.BOOL_TAG):
            notes.append(f"env {name}: value {raw} is not a string (EnvVar.value must be quoted)")
    if navigate.get(container, "envFrom") is not None:
        notes.append("envFrom: variables from a ConfigMap/Secret are not known statically")
    return env, literal_dollar, notes


def expand_k8s(raw: str, env: dict[str, EnvValue]) -> tuple[str, bool]:
    """Kubernetes ``$(VAR)`` expansion of one string; symbolic when a value is not known."""
    symbolic = False

    def sub(m: re.Match) -> str:
        nonlocal symbolic
        if m.group(0) == "$$":
            return "$"
        name = m.group(1)
        ev = env.get(name)
        if ev is None:
            symbolic = True
            return m.group(0)
        if ev.symbolic:
            symbolic = True
        return ev.value

    return K8S_REF.sub(sub, raw), symbolic


def item_token(src: SourceFile, node: Node, env: dict[str, EnvValue], unknowns: list[str]) -> Token:
    """A command/args list item as one argv word, ``$(VAR)`` expanded."""
    raw = navigate.text(node)
    if raw is None:
        raw = ""
    span = span_of(src, node)
    src = src_of(src, node)
    text, symbolic = expand_k8s(raw, env)
    if symbolic:
        for m in K8S_REF.finditer(raw):
            if m.group(1) and (m.group(1) not in env or env[m.group(1)].symbolic):
                why = INJECTED_ENV.get(m.group(1), "not set in the container env" if m.group(1) not in env else "from valueFrom")
                unknowns.append(f"$({m.group(1)}): {why}")
    return Token(text=text, span=span, raw=src.text[span.start:span.end] if span else raw,
                 style="argv", symbolic=symbolic)


def _yaml_quote(word: str, like: Node | None) -> str:
    style = like.style if like is not None and navigate.is_scalar(like) else None
    if style == "'":
        return "'" + word.replace("'", "''") + "'"
    plain_ok = re.fullmatch(r"--?[A-Za-z0-9][\w.\-/=:,]*|[A-Za-z/][\w.\-/]*", word) is not None \
        and word.lower() not in ("true", "false", "yes", "no", "on", "off", "null", "~")
    if style == '"' or not plain_ok:
        return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return word


def list_insertion(src: SourceFile, seq: Node) -> Insertion | None:
    """Where to append argv words to a YAML sequence, in its own style (block or flow)."""
    if not navigate.is_seq(seq):
        return None
    last = seq.value[-1] if seq.value else None
    if seq.flow_style:
        if last is None:
            offset = seq.start_mark.index + 1
            return Insertion(src.display, offset, lambda words: ", ".join(_yaml_quote(w, None) for w in words))
        offset = last.end_mark.index
        return Insertion(src.display, offset, lambda words, last=last: "".join(", " + _yaml_quote(w, last) for w in words))
    if last is None:
        return None
    # Block list: a new "- item" line after the last item's line, at the same indentation.
    line = last.start_mark.line + 1
    line_text = src.index.line_text(line)
    dash = line_text.find("-")
    indent = line_text[:dash] if dash >= 0 else " " * max(0, last.start_mark.column - 2)
    end_line = max(navigate.last_content_line(last, src.text), line)
    offset = src.index.line_start(end_line) + len(src.index.line_text(end_line))
    newline = "\r\n" if src.text[offset:offset + 2] == "\r\n" else "\n"
    return Insertion(src.display, offset,
                     lambda words, last=last: "".join(f"{newline}{indent}- {_yaml_quote(w, last)}" for w in words))


def text_insertion(src: SourceFile, after: Span) -> Insertion:
    """Append words right after a token inside a shell string (same line: valid shell)."""
    return Insertion(src.display, after.end, lambda words: "".join(" " + shell_quote(w) for w in words))


def container_launch(src: SourceFile, ctx: PodContext, container: Node) -> Launch | None:
    """The vLLM launch a container runs, or None when it runs something else."""
    cname = (navigate.text(navigate.get(container, "name")) or "?").strip()
    image_node = navigate.get(container, "image")
    image = navigate.text(image_node)
    image = image.strip() if image else None
    unknowns: list[str] = list(ctx.unknowns)
    env, literal_dollar, env_notes = read_env(src, container)
    cmd_node, args_node = navigate.get(container, "command"), navigate.get(container, "args")
    cmd = [item_token(src, n, env, unknowns) for n in navigate.items(cmd_node)]
    args = [item_token(src, n, env, unknowns) for n in navigate.items(args_node)]
    nodes = {id(t): n for t, n in zip(cmd + args, navigate.items(cmd_node) + navigate.items(args_node))}
    if navigate.is_scalar(args_node) and navigate.text(args_node):  # tolerate `args: "--a b"` (invalid k8s, seen in templates)
        unknowns.append("args is a string, not a list (Kubernetes requires a list)")

    insertion: Insertion | None = None
    found = None
    facts = LaunchFacts()
    if cmd:
        argv = cmd + args
        entry_synthetic: list[Token] = []
    else:
        entry_synthetic = entrypoints.image_entrypoint(image)
        argv = entry_synthetic + (args if args_node is not None else entrypoints.image_cmd(image))
    script_i = entrypoints.shell_script_index(argv)
    if script_i is not None:
        script_tok = argv[script_i]
        script_node = nodes.get(id(script_tok))
        found = entrypoints.find_in_shell(src, script_node, script_tok, env)
        if found is not None:
            found, last_span = found
            if last_span is not None:
                insertion = text_insertion(src, last_span)
            facts.shell = argv[0].text
    else:
        found = entrypoints.find_vllm(argv)
        if found is None and not cmd and entrypoints.image_runs_vllm(image) is None \
                and ((image is None and entrypoints.has_vllm_flag(args))
                     or (image is not None and entrypoints.looks_like_vllm_image(image) and any(t.text.startswith("--") for t in args)
                         and not starts_with_program([t.text for t in args]))):
            # Custom image named like vLLM with only flags given: assume vLLM's ENTRYPOINT.
            entry_synthetic = entrypoints.assumed_entrypoint()
            found = entrypoints.find_vllm(entry_synthetic + args)
            unknowns.append(f"image {image or '(not set)'} is not a known vLLM image; assumed its ENTRYPOINT is `vllm serve`")
        if found is not None:
            target = args_node if navigate.is_seq(args_node) and navigate.items(args_node) else cmd_node
            if navigate.is_seq(target) and navigate.items(target):
                insertion = list_insertion(src, target)
            elif navigate.is_seq(args_node):
                insertion = list_insertion(src, args_node)
    if found is None:
        return None
    entrypoint, program, vargs, extra_facts = found
    env.update(extra_facts.shell_assigns or {})
    extra_facts.shell_assigns = None
    facts = facts.merged(extra_facts)
    for t in list(program) + list(vargs):
        if not t.symbolic and navigate.templated(t.text):
            t.symbolic = True
            unknowns.append(f"template placeholder in {t.text!r} (not rendered)")
    if not cmd:
        facts = facts.merged(entrypoints.entrypoint_facts(image))
    vargs = list(vargs) + list(ctx.extra_args)

    shared = ctx.gpu_total
    gpu = dataclasses.replace(shared, notes=list(shared.notes)) if shared is not None else gpu_requests.pod_gpu(src.index, container, ctx.pod_spec, unknowns,
                                          ctx.annotations[0] if ctx.annotations else None)
    if ctx.gpu_total is not None:
        gpu_requests.read_product(src.index, ctx.pod_spec, gpu)
    if gpu.count is None and not any("GPU" in u for u in unknowns):
        unknowns.append("GPU count unknown")

    facts = facts.merged(pod_facts(src, ctx, container))
    if literal_dollar:
        facts.literal_dollar_env = literal_dollar
    if env_notes:
        facts.env_notes = env_notes
    facts = facts.merged(ctx.facts)
    name = f"{ctx.kind}/{ctx.name}" + (f" {ctx.role}" if ctx.role else "") + f" (container {cname})"
    whole = _launch_span(src, container)
    launch = Launch(
        path=src.display, name=name, source=ctx.source, span=whole, entrypoint=entrypoint,
        program=list(program), args=vargs, env=env, image=image,
        image_span=span_of(src, image_node), vllm_version=version_from_image(image) if image else None,
        gpu=gpu, replicas=ctx.replicas, insertion=insertion, facts=facts, unknowns=_dedupe(unknowns))
    return launch


def _dedupe(xs: list[str]) -> list[str]:
    return list(dict.fromkeys(xs))


def _launch_span(src: SourceFile, node: Node) -> Span:
    start = node.start_mark.index
    name = navigate.get(node, "name")
    if name is not None:  # point at the container's name line, not the whole block
        return span_of(src, name) or src.index.span(start, start)
    return src.index.span(start, min(node.end_mark.index, start + 1))


def pod_facts(src: SourceFile, ctx: PodContext, container: Node) -> LaunchFacts:
    """Orchestrator facts later rules need: /dev/shm volume, ports, hostIPC, annotations."""
    facts = LaunchFacts()
    spec = ctx.pod_spec
    memory_volumes = set()
    size_limits: dict[str, str] = {}
    for vol in navigate.items(navigate.get(spec, "volumes")):
        ed = navigate.get(vol, "emptyDir")
        if ed is not None and (navigate.text(navigate.get(ed, "medium")) or "").strip() == "Memory":
            memory_volumes.add((navigate.text(navigate.get(vol, "name")) or "").strip())
            size = navigate.text(navigate.get(ed, "sizeLimit"))
            if size:
                size_limits[(navigate.text(navigate.get(vol, "name")) or "").strip()] = size
    shm = False
    for vm in navigate.items(navigate.get(container, "volumeMounts")):
        if (navigate.text(navigate.get(vm, "mountPath")) or "").strip().rstrip("/") == "/dev/shm" \
                and (navigate.text(navigate.get(vm, "name")) or "").strip() in memory_volumes:
            shm = True
            size = size_limits.get((navigate.text(navigate.get(vm, "name")) or "").strip())
            if size:
                facts.shm_size = size
    facts.dev_shm_volume = shm
    ports = [navigate.text(navigate.get(p, "containerPort")) for p in navigate.items(navigate.get(container, "ports"))]
    facts.ports = [p.strip() for p in ports if p]
    host_ipc = navigate.as_bool(navigate.get(spec, "hostIPC"))
    facts.ipc_host = bool(host_ipc)
    if ctx.group_size is not None:
        facts.group_size = ctx.group_size
    if ctx.nodes is not None:
        facts.nodes = ctx.nodes
    ann: dict[str, tuple[str, Span | None]] = {}
    for a in ctx.annotations:
        for k, v in navigate.pairs(a):
            key = navigate.key_text(k).strip()
            ann[key] = (navigate.text(v) or "", span_of(src, k))
    if ann:
        facts.annotations = {k: v[0] for k, v in ann.items()}
        ignores = {k[len(IGNORE_ANNOTATION):]: v[1] for k, v in ann.items() if k.startswith(IGNORE_ANNOTATION)}
        if ignores:
            facts.ignore_checks = ignores
    return facts
