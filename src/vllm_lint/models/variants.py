"""How a model name relates to the catalog's names: the table of name rules.

Real deployments name the same checkpoint many ways: an official quantized variant
(``meta-llama/Llama-3.1-405B-Instruct-FP8``), a community repack (``RedHatAI/...-NVFP4``,
``unsloth/...-bnb-4bit``), a dated or flavoured release (``-2507``, ``-Instruct``), an old and a
new name (``Meta-Llama-3.1-8B-Instruct`` / ``Llama-3.1-8B-Instruct``), or a local folder named after
the Hub id (``/models/Org--Name``, ``models--Org--Name/snapshots/<sha>``, ``/data/Name``).

Each rule below says what it strips from a name and what the stripped part implies: a weight
format (quantization suffixes, which keep every other fact of the base), or nothing about the
weights but possibly another context length (flavours and dates: ``Qwen/Qwen2.5-7B`` has 131072
positions, its ``-Instruct`` 32768). A name reduced by these rules to a *stem* is looked up among the
stems of the catalog's ids. Nothing here reads a file: this module is pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class NameRule:
    """One way a name differs from its base's name.

    ``kind``: ``quant`` (a weight format suffix), ``flavour`` (instruct/chat/base/date),
    ``rename`` (the same repository under another name). ``quantization`` is the
    ``quantization_config`` the suffix implies (weight width only: the method's details, and
    whether vLLM accepts it on a GPU, are not known from a name). ``keeps_context`` says whether the
    base's context length applies to the variant. ``example``: (a name, the stem it reduces to).
    """

    name: str
    kind: str
    pattern: str  # regex for the suffix (or prefix for renames), on the lower-cased repo name
    what: str  # how findings name what the rule inferred
    quantization: dict[str, Any] | None = None
    keeps_context: bool = True
    example: tuple[str, str] = ("", "")


def _ct(bits: int, kind: str = "int", group: int | None = 128) -> dict[str, Any]:
    """A compressed-tensors quantization_config with one weight group of ``bits`` bits."""
    weights: dict[str, Any] = {"num_bits": bits, "type": kind, "symmetric": True}
    if group:
        weights["group_size"] = group
    return {"quant_method": "compressed-tensors", "config_groups": {"group_0": {"weights": weights}}}


_AWQ4 = {"quant_method": "awq", "bits": 4, "group_size": 128, "zero_point": True}
_GPTQ4 = {"quant_method": "gptq", "bits": 4, "group_size": 128, "sym": True}
_GPTQ8 = {"quant_method": "gptq", "bits": 8, "group_size": 128, "sym": True}
_FP8 = {"quant_method": "fp8"}

# Quantization suffixes, longest first where one is a prefix of another. Group sizes are the
# common defaults (128) of the tools that write these names (AutoAWQ, AutoGPTQ, llm-compressor).
QUANT_RULES: tuple[NameRule, ...] = (
    NameRule("awq", "quant", r"-awq(?:-int4|-4bit)?", "awq 4-bit weights from the name", _AWQ4,
             example=("Qwen/Qwen2.5-7B-Instruct-AWQ", "qwen2.5-7b")),
    NameRule("gptq-int8", "quant", r"-gptq-(?:int8|8bit)", "gptq 8-bit weights from the name", _GPTQ8,
             example=("Qwen/Qwen2.5-7B-Instruct-GPTQ-Int8", "qwen2.5-7b")),
    NameRule("gptq-int4", "quant", r"-gptq(?:-int4|-4bit)?", "gptq 4-bit weights from the name", _GPTQ4,
             example=("Qwen/Qwen2.5-7B-Instruct-GPTQ-Int4", "qwen2.5-7b")),
    NameRule("fp8-dynamic", "quant", r"-fp8-dynamic", "fp8 weights from the name", _FP8,
             example=("RedHatAI/Mistral-Small-24B-Instruct-2501-FP8-dynamic", "mistral-small-24b")),
    NameRule("fp8-static", "quant", r"-fp8-static(?:-[a-z0-9]+)*", "fp8 weights from the name", _FP8,
             example=("RedHatAI/Qwen3-8B-FP8-Static-KV", "qwen3-8b")),
    NameRule("fp8-kv", "quant", r"-fp8-kv", "fp8 weights (and fp8 KV scales) from the name",
             {"quant_method": "fp8", "kv_cache_scheme": {"num_bits": 8, "type": "float"}},
             example=("amd/Llama-3.1-8B-Instruct-FP8-KV", "llama-3.1-8b")),
    NameRule("fp8", "quant", r"-fp8", "fp8 weights from the name", _FP8,
             example=("meta-llama/Llama-3.1-405B-Instruct-FP8", "llama-3.1-405b")),
    NameRule("w4a16", "quant", r"(?:-quantized\.|-qat-|-)w4a16(?:-ct)?", "4-bit integer weights (w4a16) from the name",
             _ct(4), example=("unsloth/gemma-3-12b-it-qat-w4a16-ct", "gemma-3-12b")),
    NameRule("w8a8-fp8", "quant", r"(?:-quantized\.|-)w8a8-fp8", "fp8 weights (w8a8) from the name", _FP8,
             example=("RedHatAI/Qwen3-8B-quantized.w8a8-fp8", "qwen3-8b")),
    NameRule("w8a8", "quant", r"(?:-quantized\.|-)w8a8(?:-int8)?", "8-bit integer weights (w8a8) from the name",
             _ct(8, group=None), example=("RedHatAI/Meta-Llama-3.1-8B-Instruct-quantized.w8a8", "llama-3.1-8b")),
    NameRule("w8a16", "quant", r"(?:-quantized\.|-)w8a16", "8-bit integer weights (w8a16) from the name",
             _ct(8, group=None), example=("RedHatAI/Qwen2.5-7B-Instruct-quantized.w8a16", "qwen2.5-7b")),
    NameRule("nvfp4", "quant", r"-nvfp4", "nvfp4 weights from the name", {"quant_method": "modelopt", "quant_algo": "NVFP4"},
             example=("RedHatAI/Qwen3.5-122B-A10B-NVFP4", "qwen3.5-122b-a10b")),
    NameRule("mxfp4", "quant", r"-mxfp4", "mxfp4 expert weights from the name", {"quant_method": "mxfp4"},
             example=("someone-repacks/Qwen3-30B-A3B-MXFP4", "qwen3-30b-a3b")),
    NameRule("bnb-4bit", "quant", r"-(?:unsloth-)?bnb-4bit", "bitsandbytes 4-bit weights from the name",
             {"quant_method": "bitsandbytes", "load_in_4bit": True},
             example=("unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit", "llama-3.1-8b")),
    NameRule("bnb-8bit", "quant", r"-(?:unsloth-)?bnb-8bit", "bitsandbytes 8-bit weights from the name",
             {"quant_method": "bitsandbytes", "load_in_8bit": True},
             example=("unsloth/Qwen3-8B-bnb-8bit", "qwen3-8b")),
    NameRule("int4", "quant", r"-(?:int4|4bit)", "4-bit weights from the name (method not named)", _GPTQ4,
             example=("cyankiwi/Qwen3-8B-4bit", "qwen3-8b")),
    NameRule("int8", "quant", r"-(?:int8|8bit)", "8-bit weights from the name (method not named)", _GPTQ8,
             example=("someone-repacks/Qwen3-8B-INT8", "qwen3-8b")),
)

# Flavour and date suffixes: the same shapes, trained or tagged differently. Context lengths can
# differ (Qwen2.5-7B: 131072 positions, Qwen2.5-7B-Instruct: 32768; Qwen3-30B-A3B: 40960, its
# -Instruct-2507: 262144), so the base's context is not the variant's.
FLAVOUR_RULES: tuple[NameRule, ...] = (
    NameRule("instruct", "flavour", r"-instruct", "the -Instruct flavour", keeps_context=False,
             example=("Qwen/Qwen2.5-7B-Instruct", "qwen2.5-7b")),
    NameRule("chat", "flavour", r"-chat", "the -Chat flavour", keeps_context=False,
             example=("Qwen/Qwen1.5-7B-Chat", "qwen1.5-7b")),
    NameRule("it", "flavour", r"-it", "the -it flavour", keeps_context=False,
             example=("google/gemma-2-9b-it", "gemma-2-9b")),
    NameRule("thinking", "flavour", r"-thinking", "the -Thinking flavour", keeps_context=False,
             example=("Qwen/Qwen3-Next-80B-A3B-Thinking", "qwen3-next-80b-a3b")),
    NameRule("base", "flavour", r"-base", "the -Base flavour", keeps_context=False,
             example=("Qwen/Qwen3-8B-Base", "qwen3-8b")),
    # Llama 2's -hf repos are the same weights converted to the transformers layout
    NameRule("hf", "flavour", r"-hf", "the -hf conversion", keeps_context=True,
             example=("meta-llama/Llama-2-7b-hf", "llama-2-7b")),
    NameRule("date", "flavour", r"-\d{4}", "a dated release", keeps_context=False,
             example=("Qwen/Qwen3-30B-A3B-Instruct-2507", "qwen3-30b-a3b")),
)

# Renames of one repository: Meta renamed Meta-Llama-3.1-* to Llama-3.1-* (and the Hub redirects).
RENAME_RULES: tuple[NameRule, ...] = (
    NameRule("meta-llama-prefix", "rename", r"^meta-(?=llama-3)", "the Meta-Llama-3 name", keeps_context=True,
             example=("meta-llama/Meta-Llama-3.1-8B-Instruct", "llama-3.1-8b")),
)

RULES: tuple[NameRule, ...] = QUANT_RULES + FLAVOUR_RULES + RENAME_RULES

# Organisations that publish other makers' models re-quantized or re-packaged with the same
# shapes; a name under one of them reduces to the original's name. Others (fine-tunes, merges,
# pruned or context-extended models) may change the geometry, so their names are not reduced.
REPACKERS = frozenset(o.lower() for o in (
    "unsloth", "RedHatAI", "neuralmagic", "nm-testing", "nvidia", "TheBloke", "casperhansen", "bartowski",
    "cpatonn", "cyankiwi", "lmstudio-community", "Sehyo", "hugging-quants", "amd", "Intel", "ModelCloud",
    "NousResearch", "mistral-community", "solidrust", "kaitchup", "ISTA-DASLab", "QuantTrio", "stelterlab",
    "modularai", "brandonbeiler", "mlx-community", "bullerwins", "mratsim", "Valdemardi", "AMead10",
))
# One publisher under two organisation names (the Hub redirects the old one).
SAME_PUBLISHER = {"thudm": "zai-org", "zai-org": "thudm", "01-ai": "01-ai"}

@lru_cache(maxsize=1)
def _compiled() -> tuple[list, list, list]:
    """The rules' patterns, compiled on the first name that needs them (not on the hook's import path)."""
    return ([(r, re.compile(f"(?:{r.pattern})$")) for r in QUANT_RULES],
            [(r, re.compile(f"(?:{r.pattern})$")) for r in FLAVOUR_RULES],
            [(r, re.compile(r.pattern)) for r in RENAME_RULES])


def _is_date(token: str) -> bool:
    """``2507`` (YYMM, 2023-2027) or ``0528`` (MMDD): the dates releases carry."""
    a, b = int(token[:2]), int(token[2:])
    return (23 <= a <= 27 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 31)


@dataclass(frozen=True)
class Stem:
    """A repo name reduced by the rules: ``text`` is compared with the catalog's stems."""

    text: str
    quant: NameRule | None = None
    flavours: tuple[str, ...] = ()  # stripped flavour/date tokens, in name order, lower-case
    renames: tuple[NameRule, ...] = ()

    @property
    def flavour_key(self) -> tuple[str, ...]:
        return tuple(sorted(self.flavours))


