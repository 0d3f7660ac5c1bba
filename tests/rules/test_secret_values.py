"""The credential-value classifier, row by row, and VL501/VL509 on minimal fixtures of the forms
real files use (each form that looks like a secret and is not has one here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.rules import secret_values

# value -> (kind, the RULES row's reason or the token format's name)
CASES = [
    ("", secret_values.EMPTY, "nothing written"),
    ('""', secret_values.EMPTY, "nothing written"),
    ("null", secret_values.EMPTY, "a word for no value"),
    ("${LLM_API_KEY:?LLM_API_KEY is required - set it in .env}", secret_values.REFERENCE, "variable reference"),
    ("$VAR", secret_values.REFERENCE, "variable reference"),
    ("${VAR}", secret_values.REFERENCE, "variable reference"),
    ("$(cat /run/secrets/hf_token)", secret_values.REFERENCE, "variable reference"),
    ("$(VLLM_API_KEY)", secret_values.REFERENCE, "variable reference"),  # Kubernetes dependent variable
    ("${HF_TOKEN:-}", secret_values.REFERENCE, "variable reference"),
    ("{{ .Values.hfToken }}", secret_values.REFERENCE, "template expression"),
    ("%HF_TOKEN%", secret_values.REFERENCE, "batch variable reference"),  # run.bat: `-e HF_TOKEN=%HF_TOKEN%`
    ("!HF_TOKEN!", secret_values.REFERENCE, "batch variable reference"),  # delayed expansion
    ("${{ secrets.HF_TOKEN }}", secret_values.REFERENCE, "variable reference"),
    ("{% raw %}x{% endraw %}", secret_values.REFERENCE, "template expression"),
    ("vault:secret/data/vllm#token", secret_values.REFERENCE, "secret-store reference"),
    ("op://infra/hf/token", secret_values.REFERENCE, "secret-store reference"),
    ("/run/secrets/hf_token", secret_values.REFERENCE, "a path"),
    ("REDACTED", secret_values.REDACTED, "redaction marker"),
    ("REDACTED_HF_TOKEN", secret_values.REDACTED, "redaction marker"),
    ("hf_REDACTED", secret_values.REDACTED, "redaction marker"),
    ("sk-REDACTED", secret_values.REDACTED, "redaction marker"),
    ("********", secret_values.REDACTED, "masked value"),
    ("[hidden]", secret_values.REDACTED, "masked value"),
    ("<hf_token>", secret_values.PLACEHOLDER, "angle-bracket"),
    ("<your-token>", secret_values.PLACEHOLDER, "angle-bracket"),
    ("<YOUR HF TOKEN>", secret_values.PLACEHOLDER, "angle-bracket"),
    ("your-token-here", secret_values.PLACEHOLDER, "'your token'"),
    ("YOUR_HF_TOKEN", secret_values.PLACEHOLDER, "'your token'"),
    ("YOUR_APIKEY", secret_values.PLACEHOLDER, "'your token'"),
    ("hf_your_token", secret_values.PLACEHOLDER, "'your token'"),
    ("changeme", secret_values.PLACEHOLDER, "'change me'"),
    ("UNSET", secret_values.PLACEHOLDER, "no value was set"),
    ("REPLACE_ME", secret_values.PLACEHOLDER, "'change me'"),
    ("token-goes-here", secret_values.PLACEHOLDER, "'token here'"),
    ("TODO", secret_values.PLACEHOLDER, "'token here'"),
    ("xxxx", secret_values.PLACEHOLDER, "xxxx"),
    ("hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", secret_values.PLACEHOLDER, "xxxx"),
    ("sk-xxxxxxxxxxxxxxxxxxxxxxxx", secret_values.PLACEHOLDER, "xxxx"),
    ("sk-...", secret_values.PLACEHOLDER, "xxxx"),
    ("hf_…", secret_values.PLACEHOLDER, "xxxx"),
    ("EMPTY", secret_values.TEST, "vLLM's own documentation"),
    ("token-abc123", secret_values.TEST, "vLLM's own documentation"),
    ("sk-EMPTY", secret_values.TEST, "vLLM's own documentation"),
    ("test", secret_values.TEST, "well-known test value"),
    ("dummy", secret_values.TEST, "well-known test value"),
    ("local", secret_values.TEST, "well-known test value"),
    ("not-needed", secret_values.TEST, "well-known test value"),
    ("sk-12341234abcd", secret_values.TEST, "counting test key"),
    ("test_api_key", secret_values.TEST, "named as a test one"),
    ("my-secret-key", secret_values.TEST, "named as a test one"),
    ("vllm-dummy", secret_values.TEST, "named as a test one"),
    ("super-secret-key", secret_values.TEST, "only says it is a secret"),
    ('os.getenv("HUGGING_FACE_HUB_TOKEN")', secret_values.REFERENCE, "reads the value at run time"),
    ("os.environ['HF_TOKEN']", secret_values.REFERENCE, "reads the value at run time"),
    ("api_token", secret_values.TEST, "only says it is a secret"),
    ("hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567", secret_values.SECRET, "Hugging Face token"),
    ("${HF_TOKEN:-hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567}", secret_values.SECRET, "Hugging Face token"),
    ("sk-proj-Zq8xT4mN2pL9vR6wK3yB7cF1", secret_values.SECRET, "OpenAI-style API key"),
    ("ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5", secret_values.SECRET, "GitHub token"),
    ("AKIAIOSFODNN7EXAMPLE", secret_values.SECRET, "AWS access key id"),
    ("xoxb-1234567890-abcdefghijKLMNOP", secret_values.SECRET, "Slack token"),
    ("u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0Rl", secret_values.SECRET, "random-looking"),
    ("5f4dcc3b5aa765d61d8327deb882cf99", secret_values.SECRET, "random-looking"),
    ("set it in the dashboard", secret_values.EMPTY, "prose"),
    ("hoailb-vllm", secret_values.HAND_WRITTEN, "hand-written"),
    ("sk-spark-llm", secret_values.HAND_WRITTEN, "hand-written"),
    ("s3cr3t-key-2024", secret_values.HAND_WRITTEN, "hand-written"),
    ("my-company-key-2024", secret_values.TEST, "named as a test one"),
    ("prod-key-7f3a9c", secret_values.HAND_WRITTEN, "hand-written"),
]


@pytest.mark.parametrize("value,kind,reason", CASES, ids=[c[0] or "<empty>" for c in CASES])
def test_classify(value, kind, reason):
    verdict = secret_values.classify(value)
    assert (verdict.kind, reason in verdict.label) == (kind, True), verdict


def test_every_row_of_the_table_is_tested():
    labels = {secret_values.classify(v).reason for v, _, _ in CASES} | {secret_values.classify(v).label for v, _, _ in CASES}
    for _, _, reason in secret_values.RULES:
        assert reason in labels, f"no case in CASES reaches the row {reason!r}"
    for name, _ in secret_values.TOKEN_FORMATS:
        assert name in labels, f"no case in CASES has the token format {name!r}"


def test_looks_random_needs_length_and_a_mixed_run():
    assert secret_values.looks_random("Zq8xT4mN2pL9vR6wK3yB")
    assert not secret_values.looks_random("Zq8xT4mN2pL9")  # too short
    assert not secret_values.looks_random("my-company-api-key-for-2024")  # words
    assert not secret_values.looks_random("aaaaaaaaaaaaaaaa1111")  # one character repeated


# -- VL501 / VL509 on the forms of real files -------------------------------------------------------


def _lint(tmp_path: Path, name: str, text: str, *rules: str):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    res = lint_paths([path], LintOptions(select=list(rules or ["VL501", "VL509"])))
    assert not [d for d in res.diagnostics if d.rule == "VL000"], res.diagnostics
    return [(d.rule, d.severity.value, d.line) for d in res.diagnostics]


def test_shell_required_variable_check_is_not_a_secret(tmp_path):
    """SkyPilot `run:` scripts fail fast with `: "${LLM_API_KEY:?... is required}"`: no value."""
    text = ("#!/bin/bash\n: \"${LLM_API_KEY:?LLM_API_KEY is required - set it in .env}\"\n"
            "export HF_TOKEN=$(cat /run/secrets/hf_token)\n"
            "vllm serve Qwen/Qwen2.5-0.5B-Instruct --api-key \"$LLM_API_KEY\"\n")
    assert _lint(tmp_path, "serve.sh", text) == []


def test_redacted_values_are_not_secrets(tmp_path):
    """production-stack values with `hf_token: "REDACTED_HF_TOKEN"` and the same in an env list."""
    values = ("servingEngineSpec:\n  modelSpec:\n    - name: m\n      repository: vllm/vllm-openai\n"
              "      tag: v0.10.2\n      modelURL: Qwen/Qwen2.5-0.5B-Instruct\n      requestGPU: 1\n"
              "      hf_token: \"REDACTED_HF_TOKEN\"\n      env:\n        - name: HUGGING_FACE_HUB_TOKEN\n"
              "          value: \"REDACTED_HF_TOKEN\"\n")
    assert _lint(tmp_path, "values.yaml", values) == []
    docker = "FROM vllm/vllm-openai:v0.10.2\nENV HUGGING_FACE_HUB_TOKEN=hf_REDACTED\nCMD [\"--model\", \"Qwen/Qwen2.5-0.5B\"]\n"
    assert _lint(tmp_path, "Dockerfile", docker) == []
    k8s = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: v\n"
           "      image: vllm/vllm-openai:v0.11.2\n      args: [--model, Qwen/Qwen2.5-0.5B-Instruct, --api-key, sk-REDACTED]\n")
    assert _lint(tmp_path, "pod.yaml", k8s) == []


def test_kubernetes_and_compose_references_are_not_secrets(tmp_path):
    k8s = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: v\n"
           "      image: vllm/vllm-openai:v0.11.2\n"
           "      args: [--model, Qwen/Qwen2.5-0.5B-Instruct, --api-key, $(VLLM_API_KEY)]\n"
           "      env:\n        - name: HF_TOKEN\n          value: \"{{ .Values.hfToken }}\"\n")
    assert _lint(tmp_path, "pod.yaml", k8s) == []
    compose = ("services:\n  vllm:\n    image: vllm/vllm-openai:v0.10.2\n"
               "    command: [\"--model\", \"Qwen/Qwen2.5-0.5B-Instruct\", \"--api-key\", \"${VLLM_API_KEY}\"]\n"
               "    environment:\n      - HF_TOKEN=${HF_TOKEN}\n      - OPENAI_API_KEY=EMPTY\n")
    assert _lint(tmp_path, "docker-compose.yml", compose) == []


def test_test_values_guarding_the_server_are_warnings(tmp_path):
    """`--api-key "test_api_key"` in a run script, `my-secret-key` in a k8s command list."""
    assert _lint(tmp_path, "serve.sh", "#!/bin/sh\nvllm serve Qwen/Qwen2.5-0.5B-Instruct --api-key \"test_api_key\"\n") \
        == [("VL501", "warning", 2)]
    k8s = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: v\n"
           "      image: vllm/vllm-openai:v0.11.2\n"
           "      command: [\"vllm\", \"serve\", \"/models/m\", \"--api-key\", \"my-secret-key\"]\n")
    assert _lint(tmp_path, "pod.yaml", k8s) == [("VL501", "warning", 8)]
    # the same values where they guard nothing (a client key for the benchmark) are not reported
    env = "#!/bin/sh\nexport OPENAI_API_KEY=dummy\nvllm serve Qwen/Qwen2.5-0.5B-Instruct\n"
    assert _lint(tmp_path, "client.sh", env) == []


def test_the_servers_own_key_is_an_error_whether_typed_or_generated(tmp_path):
    """vLLM accepts any string as --api-key: `sk-spark-llm` (typed) is the key the server accepts
    as surely as a generated one."""
    text = ("#!/bin/sh\nvllm serve Qwen/Qwen2.5-0.5B-Instruct --api-key \"sk-spark-llm\"\n"
            "vllm serve Qwen/Qwen2.5-0.5B-Instruct --port 8001 \\\n"
            "  --api-key u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0Rl\n")
    assert _lint(tmp_path, "serve.sh", text) == [("VL501", "error", 2), ("VL501", "error", 4)]


def test_a_typed_provider_token_is_a_warning(tmp_path):
    """An HF token has the hf_ format: `HF_TOKEN=mytoken` cannot be a working one."""
    text = "#!/bin/sh\nexport HF_TOKEN=mytoken42\nvllm serve meta-llama/Llama-3.1-8B-Instruct\n"
    assert _lint(tmp_path, "serve.sh", text) == [("VL501", "warning", 2)]


def test_placeholders_are_vl509_and_never_vl501(tmp_path):
    values = ("servingEngineSpec:\n  modelSpec:\n    - name: m\n      repository: vllm/vllm-openai\n"
              "      tag: v0.10.2\n      modelURL: meta-llama/Llama-3.1-8B-Instruct\n      requestGPU: 1\n"
              "      hf_token: <YOUR HF TOKEN>\n")
    path = tmp_path / "values.yaml"
    path.write_text(values, encoding="utf-8")
    found = lint_paths([path], LintOptions(select=["VL501", "VL509"])).diagnostics
    assert [(d.rule, d.severity.value, d.line) for d in found] == [("VL509", "warning", 8)]
    assert "'<YOUR HF TOKEN>'" in found[0].message and "401" in found[0].message
    compose = ("services:\n  vllm:\n    image: vllm/vllm-openai:v0.10.2\n"
               "    command: [\"--model=x/y\", \"--api-key=${VLLM_API_KEY:-your-vllm-api-key}\"]\n")
    path = tmp_path / "docker-compose.yml"
    path.write_text(compose, encoding="utf-8")
    (d,) = lint_paths([path], LintOptions(select=["VL501", "VL509"])).diagnostics
    assert d.rule == "VL509" and "unless VLLM_API_KEY is set" in d.message and "clients must send" in d.message


def test_placeholders_in_comments_and_example_files_are_the_intended_form(tmp_path):
    compose = ("services:\n  vllm:\n    image: vllm/vllm-openai:v0.10.2\n"
               "    command: [\"--model\", \"x/y\"]\n    environment:\n"
               "      # HF_TOKEN: <your-hf-token>\n      HF_TOKEN: ${HF_TOKEN}\n")
    assert _lint(tmp_path, "docker-compose.yml", compose) == []
    example = "#!/bin/sh\nexport HF_TOKEN=\"<your-hf-token>\"\nvllm serve meta-llama/Llama-3.1-8B-Instruct\n"
    assert _lint(tmp_path, "serve.example.sh", example) == []
    assert _lint(tmp_path, "serve.sh", example) == [("VL509", "warning", 2)]


def test_a_real_token_is_an_error_even_in_a_comment_or_example_file(tmp_path):
    text = ("#!/bin/sh\n# export HF_TOKEN=hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567\n"
            "vllm serve meta-llama/Llama-3.1-8B-Instruct\n")
    assert _lint(tmp_path, "serve.example.sh", text) == [("VL501", "error", 2)]


def test_template_compose_with_your_placeholders(tmp_path):
    """A compose template with `HUGGING_FACE_HUB_TOKEN=YOUR_TOKEN` and a block-scalar command
    holding `--api-key YOUR_APIKEY`; and `--api_key "EMPTY"` after a docker run image."""
    compose = ("services:\n  vllm:\n    image: vllm/vllm-openai:v0.10.2\n    environment:\n"
               "      - HUGGING_FACE_HUB_TOKEN=YOUR_TOKEN\n    command: |\n"
               "      --model Qwen/Qwen2.5-0.5B-Instruct\n      --api-key YOUR_APIKEY\n")
    assert _lint(tmp_path, "docker-compose.yml", compose) == [("VL509", "warning", 5), ("VL509", "warning", 8)]
    run = ("#!/bin/sh\ndocker run --gpus all vllm/vllm-openai:v0.10.2 --model Qwen/Qwen2.5-0.5B-Instruct "
           "--api_key \"EMPTY\"\n")
    assert _lint(tmp_path, "run.sh", run) == [("VL501", "warning", 2)]
