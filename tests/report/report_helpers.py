"""A LintResult built by hand from real SourceFiles, for reporter tests."""

from __future__ import annotations

from vllm_lint.diagnostic import Diagnostic, Edit, Fix, Severity
from vllm_lint.results import LintResult
from vllm_lint.sources.base import SourceFile

COMPOSE = (
    "services:\n"
    "  vllm:\n"
    "    image: vllm/vllm-openai:v0.8.5\n"
    "    command:\n"
    "      - --model\n"
    "      - Qwen/Qwen2.5-7B-Instruct\n"
    "      - --max_model_len\n"
    "      - \"131072\"\n"
)


def sample_result() -> LintResult:
    src = SourceFile.from_text(COMPOSE, display="deploy/docker-compose.yml", kind="compose")
    text = src.text
    flag = text.index("--max_model_len")
    value = text.index("131072")
    flag_span = src.span(flag, flag + len("--max_model_len"))
    value_span = src.span(value, value + len("131072"))
    whole = src.span(text.index("  vllm:"), len(text) - 1)
    diags = [
        Diagnostic("VL201", "flag-spelling", Severity.WARNING, src.display, flag_span,
                   "`--max_model_len` is spelled `--max-model-len`, 50% of users: a,b",
                   launch="vllm", fix=Fix("rename to --max-model-len", (Edit(flag_span, "--max-model-len"),))),
        Diagnostic("VL101", "kv-cache-capacity", Severity.ERROR, src.display, value_span,
                   "max_model_len 131072 needs 16.00 GiB of KV cache;\nonly 3.20 GiB is free",
                   launch="vllm", notes=["weights 14.2 GiB"],
                   fix=Fix("set --max-model-len 8192", (Edit(value_span, "8192"),), safe=False)),
        Diagnostic("VL301", "gpu-count", Severity.INFO, src.display, whole, "spans lines", launch="vllm"),
        Diagnostic("VL000", "internal-error", Severity.ERROR, "<project>", None, "boom"),
    ]
    result = LintResult(diagnostics=diags, files=[src.display], sources={src.display: src})
    result.suppressed.append(Diagnostic("VL102", "x", Severity.WARNING, src.display, None, "hidden", suppressed="ok"))
    return result