def stem(repo_name: str) -> Stem:
    """Reduce a repo name (no organisation) to its stem: quantization suffix, then flavour and
    date suffixes, then renames. ``Llama-3.1-405B-Instruct-FP8`` -> ``llama-3.1-405b`` (fp8, instruct)."""
    quant_re, flavour_re, rename_re = _compiled()
    s = repo_name.strip().lower()
    quant = None
    found = [(m.start(), rule) for rule, rx in quant_re if (m := rx.search(s)) and m.start() > 0]
    if found:  # the longest suffix: -w8a8-fp8 is one format, not -fp8 after a w8a8 model
        start, quant = min(found, key=lambda f: f[0])
        s = s[:start]
    flavours: list[str] = []
    changed = True
    while changed:
        changed = False
        for rule, rx in flavour_re:
            m = rx.search(s)
            if not m or m.start() == 0:
                continue
            token = s[m.start() + 1:]
            if rule.name == "date" and not _is_date(token):
                continue
            flavours.insert(0, token)
            s = s[: m.start()]
            changed = True
            break
    renames: list[NameRule] = []
    for rule, rx in rename_re:
        m = rx.search(s)
        if m:
            s = s[: m.start()] + s[m.end():]
            renames.append(rule)
    return Stem(s, quant, tuple(flavours), tuple(renames))


