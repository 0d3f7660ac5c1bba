"""Read what a vLLM startup log says about memory, in every release's wording (0.3 to 0.33).

Each figure is taken from a phrase vLLM prints (the templates are quoted from the releases' sources
in the comments of ``PATTERNS``), so excerpts, wrapped lines and worker prefixes such as
``(VllmWorker rank=1 pid=42)`` still parse. Values keep the key names of the capacity JSON
(``weights_gib``, ``kv_cache_tokens``, ...); a key is absent where the log does not say it. With
several ranks the one with the least KV cache is kept, as vLLM sizes every rank to the smallest.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

NUM = r"(\d+(?:\.\d+)?)"
INT = r"(\d[\d,]*)"
_WS = re.compile(r"\s+")

# Per-rank V0/V1 profile lines: key -> regex; group names are capacity JSON keys.
_V0_WORKER = re.compile(  # 0.6.5-0.10 worker.py: "the current vLLM instance can use total_gpu_memory (%.2fGiB) x ..."
    rf"total_gpu_memory \({NUM}\s*GiB\)\s*x\s*gpu_memory_utilization \({NUM}\)\s*=\s*{NUM}\s*GiB")
_V0_TERMS = re.compile(  # "model weights take %.2fGiB; non_torch_memory takes %.2fGiB; PyTorch activation peak ..."
    rf"(?:model weights take {NUM}\s*GiB;\s*)?non_torch_memory takes {NUM}\s*GiB;\s*PyTorch activation peak "
    rf"memory takes {NUM}\s*GiB;(?:\s*the rest of the memory reserved for KV Cache is {NUM}\s*GiB)?")
_V064 = re.compile(r"Memory profiling results:(.*)")  # 0.6.4: "total_gpu_memory=%.2fGiB initial_memory_usage=..."
_V064_KEYS = {"total_gpu_memory": "total_gib", "non_torch_memory": "non_torch_gib", "kv_cache_size": "kv_cache_gib",
              "gpu_memory_utilization": "gpu_memory_utilization", "peak_torch_memory": "peak_torch_gib"}
_V1_ACTUAL = re.compile(  # 0.10-0.32 gpu_worker.py, INFO after warm-up
    rf"Free memory on device \({NUM}/{NUM} GiB\) on startup\. Desired GPU memory utilization is \({NUM}, {NUM} GiB\)\. "
    rf"Actual usage is {NUM} GiB for weight, {NUM} GiB for peak activation, {NUM} GiB for non-torch memory, and "
    rf"{NUM} GiB for CUDAGraph memory")
_V133_ACTUAL = re.compile(  # 0.33: weights and non-torch reported together as consumed memory
    rf"Free memory on device \({NUM}/{NUM} GiB\) on startup\. Desired GPU memory utilization is \({NUM}, {NUM} GiB\)\. "
    rf"Actual usage is {NUM} GiB for consumed memory \(weights \+ non-torch\), {NUM} GiB for peak activation, and "
    rf"{NUM} GiB for CUDAGraph memory")
_V1_PROFILE = re.compile(  # DEBUG MemoryProfilingResult repr (0.9+)
    rf"Total non KV cache memory: {NUM}\s*GiB; torch peak memory increase: {NUM}\s*GiB; (?:non-torch forward "
    rf"increase memory: {NUM}\s*GiB|total consumed \(from mem_get_info\): {NUM}\s*GiB); weights memory: {NUM}\s*GiB")
_STARTUP_FREE = re.compile(rf"Free memory on device \({NUM}/{NUM} GiB\) on startup")
_REQUESTED = re.compile(rf"Requested memory: {NUM} \(util\), {NUM} GiB")  # DEBUG 0.10+

PATTERNS: dict[str, re.Pattern[str]] = {
    # "Initializing an LLM engine (v%s) with config: ..." (0.4-0.6), "Initializing a V0/V1 LLM engine (v%s)"
    "engine": re.compile(r"Initializing an? (?:(V[01]) )?LLM engine(?: \(v([^)\s]+)\))?(?: with config:(.*))?"),
    "server_version": re.compile(r"vLLM API server version v?(\d[\w.+-]*)"),
    "non_default": re.compile(r"non-default args: (\{.*\})"),
    # V0 "Loading model weights took %.4f GB" (GiB values), 0.8+ "... took %.4f GiB", V1 "Model loading took %s GiB"
    "weights_loaded": re.compile(rf"(?:Loading model weights|Model loading) took {NUM}\s*Gi?B"),
    # "# GPU blocks: %d, # CPU blocks: %d"; 0.7+ "# %s blocks" (CUDA, cuda, rocm, ...); V1 0.6-0.7 "# GPU blocks: %d"
    "blocks": re.compile(r"# (\w+) blocks: (\d+)"),
    "kv_available": re.compile(rf"Available KV cache memory: {NUM}\s*GiB"),
    "kv_tokens": re.compile(rf"(?:GPU|CUDA|XPU|CPU|TPU)(?: \+ host)? KV cache size: {INT} tokens"),
    "concurrency": re.compile(rf"Maximum concurrency for {INT} tokens per request: {NUM}x"),
    # V0 raise_if_cache_size_invalid
    "v0_error": re.compile(r"max seq len \((\d+)\) is larger than the maximum number of tokens that can be stored "
                           r"in KV cache \((\d+)\)"),
    # V1 _check_enough_kv_cache_memory (0.8-0.20 "models's", later "model's")
    "v1_error": re.compile(rf"max seq len \((\d+)\), \({NUM} GiB KV cache is needed, which is larger than the "
                           rf"available KV cache memory \({NUM} GiB\)\.(?:\s*Based on the available memory,\s*the "
                           rf"estimated maximum model length is (\d+))?"),
    "no_blocks": re.compile(r"No available memory for the cache blocks"),
    # 0.20+ INFO: "The current --gpu-memory-utilization=%.4f is equivalent to --gpu-memory-utilization=%.4f ..."
    "cg_equivalent": re.compile(rf"--gpu-memory-utilization={NUM} is equivalent to --gpu-memory-utilization={NUM}"),
    "cg_pool": re.compile(rf"CUDA graph pool memory: {NUM} GiB \(actual\), {NUM} GiB \(estimated\)"),
    "cg_captured": re.compile(rf"Graph capturing finished in \d+ secs?, took {NUM} GiB"),
    "kv_override": re.compile(rf"reserved {NUM}\s*GiB memory for KV Cache as specified by kv_cache_memory_bytes"),
}

# Wordings that only some releases print: (phrase, first release, last release or None). When a log does
# not name its release, the newest release consistent with every wording it contains is assumed.
RELEASE_HINTS: tuple[tuple[re.Pattern[str], str, str | None], ...] = (
    (re.compile(r"Memory profiling results:"), "0.6.4", "0.6.4"),
    (re.compile(r"the current vLLM instance can use total_gpu_memory"), "0.6.5", "0.10.2"),
    (re.compile(r"Loading model weights took [\d.]+ GB\b"), "0.4.0", "0.7.3"),
    (re.compile(r"Model loading took [\d.]+ GiB and"), "0.8.0", "0.10.2"),
    (re.compile(r"Model loading took [\d.]+ GiB memory and"), "0.11.0", None),
    (re.compile(r"Available KV cache memory"), "0.8.0", None),
    (re.compile(r"KV cache size: [\d,]+ tokens, Maximum concurrency"), "0.30.0", None),
    (re.compile(r"models's max seq len"), "0.8.0", "0.20.2"),
    (re.compile(r"model's max seq len \(\d+\), \("), "0.22.0", None),
    (re.compile(r"is larger than the maximum number of tokens that can be stored in KV cache"), "0.3.0", "0.10.2"),
    (re.compile(r"Initializing an LLM engine with config"), "0.3.0", "0.4.0"),
)
# Lines only the V0 engine prints (a log that has them ran V0, whatever the release's default).
V0_EVIDENCE = re.compile(r"the current vLLM instance can use total_gpu_memory|Memory profiling results:|"
                         r"# \w+ blocks: \d+, # CPU blocks|is larger than the maximum number of tokens that can be "
                         r"stored in KV cache|Initializing an? (?:V0 )?LLM engine")
V1_EVIDENCE = re.compile(r"Available KV cache memory|KV cache size: [\d,]+ tokens|Initializing a V1 LLM engine|"
                         r"max seq len \(\d+\), \(")

# Keys of the engine config line that map to EngineArgs dests.
_CONFIG_KEYS = {"max_seq_len": "max_model_len", "tensor_parallel_size": "tensor_parallel_size",
                "pipeline_parallel_size": "pipeline_parallel_size", "data_parallel_size": "data_parallel_size",
                "quantization": "quantization", "enforce_eager": "enforce_eager", "kv_cache_dtype": "kv_cache_dtype",
                "dtype": "dtype", "enable_prefix_caching": "enable_prefix_caching",
                "enable_chunked_prefill": "enable_chunked_prefill", "seed": None}


@dataclass
class LogFacts:
    """What one startup log states, keyed like the capacity JSON (absent: not stated)."""

    figures: dict[str, object] = field(default_factory=dict)
    args: dict[str, object] = field(default_factory=dict)  # EngineArgs dests the log states
    lines: dict[str, int] = field(default_factory=dict)  # key -> 1-based line it was read from
    ranks: int = 1  # per-rank profile lines seen
    engine: str | None = None  # "v0"/"v1" when the log shows which engine ran
    release_span: tuple[str, str | None] | None = None  # releases whose wording the log uses
    usage_context: str | None = None  # "serve" or "llm" when the log shows which entrypoint ran

    @property
    def memory_lines(self) -> bool:
        """Whether the log says anything about memory (not only the configuration)."""
        return any(k not in ("vllm_version", "model", "max_model_len") for k in self.figures)

    def to_json(self) -> dict:
        out: dict[str, object] = {}
        for key, value in self.figures.items():
            if key == "total_gib":
                out.setdefault("gpu", {})["total_gib"] = value  # type: ignore[index]
            elif not key.startswith("_"):
                out[key] = value
        if self.ranks > 1:
            out["ranks"] = self.ranks
        return out


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def _config_value(raw: str) -> object:
    raw = raw.strip()
    if raw in ("True", "False"):
        return raw == "True"
    if raw == "None":
        return None
    if raw.startswith("torch."):
        return raw[len("torch."):]
    if re.fullmatch(r"-?\d+", raw):
        return int(raw)
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    return raw


def _parse_config(text: str) -> tuple[str | None, dict[str, object]]:
    """The model and the EngineArgs the engine config line states (``key=value, key=value, ...``)."""
    model = None
    m = re.match(r"\s*model=('[^']*'|\"[^\"]*\"|[^,\s]+)", text)
    if m:
        model = str(_config_value(m.group(1)))
    args: dict[str, object] = {}
    for key, dest in _CONFIG_KEYS.items():
        km = re.search(rf"(?:^|[\s,(]){key}=('[^']*'|[^,)\s]+)", text)
        if km and dest:
            value = _config_value(km.group(1))
            if value is not None and value != "auto" or dest == "kv_cache_dtype" and value is not None:
                args[dest] = value
    return model, args


def _parse_non_default(text: str) -> dict[str, object]:
    """``non-default args: {...}`` is a Python dict repr; values that are not literals are skipped."""
    try:
        value = ast.literal_eval(text)
        return dict(value) if isinstance(value, dict) else {}
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        out: dict[str, object] = {}
        for m in re.finditer(r"'(\w+)': ('[^']*'|[\w.+-]+)", text):
            out[m.group(1)] = _config_value(m.group(2))
        return out


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Lines joined with their continuations (an indented line without a log prefix), so that a
    message wrapped by a terminal or an excerpt still matches as one."""
    out: list[tuple[int, str]] = []
    for i, line in enumerate(text.splitlines(), 1):
        if out and line[:1] in (" ", "\t") and not re.match(r"\s*(?:INFO|DEBUG|WARNING|ERROR|\(|\[)", line):
            n, prev = out[-1]
            out[-1] = (n, prev + " " + line.strip())
        else:
            out.append((i, line))
    return out


