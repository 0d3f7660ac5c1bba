"""vllm-lint: a static linter for vLLM deployment configs."""

__version__ = "0.1.0"
# The project page: SARIF's informationUri and each rule's helpUri (docs/rules/<ID>.md) hang off it.
HOMEPAGE = "https://github.com/vllm-lint/vllm-lint"