def org_relation(name_org: str, base_org: str) -> str | None:
    """How the organisation of a name relates to its base's: ``same`` publisher, a ``repack``,
    ``none`` when the name has no organisation (a folder), or None (another maker: no reduction)."""
    a, b = name_org.lower(), base_org.lower()
    if not a:
        return "none"
    if a == b or SAME_PUBLISHER.get(a) == b:
        return "same"
    if a in REPACKERS:
        return "repack"
    return None


# -- local paths ---------------------------------------------------------------------------------

_HF_LAYOUT = re.compile(r"(?:^|/)models--([^/]+?)--([^/]+?)(?:/|$)")
_DOUBLE_DASH = re.compile(r"^([A-Za-z0-9][\w.-]*?)--([A-Za-z0-9][\w.-]*)$")
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$")


# Folder names that are not a Hub organisation (``/data/models/Name``, ``models/Name``).
FOLDER_WORDS = frozenset({"models", "model", "data", "weights", "checkpoints", "ckpt", "mnt", "hf", "huggingface",
                          "hub", "llm", "llms", "cache", "workspace", "srv", "opt", "home", "root", "tmp", "snapshots"})


@dataclass(frozen=True)
class PathName:
    """A Hub id (``org/name``) or a bare repo name that a path stands for, and the rule that says so."""

    key: str  # as written, case kept
    rule: str  # hf-layout | org--name | org/name | basename | bare (a repo name without organisation)
    certain: bool  # the Hugging Face cache layout names the repo by construction; a folder name is a choice

    @property
    def what(self) -> str:
        return {
            "hf-layout": "the Hugging Face cache folder",
            "org--name": "the folder name (Org--Name)",
            "org/name": "the last two folders of the path",
            "basename": "the folder name",
            "bare": "the repo name without its organisation",
            "words": "the folder name's words, in another order or joined by _",
        }[self.rule]


