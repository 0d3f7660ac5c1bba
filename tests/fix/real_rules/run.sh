#!/bin/sh
vllm serve Qwen/Qwen2.5-0.5B-Instruct \
  --max-model 4096 \
  --disable-log-req
