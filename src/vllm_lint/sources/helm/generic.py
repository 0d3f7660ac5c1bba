"""Charts without a model of their own, read by convention: a model key, ``args``/``extraArgs``/
``additionalArgs`` lists, and vLLM option keys (camelCase or snake_case) under a ``vllm``/``model``
section.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from yaml.nodes import MappingNode, Node

from vllm_lint.launch import GpuRequest, Insertion, Launch, Token
from vllm_lint.sources.helm.values import Values, is_scalar_value, new_launch, synthetic
from vllm_lint.sources.k8s import gpu_requests
from vllm_lint.sources.yaml import navigate
from vllm_lint.span import Span
from vllm_lint.vllm.versions import version_from_image

_KEYS = json.loads((Path(__file__).with_name("data") / "generic_chart.json").read_text(encoding="utf-8"))
# Keys an unknown chart may use for vLLM options (camelCase or snake_case) -> flag.
GENERIC_OPTION_KEYS = frozenset(_KEYS["option_keys"])
MODEL_KEYS = tuple(_KEYS["model_keys"])  # the first one present names the model
ARGS_KEYS = tuple(_KEYS["args_keys"])


def kebab(key: str) -> str:
    """``maxModelLen`` -> ``max-model-len``; ``max_model_len`` stays as written (vLLM maps _ to -)."""
    if "_" in key:
        return key
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "-" + m.group(1).lower(), key).lower()


# ----------------------------------------------------------------------------- production-stack


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
        v = navigate.get(root, n)
        if navigate.is_map(v):
            out.append(v)
    return out


def _vllm_signal(repo: str, sections: list[Node], root: Node, args: list[Token]) -> bool:
    """True when values are for a vLLM chart: a vLLM image, a ``vllm`` section, or vLLM flags."""
    from vllm_lint.sources.containers import images

    if repo and images.is_vllm_image(repo):
        return True
    if navigate.is_map(navigate.get(root, "vllm")):
        return True
    from vllm_lint.sources.k8s.entrypoints import has_vllm_flag

    return has_vllm_flag(args)


def generic(values: Values, scopes: list[Node], title: str) -> Launch | None:
    """An unknown chart: vLLM option keys, args lists and a model key, if any are present.

    Keys are rendered as ``--kebab-case`` flags (``helm-key`` tokens at the key); how the real
    template writes them is unknown, so the launch records ``facts["chart"] = "unknown"``.

    Long on purpose: the conventions are tried in one pass over the same sections (model key,
    option keys, args lists, image, resources, node selection), in the order a chart's template
    would render them.
    """
    from vllm_lint.sources.k8s.container import list_insertion

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
            v = navigate.get(sec, key)
            if model_tok is None and is_scalar_value(v) and (navigate.text(v) or "").strip():
                model_tok = values.token(v)
            elif model_tok is None and navigate.is_map(v):
                for sub in ("repoId", "name", "id", "path", "uri"):
                    sv = navigate.get(v, sub)
                    if is_scalar_value(sv) and (navigate.text(sv) or "").strip():
                        model_tok = values.token(sv)
                        break
        for k, v in navigate.pairs(sec):
            kt = navigate.key_text(k)
            if kt in GENERIC_OPTION_KEYS or (sec is not root and "_" in kt and kt.islower() and kt not in ("model_id",)):
                if sec is root and kt not in GENERIC_OPTION_KEYS:
                    continue
                if kt in ("servedModelName",) and not (navigate.text(v) or "").strip():
                    continue
                b = navigate.as_bool(v)
                if is_scalar_value(v) and (navigate.text(v) or "").strip() == "":
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
            lst = navigate.get(sec, key)
            if navigate.is_seq(lst):
                for item in navigate.items(lst):
                    if not is_scalar_value(item):
                        continue
                    t = values.token(item)
                    args.extend(_split_pair(t))
                    seen_option = True
                if navigate.items(lst) and values.src_of(lst) is values.main:
                    insertion = list_insertion(values.main, lst)
    if not seen_option and model_tok is None:
        return None
    image_node = navigate.get(root, "image")
    repo = (navigate.text(navigate.get(image_node, "repository")) or navigate.text(navigate.get(image_node, "name")) or
            (navigate.text(image_node) if navigate.is_scalar(image_node) else "") or "").strip()
    if not _vllm_signal(repo, sections, root, args):
        return None  # another application's chart: args and keys are not vLLM's
    if model_tok is None:
        unknowns.append("model not set in these values (it may come from the chart's defaults or another values file)")
    tag = (navigate.text(navigate.get(image_node, "tag")) or "").strip()
    image = (f"{repo}:{tag}" if tag else repo) if repo else None
    gpu = GpuRequest()
    res = None
    for s in scopes + [root]:
        res = navigate.get(s, "resources")
        if res is not None:
            break
    if not gpu_requests.read_resources(values.src_of(res).index if res is not None else values.main.index, res, gpu, unknowns):
        unknowns.append("no GPU resource found in the values")
    pod_like = MappingNode("tag:yaml.org,2002:map", [])
    pod_like.value = [(k, v) for k, v in navigate.pairs(root) if navigate.key_text(k) in ("nodeSelector", "affinity")]
    gpu_requests.read_product(values.main.index, pod_like, gpu)
    na = navigate.get(root, "nodeAffinity")
    if gpu.product is None and navigate.is_map(na):
        for term in navigate.items(navigate.get(na, "nodeSelectorTerms")):
            for expr in navigate.items(navigate.get(term, "matchExpressions")):
                if (navigate.text(navigate.get(expr, "key")) or "").strip() in gpu_requests.PRODUCT_LABELS:
                    vals = navigate.items(navigate.get(expr, "values"))
                    if vals and gpu.product is None:
                        gpu.product, gpu.product_span = navigate.text(vals[0]), values.span(vals[0])
    program = synthetic("vllm", "serve")
    all_args = ([model_tok] if model_tok is not None else []) + args
    reps = navigate.as_number(navigate.get(root, "replicaCount"))
    return new_launch(values, title, scopes[-1] if scopes[-1] is not root else None, program=program, args=all_args,
                      image=image, image_span=values.span(navigate.get(image_node, "repository")),
                      vllm_version=version_from_image(image) if image else None, gpu=gpu,
                      replicas=int(reps) if reps is not None else None, insertion=insertion,
                      facts={"chart": "unknown", **({"image_tag_span": values.span(navigate.get(image_node, "tag"))} if tag else {})},
                      unknowns=unknowns + ["chart template unknown: flags rendered from values keys by convention"])
