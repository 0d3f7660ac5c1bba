"""The flag bugs of ../shared/corpus/NOTES.md §4, found on the real corpus files, and the false-positive
count of VL201/VL202 over the whole corpus (corpus.tsv flags_seen).

Each row lints one corpus file through the real pipeline with only that rule selected and expects the
finding at the given line and column. The vLLM release is what the file pins (image tag) or, where it
pins none, the release the row names (as `--vllm-version`).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

import vllm_lint.rules.flags  # noqa: F401  (registers VL2xx)
from vllm_lint.resolve.context import RunOptions
from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.vllm.args import parse_args
from vllm_lint.vllm.versions import NEWEST, version_from_image

pytestmark = pytest.mark.shared

# (file under corpus/, --vllm-version or None, rule, line, column, text the message must contain)
BUGS = [
    # open-source-ai-dev's chart: `--temperature` is not a vllm serve flag -> see test_not_reported
    # call518: --gpu-memory-utilization 1.0 can never pass the startup memory check
    ("call518__vllm-workspace/run_vllm.sh", None, "VL208", 87, 5, "never start"),
    # kubeai (default image v0.8.3): argparse prefix matching
    ("substratusai__kubeai/manifests/models/deepseek-r1-distill-qwen-1.5b-rtx4070.yaml", "0.8.3", "VL203", 12, 7,
     "--max-num-batched-tokens"),
    ("substratusai__kubeai/manifests/models/gemma-2-9b-it-fp8-l4.yaml", "0.8.3", "VL203", 12, 7, "--max-num-batched-tokens"),
    ("vllm-project__production-stack/src/gateway_inference_extension/configs/vllm/gpu-deployment.yaml", None, "VL203",
     27, 14, "--max-num-seqs"),
    # kubeai: --enable-chunked-prefill=false works on 0.8.3 (StoreBoolean), fails from 0.8.5 on
    ("substratusai__kubeai/manifests/models/deepseek-r1-mi300x.yaml", "0.10.2", "VL205", 19, 7,
     "ignored explicit argument 'false'"),
    # kubeai: flags removed later (--num-scheduler-steps after 0.9, --max-seq-len-to-capture after 0.10)
    ("substratusai__kubeai/manifests/models/deepseek-r1-mi300x.yaml", "0.11.2", "VL202", 15, 7, "--num-scheduler-steps"),
    ("substratusai__kubeai/manifests/models/deepseek-r1-mi300x.yaml", "0.11.2", "VL202", 20, 7, "--max-seq-len-to-capture"),
    # Liquid4All: --device cuda and --enable-chunked-prefill "False"
    ("Liquid4All__on-prem-stack/docker-compose.yaml", "0.10.2", "VL202", 26, 9, "--device was removed"),
    ("Liquid4All__on-prem-stack/docker-compose.yaml", "0.10.2", "VL205", 28, 9, "takes no value"),
    # ... and on 0.33 `--device` is an ambiguous prefix of --device-ids / --device-memory-utilization
    ("Liquid4All__on-prem-stack/docker-compose.yaml", "0.33.0", "VL204", 26, 9, "ambiguous option: --device"),
    # tacos8me: --swap-space on an image without it
    ("tacos8me__vllm-docker-unfucked/docker-compose.yml", "0.26.0", "VL202", 97, 7, "--swap-space"),
]


def _lint(shared: Path, rel: str, version: str | None, rule: str):
    path = shared / "corpus" / rel
    res = lint_paths([path], LintOptions(run=RunOptions(vllm_version=version), select=[rule]))
    return [d for d in res.diagnostics if d.rule == rule]


@pytest.mark.parametrize("rel,version,rule,line,column,text", BUGS, ids=[f"{b[2]}-{b[0].split('/')[0]}-{b[3]}" for b in BUGS])
def test_flag_bug_found(shared_dir, rel, version, rule, line, column, text):
    found = _lint(shared_dir, rel, version, rule)
    hits = [d for d in found if (d.line, d.column) == (line, column)]
    assert hits, [(d.line, d.column, d.message[:80]) for d in found]
    assert any(text in d.message for d in hits), [d.message for d in hits]


def test_kubeai_prefix_flags_fine_on_its_release_except_warning(shared_dir):
    # on v0.8.3 the kubeai line parses: only the prefix warning, no error
    found = _lint(shared_dir, "substratusai__kubeai/manifests/models/gemma-2-9b-it-fp8-l4.yaml", "0.8.3", "VL2")
    assert {d.rule for d in found} <= {"VL203", "VL211"}


def _pinned_version(text: str) -> str:
    for m in re.finditer(r"[\w./-]*vllm[\w.-]*:[\w.${}-]+", text):
        v = version_from_image(m.group(0))
        if v:
            return v
    return NEWEST


def test_no_accepted_flag_reported_unknown(shared_dir):
    """Every `--flag` of corpus.tsv's flags_seen, parsed for the release its file pins: a flag the
    release's own parser accepts must never come back as unknown/removed. Counts what is reported."""
    corpus = shared_dir / "corpus"
    checked, reported = 0, []
    with open(corpus / "corpus.tsv", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            path = corpus / row["repo"].replace("/", "__") / row["path"]
            version = _pinned_version(path.read_text(errors="replace")) if path.exists() else NEWEST
            for flag in (row["flags_seen"] or "").split(","):
                flag = flag.strip().split("=", 1)[0]
                if not re.fullmatch(r"--[A-Za-z0-9][A-Za-z0-9_.-]*", flag):
                    continue
                checked += 1
                p = parse_args(["org/model", flag], version=version)
                codes = {x.code for x in p.problems} & {"unknown-flag", "removed-flag", "not-yet-added", "non-vllm-option"}
                if codes:
                    reported.append((flag, version, sorted(codes)[0]))
                    # the release's own table must not know it (exactly, after _ -> -, or as a unique prefix)
                    table = p.table
                    norm = flag.replace("_", "-")
                    assert table.lookup(norm) is None, (flag, version)
                    assert len(table.prefix_matches(norm)) != 1, (flag, version)
    assert checked > 400
    # what remains are real findings: removed flags on the newest release, --temperature, and
    # --disable-fastapi-docs (0.6.2+) on aibrix/vllm-openai:v0.6.1-edb07092-20250118, a patched vendor
    # build of 0.6.1 (image_evidence marks it patched: such a finding is at most a warning)
    assert {f for f, _, _ in reported} <= {
        "--max-seq-len-to-capture", "--num-scheduler-steps", "--rope-scaling", "--swap-space", "--temperature",
        "--device", "--use-v2-block-manager", "--engine-use-ray", "--disable-fastapi-docs",
    }, reported