@dataclass
class _Rank:
    line: int
    values: dict[str, float]


class _LogReader:
    """What the lines of one log state so far. Each line goes through the three readers in turn;
    the first line that states a figure wins unless a later one overrides it."""

    def __init__(self) -> None:
        self.facts = LogFacts()
        self.ranks: list[_Rank] = []
        self.kv_lines: list[tuple[float, int]] = []
        self.spans: list[tuple[str, str | None]] = []

    def put(self, key: str, value: object, line: int, *, override: bool = False) -> None:
        if override or key not in self.facts.figures:
            self.facts.figures[key] = value
            self.facts.lines[key] = line

    def read(self, n: int, line: str) -> None:
        self.engine_line(n, line)
        self.profile_line(n, line)
        self.kv_line(n, line)

    def engine_line(self, n: int, line: str) -> None:
        """Release hints, the engine, the usage context, the version and the engine's arguments."""
        self.spans.extend((first, last) for pat, first, last in RELEASE_HINTS if pat.search(line))
        if self.facts.engine is None and V1_EVIDENCE.search(line):
            self.facts.engine = "v1"
        elif self.facts.engine is None and V0_EVIDENCE.search(line):
            self.facts.engine = "v0"
        if "api_server" in line or "vLLM API server" in line:
            self.facts.usage_context = self.facts.usage_context or "serve"
        elif re.search(r"\bllm\.py:\d+", line):
            self.facts.usage_context = self.facts.usage_context or "llm"
        m = PATTERNS["engine"].search(line)
        if m:
            self.facts.engine = (m.group(1) or "V0").lower()
            if m.group(2):
                self.put("vllm_version", m.group(2), n)
            model, args = _parse_config(m.group(3) or "")
            if model:
                self.put("model", model, n)
            for k, v in args.items():
                self.facts.args.setdefault(k, v)
            if "max_model_len" in args:
                self.put("max_model_len", args["max_model_len"], n)
        m = PATTERNS["server_version"].search(line)
        if m:
            self.put("vllm_version", m.group(1), n)
        m = PATTERNS["non_default"].search(line)
        if m:
            nd = _parse_non_default(m.group(1))
            self.facts.args.update(nd)
            # the server logs its argparse Namespace (model_tag); the LLM class its EngineArgs, where
            # disable_log_stats=True is the class's own default
            if "model_tag" in nd:
                self.facts.usage_context = self.facts.usage_context or "serve"
            elif nd.get("disable_log_stats") is True:
                self.facts.usage_context = self.facts.usage_context or "llm"
            if isinstance(self.facts.args.get("model"), str):
                self.put("model", self.facts.args["model"], n, override=True)

    def profile_line(self, n: int, line: str) -> None:
        """The weights, the budget and what the profile run measured, per rank."""
        m = PATTERNS["weights_loaded"].search(line)
        if m:
            self.put("weights_gib", _num(m.group(1)), n)
        m = _V0_WORKER.search(line)
        if m:
            self.put("total_gib", _num(m.group(1)), n)
            self.put("gpu_memory_utilization", _num(m.group(2)), n)
            self.put("budget_gib", _num(m.group(3)), n)
        m = _V0_TERMS.search(line)
        if m:
            r = {"non_torch_gib": _num(m.group(2)), "activation_gib": _num(m.group(3))}
            if m.group(1):
                r["weights_gib"] = _num(m.group(1))
            if m.group(4):
                r["kv_cache_gib"] = _num(m.group(4))
            self.ranks.append(_Rank(n, r))
        m = _V064.search(line)
        if m:
            r = {}
            for key, value in re.findall(r"(\w+)=(\d+(?:\.\d+)?)", m.group(1)):
                if key in _V064_KEYS:
                    r[_V064_KEYS[key]] = _num(value)
            if "total_gib" in r:
                self.put("total_gib", r.pop("total_gib"), n)
            if "gpu_memory_utilization" in r:
                self.put("gpu_memory_utilization", r.pop("gpu_memory_utilization"), n)
            if r:
                self.ranks.append(_Rank(n, r))
        for pat, consumed in ((_V1_ACTUAL, False), (_V133_ACTUAL, True)):
            m = pat.search(line)
            if m:
                g = [_num(x) for x in m.groups()]
                self.put("total_gib", g[1], n)
                self.put("gpu_memory_utilization", g[2], n)
                self.put("budget_gib", g[3], n)
                if consumed:
                    self.put("_consumed_gib", g[4], n)
                    self.put("activation_gib", g[5], n)
                    self.put("cuda_graph_captured_gib", g[6], n)
                else:
                    self.put("weights_gib", g[4], n)
                    self.put("activation_gib", g[5], n)
                    self.put("non_torch_gib", g[6], n)
                    self.put("cuda_graph_captured_gib", g[7], n)
        m = _V1_PROFILE.search(line)
        if m:
            self.put("activation_gib", _num(m.group(2)), n)
            if m.group(3):
                self.put("non_torch_gib", _num(m.group(3)), n)
        m = _STARTUP_FREE.search(line)
        if m:
            self.put("total_gib", _num(m.group(2)), n)
        m = _REQUESTED.search(line)
        if m:
            self.put("gpu_memory_utilization", _num(m.group(1)), n)
            self.put("budget_gib", _num(m.group(2)), n)

    def kv_line(self, n: int, line: str) -> None:
        """The KV cache: blocks, tokens, concurrency, the fit check's errors and the CUDA-graph pool."""
        for m in PATTERNS["blocks"].finditer(line):
            if m.group(1).upper() != "CPU":
                self.put("num_gpu_blocks", int(m.group(2)), n)
        m = PATTERNS["kv_available"].search(line)
        if m:
            self.kv_lines.append((_num(m.group(1)), n))
        m = PATTERNS["kv_tokens"].search(line)
        if m:
            self.put("kv_cache_tokens", _int(m.group(1)), n)
        m = PATTERNS["concurrency"].search(line)
        if m:
            self.put("max_model_len", _int(m.group(1)), n)
            self.put("max_concurrency", _num(m.group(2)), n)
        m = PATTERNS["v0_error"].search(line)
        if m:
            self.put("max_model_len", int(m.group(1)), n, override=True)
            self.put("kv_cache_tokens", int(m.group(2)), n)
            self.put("fits", False, n)
        m = PATTERNS["v1_error"].search(line)
        if m:
            self.put("max_model_len", int(m.group(1)), n, override=True)
            self.put("needed_kv_gib", _num(m.group(2)), n)
            self.put("_kv_check_gib", _num(m.group(3)), n)
            if m.group(4):
                self.put("estimated_max_model_len", int(m.group(4)), n)
            self.put("fits", False, n)
        if PATTERNS["no_blocks"].search(line):
            self.put("fits", False, n)
        m = PATTERNS["cg_equivalent"].search(line)
        if m:
            self.put("_cg_util_delta", round(_num(m.group(1)) - _num(m.group(2)), 4), n)
        m = PATTERNS["cg_pool"].search(line)
        if m:
            self.put("cuda_graph_captured_gib", _num(m.group(1)), n)
            self.put("cuda_graph_gib", _num(m.group(2)), n)
        m = PATTERNS["cg_captured"].search(line)
        if m:
            self.put("cuda_graph_captured_gib", _num(m.group(1)), n)
        m = PATTERNS["kv_override"].search(line)
        if m:
            self.kv_lines.append((_num(m.group(1)), n))


