"""The argv cases of the differential test set (tools/differential.py runs them through real vLLM).

Three groups:
  * parser semantics, hand-written (one line = one case);
  * every vLLM flag that appears in the corpus (corpus.tsv flags_seen), with a typical value;
  * whole launch lines shaped like the corpus's (kubeai, production-stack, compose files).
Cases are ``(id, entrypoint, argv)``; ids are stable so recorded verdicts can be diffed.
"""

from __future__ import annotations

import csv
import shlex
from pathlib import Path

M = "org/model"

SEMANTICS = [
    # basics, equals, underscores
    f"{M}",
    f"{M} --max-model-len 8192",
    f"{M} --max-model-len=8192",
    f"{M} --max_model_len 8192",
    f"{M} --max_model_len=8192 --tensor_parallel_size=2",
    f"{M} --gpu_memory_utilization 0.85 --max_num_seqs 64",
    f"{M} --MAX-MODEL-LEN 8192",
    f"{M} -tp 2",
    f"{M} -tp=2",
    f"{M} -pp 2 -tp 4",
    f"{M} --tensor-parallel-size two",
    f"{M} --gpu-memory-utilization high",
    f"{M} --gpu-memory-utilization 1.0",
    f"{M} --gpu-memory-utilization 0.95 --gpu-memory-utilization 0.4",
    f"{M} --max-model-len 4096 --max-model-len=8192",
    f"{M} --max-model-len",
    f"{M} --max-model-len --enforce-eager",
    f"{M} --max-model-len=",
    # human-readable ints
    f"{M} --max-model-len 8k",
    f"{M} --max-model-len 8K",
    f"{M} --max-model-len 25.6k",
    f"{M} --max-model-len 1.5K",
    f"{M} --max-model-len 1m",
    f"{M} --max-model-len 2M",
    f"{M} --max-model-len 32k --max-num-batched-tokens 16k",
    f"{M} --max-num-batched-tokens 8K",
    f"{M} --max-model-len auto",
    f"{M} --max-model-len -1",
    f"{M} --max-model-len 0",
    f"{M} --max-model-len 8000.5",
    # prefixes
    f"{M} --max-num-seq 8",
    f"{M} --max-num-seqs 8",
    f"{M} --max-num-batched-token 4096",
    f"{M} --max-num-batched-token=4096",
    f"{M} --max-num 8",
    f"{M} --max-model 8192",
    f"{M} --gpu-mem 0.8",
    f"{M} --tensor-parallel 2",
    f"{M} --enable-prefix 1",
    f"{M} --enable-prefix",
    f"{M} --trust-remote",
    f"{M} --enforce",
    f"{M} --served-model m1",
    f"{M} --dis",
    f"{M} --disable-log-req",
    f"{M} --kv-cache 1",
    # unknown / misspelt
    f"{M} --max-model-length 8192",
    f"{M} --gpu-memory-utilisation 0.8",
    f"{M} --disable-log-requrests",
    f"{M} --temperature 0.95",
    f"{M} --top-p 0.9",
    f"{M} --foo",
    f"{M} --foo bar",
    f"{M} --foo=bar --bar baz",
    # booleans
    f"{M} --enforce-eager",
    f"{M} --enforce-eager False",
    f"{M} --enforce-eager=true",
    f"{M} --no-enforce-eager",
    f"{M} --trust-remote-code",
    f"{M} --trust-remote-code true",
    f"{M} --enable-chunked-prefill",
    f"{M} --enable-chunked-prefill=false",
    f"{M} --enable-chunked-prefill=False",
    f"{M} --enable-chunked-prefill=true",
    f"{M} --enable-chunked-prefill False",
    f"{M} --enable-chunked-prefill false --max-num-batched-tokens 8192",
    f"{M} --enable-chunked-prefill maybe",
    f"{M} --no-enable-chunked-prefill",
    f"{M} --disable-chunked-prefill",
    f"{M} --enable-prefix-caching",
    f"{M} --no-enable-prefix-caching",
    f"{M} --disable-prefix-caching",
    f"{M} --enable-prefix-caching=false",
    f"{M} --disable-log-requests",
    f"{M} --no-disable-log-requests",
    f"{M} --enable-log-requests",
    f"{M} --disable-log-stats",
    f"{M} --disable-log-stats=true",
    f"{M} --enable-lora --max-loras 4 --max-lora-rank 64",
    f"{M} --enable-lora --max-lora-rank 48",
    f"{M} --enable-auto-tool-choice --tool-call-parser hermes",
    f"{M} --use-v2-block-manager",
    f"{M} --enable-expert-parallel",
    f"{M} -ep",
    # choices
    f"{M} --dtype half",
    f"{M} --dtype float16",
    f"{M} --dtype fp16",
    f"{M} --kv-cache-dtype fp8",
    f"{M} --kv-cache-dtype fp8_e4m3",
    f"{M} --kv-cache-dtype fp4",
    f"{M} --quantization awq",
    f"{M} --quantization none",
    f"{M} --quantization None",
    f"{M} -q gptq",
    f"{M} --block-size 16",
    f"{M} --block-size 32",
    f"{M} --block-size 7",
    f"{M} --block-size 4096",
    f"{M} --load-format safetensors",
    f"{M} --load-format magic",
    f"{M} --device cuda",
    f"{M} --distributed-executor-backend ray",
    f"{M} --distributed-executor-backend mp",
    f"{M} --distributed-executor-backend slurm",
    f"{M} --task generate",
    f"{M} --task embed",
    f"{M} --runner pooling",
    f"{M} --tokenizer-mode mistral",
    f"{M} --uvicorn-log-level warning",
    f"{M} --uvicorn-log-level verbose",
    f"{M} --guided-decoding-backend xgrammar",
    f"{M} --scheduling-policy priority",
    f"{M} --preemption-mode swap",
    f"{M} --swap-space 4",
    f"{M} --swap-space 0",
    f"{M} --cpu-offload-gb 8",
    f"{M} --num-scheduler-steps 8",
    f"{M} --max-seq-len-to-capture 8192",
    f"{M} --seed 0",
    f"{M} --seed None",
    f"{M} --max-cpu-loras None",
    f"{M} --max-logprobs 40",
    # JSON and dotted
    f"{M} --limit-mm-per-prompt image=2",
    f"{M} --limit-mm-per-prompt image=2,video=1",
    f'{M} --limit-mm-per-prompt {{"image":2}}',
    f"{M} --limit-mm-per-prompt.image 2",
    f"{M} --limit-mm-per-prompt.image=0 --limit-mm-per-prompt.video=0",
    f"{M} --limit-mm-per-prompt.image 2 --limit-mm-per-prompt.image 3",
    f'{M} --speculative-config {{"method":"ngram","num_speculative_tokens":3,"prompt_lookup_max":4}}',
    f"{M} --speculative-config.num_speculative_tokens 3 --speculative-config.method ngram",
    f"{M} --speculative-config {{bad",
    f"{M} --speculative-model org/draft --num-speculative-tokens 5",
    f'{M} --hf-overrides {{"rope_scaling":{{"rope_type":"yarn","factor":4.0}}}}',
    f"{M} --hf-overrides plain-string",
    f'{M} --rope-scaling {{"rope_type":"dynamic","factor":2.0}}',
    f'{M} --kv-transfer-config {{"kv_connector":"LMCacheConnectorV1","kv_role":"kv_both"}}',
    f'{M} --compilation-config {{"cudagraph_capture_sizes":[1,2,4]}}',
    f"{M} --compilation-config 3",
    f"{M} -O3",
    f"{M} -O 3",
    f"{M} -O=2",
    f"{M} -O0 --enforce-eager",
    f"{M} -O.mode=3",
    f"{M} -cc.mode=3",
    f"{M} -cc.cudagraph_capture_sizes+ 1,2,4",
    f"{M} --compilation-config.cudagraph_capture_sizes+ 1,2 --compilation-config.cudagraph_capture_sizes+ 8",
    f'{M} --mm-processor-kwargs {{"num_crops":4}}',
    f'{M} --override-generation-config {{"temperature":0.6}}',
    f'{M} --default-chat-template-kwargs {{"enable_thinking":false}}',
    f"{M} --max-model-len.x 3",
    # served model name, api key (nargs +)
    f"{M} --served-model-name m1",
    f"{M} --served-model-name m1 m2",
    f"--served-model-name m1 {M}",
    "--served-model-name m1 --max-model-len 4096",
    f"{M} --api-key k1",
    f"{M} --api-key k1 k2",
    f"{M} --api-key=-abc",
    f"{M} --api-key -abc",
    f"{M} --lora-modules a=/p/a b=/p/b",
    f"{M} --chat-template /t/x.jinja --response-role assistant",
    # the model
    "--model org/model",
    "--model=org/model",
    "--model org/model --max-model-len 4096",
    "--max-model-len 4096 --model org/model",
    f"{M} --model org/model2",
    f"{M} {M}",
    "--max-model-len 4096",
    f"--max-model-len 4096 {M}",
    "vllm serve org/model --max-model-len 4096",
    "serve org/model",
    "--mod org/model",
    # misc
    f"{M} --host 0.0.0.0 --port 8000",
    f"{M} --port eighty",
    f"{M} --port 80",
    f"{M} --headless",
    f"{M} --api-server-count 2",
    f"{M} -dp 2",
    f"{M} --data-parallel-size 2 --data-parallel-size-local 1",
    f"{M} --help-me",
    f"{M} -h2",
    f"{M} -x",
    f"{M} --enable-reasoning --reasoning-parser deepseek_r1",
    f"{M} --reasoning-parser deepseek_r1",
    f"{M} --disable-frontend-multiprocessing",
    f"{M} --worker-use-ray",
    f"{M} --engine-use-ray",
    f"{M} --max-context-len-to-capture 8192",
    f"{M} --image-input-type pixel_values",
    f"{M} --async-scheduling",
    f"{M} --kv-cache-memory-bytes 8G",
    f"{M} --optimization-level 3",
    f"{M} --ignore-patterns original/**",
    f"{M} --ignore-patterns a b",
    f"{M} --middleware a.b --middleware c.d",
    f"{M} --allowed-origins [\"*\"]",
    f"{M} --allowed-origins *",
]

