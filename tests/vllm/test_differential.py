"""vllm-lint's parser against verdicts recorded from the REAL vLLM parsers (tools/differential.py).

Each record in tests/data/differential/<version>.jsonl says what vLLM <version> itself did with an
argv: accepted it (with these values) or exited with this error line. parse_args must agree on all.
Errors vLLM raises after parsing (phase "validate": validate_parsed_serve_args) are outside the
parser's scope, so for them only "the parser accepted it" is required.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from vllm_lint.vllm.args import parse_args

DATA = Path(__file__).resolve().parents[1] / "data" / "differential"
RECORDS = [
    (path.stem, rec)
    for path in sorted(DATA.glob("*.jsonl"))
    for rec in map(json.loads, path.read_text().splitlines())
]

# values that only the real parser has (converted defaults, dataclass objects, bookkeeping)
_SKIP_DESTS = {"model_tag", "log_config_file", "logging_config", "config"}


# validate_parsed_serve_args errors parse_args models (as problems; ParsedArgs.error is parse-only)
_MODELLED_VALIDATE = {
    "TypeError: Error: --enable-auto-tool-choice requires --tool-call-parser",
    "TypeError: Error: --enable-log-outputs requires --enable-log-requests",
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


def test_differential_set_is_big_enough():
    versions = {v for v, _ in RECORDS}
    ids = {r["id"] for _, r in RECORDS}
    assert len(versions) >= 6 and len(ids) >= 300


# One test per release: the per-record checks take milliseconds, and a test item per record
# (thousands) would cost the suite more than the checks do. A failure lists every record that disagrees.
VERSIONS = sorted({v for v, _ in RECORDS})


@pytest.mark.parametrize("version", VERSIONS)
def test_agrees_with_vllm(version):
    records = [rec for v, rec in RECORDS if v == version]
    wrong = []
    for rec in records:
        try:
            _check(version, rec)
        except AssertionError as exc:
            wrong.append(f"{version}:{rec['id']} {rec['argv']}: {str(exc)[:500]}")
    assert not wrong, f"{len(wrong)} of {len(records)} records disagree:\n" + "\n".join(wrong[:40])


def _check(version: str, rec: dict) -> None:
    p = parse_args(rec["argv"], version=version, entrypoint=rec["entrypoint"], config_loader=_no_files)
    if rec["verdict"] == "error" and rec.get("phase") == "parse":
        assert p.error is not None, f"vLLM {version} rejects it: {rec['error']}"
        assert _norm_error(p.error) == _norm_error(rec["error"])
        return
    if rec.get("phase") == "validate" and rec["error"] in _MODELLED_VALIDATE:
        assert any(x.message == rec["error"] for x in p.problems), rec["error"]
    if rec["verdict"] == "error" and p.error is not None:
        # raised after parsing (serve's own checks, reading --config): same text or nothing
        assert _norm_error(p.error) == _norm_error(rec["error"])
        return
    assert p.error is None, f"vLLM {version} accepts it, vllm-lint says: {p.error}"
    for dest, value in p.values.items():
        if dest in _SKIP_DESTS or dest not in rec.get("values", {}):
            continue
        real = _norm_value(rec["values"][dest])
        if real is None:
            continue
        assert _norm_value(value) == real, dest