def parse_log(text: str) -> LogFacts:
    """Every memory figure and engine setting a vLLM startup log states."""
    reader = _LogReader()
    for n, raw in _logical_lines(text):
        reader.read(n, _WS.sub(" ", raw))
    _settle_ranks(reader.facts, reader.ranks, reader.kv_lines)
    reader.facts.release_span = _span(reader.spans)
    return reader.facts


def apply_release(facts: LogFacts, version: str) -> None:
    """Readings that depend on the release: the V1 error's "available KV cache memory" is the KV cache
    itself until the fit check started holding back the null block (``MemoryProfile.fit_check_null_block``)."""
    from vllm_lint.memory.releases import release

    check = facts.figures.pop("_kv_check_gib", None)
    line = facts.lines.pop("_kv_check_gib", None)
    if check is not None and "kv_cache_gib" not in facts.figures and not release(version).fit_check_null_block:
        facts.figures["kv_cache_gib"] = check
        facts.lines["kv_cache_gib"] = line  # type: ignore[assignment]


def _span(spans: list[tuple[str, str | None]]) -> tuple[str, str | None] | None:
    """The releases consistent with every wording seen (the latest lower bound to the earliest upper)."""
    from vllm_lint.vllm.versions import parse_version

    if not spans:
        return None
    first = max((s[0] for s in spans), key=lambda v: parse_version(v) or (0,))
    lasts = [s[1] for s in spans if s[1]]
    last = min(lasts, key=lambda v: parse_version(v) or (0,)) if lasts else None
    if last is not None and (parse_version(last) or (0,)) < (parse_version(first) or (0,)):
        return first, None  # wordings that disagree: only the lower bound holds
    return first, last