# kubeai / production-stack / compose shaped whole lines (forms read in the shared corpus)
LINES = [
    f"{M} --max-model-len=8192 --max-num-batched-token=8192 --max-num-seqs=256 --gpu-memory-utilization=0.95 "
    "--disable-log-requests --enable-prefix-caching --enable-chunked-prefill=false --num-scheduler-steps=8",
    f"{M} --max-model-len=32768 --max-num-batched-token=32768 --max-num-seqs=512 --gpu-memory-utilization=0.9 "
    "--enable-prefix-caching --disable-log-requests",
    f"{M} --max-model-len 8192 --enable-chunked-prefill False --device cuda --gpu-memory-utilization 0.9",
    f"{M} --tensor-parallel-size 4 --max-model-len 16384 --enforce-eager --disable-log-requests --swap-space 16",
    f"{M} --dtype auto --max-num-seqs 128 --max-seq-len-to-capture 32768 --use-v2-block-manager",
    f"{M} --port 8000 --served-model-name chat --trust-remote-code --max-model-len 4096 --no-enable-prefix-caching",
    f"{M} --gpu_memory_utilization 0.95 --max_loras 4 --enable-lora --no-enable-chunked-prefill",
    f"{M} --temperature 0.95 --max-model-len 2048",
    f"{M} --gpu-memory-utilization 1.0 --max-model-len 16384",
    f"{M} --quantization none --max-model-len 4096",
    f"{M} --max-model-len 22k --limit-mm-per-prompt.image 0",
    f"{M} --kv-cache-dtype fp8 --calculate-kv-scales --max-model-len 32000",
    f"{M} --enable-auto-tool-choice --tool-call-parser llama3_json --chat-template examples/tool_chat_template_llama3.1_json.jinja",
    f"{M} --max-num-seq 32 --max-model-len 4096 --block-size 32",
    "--model org/model --port 8000 --tensor-parallel-size 2 --max-model-len 8192",
    "--model=org/model --served-model-name=m --gpu-memory-utilization=0.9",
]