def path_names(name: str) -> list[PathName]:
    """Hub ids and repo names a local path or bare name stands for, most specific first:
    ``.../models--Org--Name/snapshots/<sha>`` and ``/models/Org--Name`` -> ``Org/Name``;
    ``/mnt/models/Org/Name`` -> ``Org/Name``; ``/data/Name`` and ``Name`` -> ``Name``."""
    raw = name.strip().strip("'\"").rstrip("/")
    out: list[PathName] = []
    m = _HF_LAYOUT.search(raw)
    if m:
        out.append(PathName(f"{m.group(1)}/{m.group(2)}", "hf-layout", True))
    parts = [p for p in raw.split("/") if p and p != "."]
    if "snapshots" in parts:
        parts = parts[: parts.index("snapshots")]
    if not parts:
        return out
    last = parts[-1]
    dd = _DOUBLE_DASH.match(last)
    if dd and not last.startswith("models--"):
        out.append(PathName(f"{dd.group(1)}/{dd.group(2)}", "org--name", False))
    if len(parts) >= 2 and parts[-2].lower() not in FOLDER_WORDS and not parts[-2].startswith("models--"):
        out.append(PathName(f"{parts[-2]}/{last}", "org/name", False))
    if not last.startswith("models--"):
        out.append(PathName(last, "basename" if "/" in raw else "bare", False))
    seen: set[str] = set()
    unique = []
    for p in out:
        if p.key.lower() not in seen:
            seen.add(p.key.lower())
            unique.append(p)
    return unique


