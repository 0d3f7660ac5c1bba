#!/usr/bin/env bash
# Serve Qwen1.5-7B-Chat with vLLM's defaults on one 24 GB card.
# vLLM 0.4 loads for minutes, then stops: "The model's max seq len (32768) is larger than
# the maximum number of tokens that can be stored in KV cache (7344)".
set -euo pipefail

python -m vllm.entrypoints.openai.api_server --served-model-name Qwen1.5-7B-Chat --model /models--Qwen--Qwen1.5-7B-Chat