# python -m vllm.entrypoints.openai.api_server
API_SERVER = [
    "--model org/model",
    "--model=org/model --port 8080",
    "org/model",
    "org/model --max-model-len 4096",
    "--model org/model --max_model_len 8192 --tensor_parallel_size 2",
    "--model org/model --max-num-seq 16",
    "--model org/model --enable-chunked-prefill=false",
    "--model org/model --enable-chunked-prefill False",
    "--model org/model --disable-log-requests",
    "--model org/model --swap-space 4 --num-scheduler-steps 8",
    "--model org/model --served-model-name m1 m2",
    "--model org/model --headless",
    "--model org/model --config c.json",
    "--model org/model --max-model-len 8k",
    "--model org/model --limit-mm-per-prompt.image 2",
    "--model org/model -O3",
    "--model org/model --temperature 0.5",
    "--model org/model --max-num 4",
    "vllm serve org/model",
    "--model org/model --use-v2-block-manager --device cuda",
]


def _corpus_flags(corpus: Path) -> list[str]:
    flags: set[str] = set()
    with open(corpus / "corpus.tsv", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            for f in (row.get("flags_seen") or "").split(","):
                f = f.strip()
                if f.startswith("--") and "(" not in f and " " not in f and len(f) > 3:
                    flags.add(f.split("=", 1)[0])
    return sorted(flags)


# A typical value for flags that take one (otherwise the flag is given bare).
VALUES = {
    "--model": M, "--port": "8000", "--host": "0.0.0.0", "--dtype": "auto", "--served-model-name": "m",
    "--tensor-parallel-size": "2", "--pipeline-parallel-size": "2", "--max-model-len": "8192",
    "--gpu-memory-utilization": "0.9", "--max-num-seqs": "64", "--max-num-batched-tokens": "8192",
    "--kv-cache-dtype": "fp8", "--quantization": "awq", "--uvicorn-log-level": "info", "--api-key": "k",
    "--distributed-executor-backend": "mp", "--max-loras": "2", "--max-lora-rank": "16", "--max-cpu-loras": "4",
    "--chat-template": "/t/c.jinja", "--tool-call-parser": "hermes", "--reasoning-parser": "deepseek_r1",
    "--block-size": "16", "--swap-space": "4", "--seed": "0", "--load-format": "auto", "--download-dir": "/data",
    "--tokenizer": "org/tok", "--revision": "main", "--max-seq-len-to-capture": "8192", "--num-scheduler-steps": "8",
    "--device": "cuda", "--data-parallel-size": "2", "--limit-mm-per-prompt": '{"image":1}',
    "--kv-transfer-config": '{"kv_connector":"PyNcclConnector","kv_role":"kv_both"}',
    "--speculative-config": '{"method":"ngram","num_speculative_tokens":3,"prompt_lookup_max":4}',
    "--compilation-config": '{"cudagraph_capture_sizes":[1,2,4]}', "--hf-overrides": '{"a":1}',
    "--mm-processor-kwargs": '{"a":1}', "--default-chat-template-kwargs": '{"enable_thinking":false}',
    "--config": "c.yaml", "--lora-modules": "a=/p/a", "--allowed-local-media-path": "/data",
    "--max-log-len": "100", "--cpu-offload-gb": "4", "--tokenizer-mode": "auto", "--task": "generate",
    "--preemption-mode": "recompute", "--guided-decoding-backend": "xgrammar", "--override-generation-config": '{"temperature":0.5}',
    "--generation-config": "auto", "--max-logprobs": "20", "--response-role": "assistant",
    "--ssl-keyfile": "/k", "--ssl-certfile": "/c", "--root-path": "/v1", "--middleware": "a.b",
    "--kv-cache-memory-bytes": "8G", "--mm-processor-cache-gb": "0", "--mm-encoder-tp-mode": "data",
    "--max-num-partial-prefills": "2", "--long-prefill-token-threshold": "1024", "--data-parallel-size-local": "1",
    "--data-parallel-address": "10.0.0.1", "--data-parallel-rpc-port": "13345", "--data-parallel-start-rank": "0",
    "--enable-eplb": None, "--eplb-config": '{"num_redundant_experts":32}', "--all2all-backend": "deepep_low_latency",
    "--rope-scaling": '{"rope_type":"dynamic","factor":2.0}', "--rope-theta": "1000000",
    "--prefix-caching-hash-algo": "sha256", "--scheduling-policy": "fcfs", "--tool-parser-plugin": "/p.py",
    "--otlp-traces-endpoint": "http://x:4317", "--collect-detailed-traces": "all",
    "--max-parallel-loading-workers": "2", "--logits-processor-pattern": "a", "--disable-log-stats": None,
    "--max-seq-len": "4096", "--max-num-seq": "16", "--max-num-batched-token": "4096", "--gpu-util": "0.9",
    "--max-len": "4096", "--is-prefill-worker": None,
}


def cases(corpus: Path | None) -> list[tuple[str, str, list[str]]]:
    out: list[tuple[str, str, list[str]]] = []
    for i, line in enumerate(SEMANTICS):
        out.append((f"sem-{i:03d}", "serve", shlex.split(line)))
    for i, line in enumerate(LINES):
        out.append((f"line-{i:03d}", "serve", shlex.split(line)))
    for i, line in enumerate(API_SERVER):
        out.append((f"api-{i:03d}", "api_server", shlex.split(line)))
    if corpus is not None and (corpus / "corpus.tsv").exists():
        for flag in _corpus_flags(corpus):
            argv = [M, flag]
            value = VALUES.get(flag, "1") if flag not in _BARE else None
            if value is not None:
                argv.append(value)
            out.append((f"corpus{flag}", "serve", argv))
    return out


# flags from the corpus that are switches in every release that has them
_BARE = {
    "--enforce-eager", "--trust-remote-code", "--enable-prefix-caching", "--no-enable-prefix-caching",
    "--enable-chunked-prefill", "--no-enable-chunked-prefill", "--disable-log-requests", "--disable-log-stats",
    "--enable-lora", "--enable-auto-tool-choice", "--disable-fastapi-docs", "--use-v2-block-manager",
    "--enable-reasoning", "--disable-custom-all-reduce", "--enable-expert-parallel", "--skip-tokenizer-init",
    "--disable-frontend-multiprocessing", "--enable-sleep-mode", "--disable-sliding-window", "--async-scheduling",
    "--enable-prompt-tokens-details", "--enable-server-load-tracking", "--enable-eplb", "--headless",
    "--enable-log-requests", "--return-tokens-as-token-ids", "--enable-request-id-headers", "--enable-force-include-usage",
    "--disable-uvicorn-access-log", "--enable-dbo", "--is-prefill-worker", "--enable-log-outputs",
    "--disable-hybrid-kv-cache-manager", "--disable-cascade-attn", "--enable-mm-embeds", "--no-enable-log-requests",
    "--data-parallel-hybrid-lb", "--data-parallel-external-lb", "--fully-sharded-loras", "--calculate-kv-scales",
}