_WORD_SEP = re.compile(r"[-_\s]+")


def word_key(repo_name: str) -> str | None:
    """A repo or folder name's words regardless of their order and of ``-``/``_``: ``qwen2.5_instruct_32b`` and
    ``Qwen2.5-32B-Instruct`` both give ``32b instruct qwen2.5``. None for a name of one word (the exact name
    already decides it)."""
    words = sorted(w for w in _WORD_SEP.split(repo_name.strip().lower()) if w)
    return " ".join(words) if len(words) > 1 else None


# -- facts a name states ---------------------------------------------------------------------------

_SIZE = re.compile(r"(?:^|[-_./])(?<!\d_)(\d+(?:\.\d+)?)[bB](?=$|[-_./])")  # not the 6b of stablelm-2-1_6b
_MOE_SIZE = re.compile(r"(?:^|[-_./])(\d+)x(\d+(?:\.\d+)?)[bB](?=$|[-_./])", re.I)
_CONTEXT = re.compile(r"(?:^|[-_.])(\d+)([kKmM])(?=$|[-_.])")
# The MLP holds about two thirds of a dense transformer's parameters (Llama-2-7B: 4.3 of 6.7 B), so
# N experts of an M-B model hold at least M·(1 + (N-1)·2/3) (Mixtral-8x7B: 39.7 <= 46.7 B published).
_MLP_SHARE = 2 / 3


@dataclass(frozen=True)
class NameFacts:
    """What a name states by itself: a parameter count (a lower bound) and a context length."""

    params: int | None = None
    params_text: str = ""
    context: int | None = None
    context_text: str = ""


def name_facts(repo_name: str) -> NameFacts:
    """``Llama-2-13b-chat`` -> 13e9 parameters; ``Mixtral-8x7B`` -> at least 39.7e9; ``Qwen3-30B-A3B``
    -> 30e9 (A3B is the active count); ``Phi-3-mini-128k-instruct`` -> 131072 tokens. A name with two
    sizes states none."""
    tail = repo_name.rstrip("/").split("/")[-1]
    params, params_text = None, ""
    moe = _MOE_SIZE.findall(tail)
    sizes = _SIZE.findall(tail)
    if len(moe) == 1:
        n, m = int(moe[0][0]), float(moe[0][1])
        params, params_text = int(m * (1 + (n - 1) * _MLP_SHARE) * 1e9), f"{moe[0][0]}x{moe[0][1]}B"
    elif len(sizes) == 1 and not moe:
        params, params_text = int(float(sizes[0]) * 1e9), f"{sizes[0]}B"
    context, context_text = None, ""
    ctx = [(int(v), u.lower()) for v, u in _CONTEXT.findall(tail)]
    if len(ctx) == 1:
        v, u = ctx[0]
        tokens = v * (1024 if u == "k" else 1024 * 1024)
        if 2048 <= tokens <= 16 * 1024 * 1024:
            context, context_text = tokens, f"{v}{u}"
    return NameFacts(params, params_text, context, context_text)
