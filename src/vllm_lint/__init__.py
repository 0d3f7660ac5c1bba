"""vllm-lint: a static linter for vLLM deployment configs."""

__version__ = "0.1.0"