def assumed_release(span: tuple[str, str | None] | None, known: tuple[str, ...]) -> str | None:
    """The newest known release inside ``span`` (None without a span or a known release in it)."""
    from vllm_lint.vllm.versions import parse_version

    if span is None:
        return None
    lo = parse_version(span[0]) or (0,)
    hi = parse_version(span[1]) if span[1] else None
    inside = [v for v in known if (parse_version(v) or (0,)) >= lo and (hi is None or (parse_version(v) or (0,)) <= hi)]
    return inside[-1] if inside else span[0]


def _settle_ranks(facts: LogFacts, ranks: list[_Rank], kv_lines: list[tuple[float, int]]) -> None:
    """Keep the rank with the least KV cache (vLLM shrinks every rank to it) and derive the figures
    that follow from two stated ones without guessing (0.33's consumed memory minus the weights)."""
    fig, lines = facts.figures, facts.lines
    if ranks:
        facts.ranks = max(facts.ranks, len(ranks))
        worst = min(ranks, key=lambda r: r.values.get("kv_cache_gib", float("inf")))
        for key, value in worst.values.items():
            if key == "peak_torch_gib":
                continue
            if key == "weights_gib" and "weights_gib" in fig and len(ranks) == 1:
                continue  # "Loading model weights took" has four decimals
            fig[key] = value
            lines[key] = worst.line
    if kv_lines:
        facts.ranks = max(facts.ranks, len(kv_lines))
        value, line = min(kv_lines)
        fig["kv_cache_gib"], lines["kv_cache_gib"] = value, line
    consumed = fig.pop("_consumed_gib", None)
    if consumed is not None and "weights_gib" in fig and "non_torch_gib" not in fig:
        fig["non_torch_gib"] = round(float(consumed) - float(fig["weights_gib"]), 2)  # type: ignore[arg-type]
        lines["non_torch_gib"] = lines.pop("_consumed_gib")
    delta = fig.pop("_cg_util_delta", None)
    line = lines.pop("_cg_util_delta", None)
    if delta is not None and "total_gib" in fig and "cuda_graph_gib" not in fig:
        fig["cuda_graph_gib"] = round(float(delta) * float(fig["total_gib"]), 2)  # type: ignore[arg-type]
        lines["cuda_graph_gib"] = line  # type: ignore[assignment]
    if "gpu_memory_utilization" in fig:
        facts.args.setdefault("gpu_memory_utilization", fig["gpu_memory_utilization"])
    if "max_model_len" in fig:
        facts.args.setdefault("max_model_len", fig["max_model_len"])


__all__ = ["LogFacts", "PATTERNS", "RELEASE_HINTS", "apply_release", "assumed_release", "parse_log"]
