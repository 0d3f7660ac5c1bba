"""vllm-lint's parser against verdicts recorded from the REAL vLLM parsers (tools/differential.py).

Each record in tests/data/differential/<version>.jsonl says what vLLM <version> itself did with an
argv: accepted it (with these values) or exited with this error line. parse_args must agree on all.
Errors vLLM raises after parsing (phase "validate": validate_parsed_serve_args) are outside the
parser's scope, so for them only "the parser accepted it" is required.

There is one file for every release whose parser differs from the previous release's (every
shipped flags-<version>.json), so every parser vllm-lint ships is checked against the real one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from vllm_lint.vllm.args import parse_args
from vllm_lint.vllm.releases import releases

DATA = Path(__file__).resolve().parents[1] / "data" / "differential"
TABLES = sorted({r.table for r in releases()})
RECORDED = sorted(p.stem for p in DATA.glob("*.jsonl"))

# values that only the real parser has (converted defaults, dataclass objects, bookkeeping)
_SKIP_DESTS = {"model_tag", "log_config_file", "logging_config", "config"}


# validate_parsed_serve_args errors parse_args models (as problems; ParsedArgs.error is parse-only)
_MODELLED_VALIDATE = {
    "TypeError: Error: --enable-auto-tool-choice requires --tool-call-parser",
    "TypeError: Error: --enable-log-outputs requires --enable-log-requests",
}


# Verdicts vllm-lint gets wrong, each with the reason: the converters of --compilation-config and
# --kv-transfer-config in 0.9.0-0.9.1 are lambdas over config classes that the stubbed extractor
# cannot call, so those tables record the wrong converter for them. The test fails when one of these
# starts to agree (drop it from here) or another case disagrees.
_CONVERTER_0_9_0 = {"sem-135", "sem-136", "sem-139", "sem-142", "sem-145", "corpus--kv_transfer_config"}
KNOWN_DISAGREEMENTS = {
    "0.9.0": _CONVERTER_0_9_0,
    "0.9.0.1": _CONVERTER_0_9_0,
    "0.9.1": {"sem-137", "sem-138", "sem-139", "sem-140", "sem-141", "api-015"},
}


def _no_files(path: str):
    raise FileNotFoundError(path)  # the recording machine had no --config file either


def _norm_error(text: str) -> str:
    text = re.sub(r"<function (\w+) at 0x[0-9a-f]+>", r"<function \1>", text)
    return text.splitlines()[0].strip()


def _norm_value(v):
    if isinstance(v, dict) and ("__dataclass__" in v or "__repr__" in v):
        return None
    if isinstance(v, list) and any(isinstance(x, dict) and "__dataclass__" in x for x in v):
        return None
    if isinstance(v, tuple):
        return list(v)
    return v


def disagreement(version: str, rec: dict) -> str | None:
    """Why vllm-lint's verdict on one record differs from vLLM's, None when it agrees."""
    p = parse_args(rec["argv"], version=version, entrypoint=rec["entrypoint"], config_loader=_no_files)
    if rec["verdict"] == "error" and rec.get("phase") == "parse":
        if p.error is None:
            return f"vLLM rejects it ({rec['error']}), vllm-lint accepts it"
        if _norm_error(p.error) != _norm_error(rec["error"]):
            return f"error text: vLLM {rec['error']!r}, vllm-lint {p.error!r}"
        return None
    if rec.get("phase") == "validate" and rec["error"] in _MODELLED_VALIDATE:
        if not any(x.message == rec["error"] for x in p.problems):
            return f"validate error not modelled: {rec['error']}"
    if rec["verdict"] == "error" and p.error is not None:
        # raised after parsing (serve's own checks, reading --config): same text or nothing
        return None if _norm_error(p.error) == _norm_error(rec["error"]) else f"error text: vLLM {rec['error']!r}, vllm-lint {p.error!r}"
    if p.error is not None:
        return f"vLLM accepts it, vllm-lint says: {p.error}"
    for dest, value in p.values.items():
        if dest in _SKIP_DESTS or dest not in rec.get("values", {}):
            continue
        real = _norm_value(rec["values"][dest])
        if real is not None and _norm_value(value) != real:
            return f"{dest}: vLLM {real!r}, vllm-lint {value!r}"
    return None


def test_every_shipped_table_has_verdicts():
    assert set(TABLES) <= set(RECORDED), sorted(set(TABLES) - set(RECORDED))


def test_differential_set_is_big_enough():
    ids = {json.loads(line)["id"] for line in (DATA / "0.33.0.jsonl").read_text().splitlines()}
    assert len(RECORDED) >= len(TABLES) and len(ids) >= 300


@pytest.mark.parametrize("version", RECORDED)
def test_agrees_with_vllm(version):
    records = [json.loads(line) for line in (DATA / f"{version}.jsonl").read_text().splitlines()]
    wrong, known = [], KNOWN_DISAGREEMENTS.get(version, set())
    for rec in records:
        why = disagreement(version, rec)
        if bool(why) != (rec["id"] in known):
            wrong.append(f"{rec['id']} {rec['entrypoint']} {' '.join(rec['argv'])}: {why or 'agrees now'}")
    assert wrong == [], f"{len(wrong)} of {len(records)} verdicts differ:\n" + "\n".join(wrong[:20])
