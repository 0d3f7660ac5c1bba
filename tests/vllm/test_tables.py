"""The shipped per-release data: every release's flag table, the release index, the option history,
their schemas, and agreement with the independently gathered knowledge file
(``../shared/knowledge``)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from vllm_lint.vllm import releases
from vllm_lint.vllm.flags import bracket, flag_table, option_history, sampled_versions
from vllm_lint.vllm.versions import KNOWN_VERSIONS, NEWEST

DATA = Path(releases.__file__).resolve().parent / "data"


def _schema(name: str) -> dict:
    schema = json.loads((DATA / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def _open_objects(schema: object) -> list[str]:
    """Paths of object schemas that leave additionalProperties open."""
    bad: list[str] = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            if (node.get("type") == "object" or "properties" in node) and node.get("additionalProperties") is None:
                bad.append(path)
            for k, v in node.items():
                walk(v, f"{path}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}/{i}")

    walk(schema, "#")
    return bad


def _schema_name(path: Path) -> str:
    return "flags" if path.name.startswith("flags-") else path.stem


DATA_FILES: dict[str, list[Path]] = {}
for _path in sorted(DATA.glob("*.json")):
    if ".schema." not in _path.name:
        DATA_FILES.setdefault(_schema_name(_path), []).append(_path)


@pytest.mark.parametrize("name", ["flags", "releases", "history", "images", "image_entrypoints"])
def test_release_data_schemas_close_every_object(name):
    """Validation itself is tests/test_data_schemas.py; here: no object of these schemas is open."""
    assert _open_objects(_schema(name)) == []
    assert DATA_FILES[name]


def test_every_json_in_data_has_a_schema():
    for name in DATA_FILES:
        assert (DATA / f"{name}.schema.json").is_file(), name
    assert {p.name.removesuffix(".schema.json") for p in DATA.glob("*.schema.json")} == set(DATA_FILES)


def test_schema_rejects_an_unknown_field():
    row = json.loads((DATA / "releases.json").read_text())
    row["releases"][0]["guess"] = True
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(_schema("releases")).validate(row)


def test_every_release_from_0_4_3_to_newest_is_indexed():
    versions = releases.release_versions()
    assert versions[0] == "0.4.3" and versions[-1] == NEWEST == "0.33.0"
    assert len(versions) == 75 and KNOWN_VERSIONS == versions == sampled_versions()
    for v in ("0.5.0.post1", "0.5.3.post1", "0.6.1.post2", "0.9.0.1", "0.10.1.1", "0.11.1", "0.15.1", "0.20.1", "0.27.1"):
        assert v in versions
    dates = [r.date for r in releases.releases()]
    assert dates == sorted(dates)  # PyPI upload order follows release order
    assert releases.release("0.11.1").date == "2025-11-19"


def test_tables_are_written_only_when_the_parser_changes():
    rows = releases.releases()
    files = {p.name for p in DATA.glob("flags-*.json")}
    assert files == {f"flags-{r.table}.json" for r in rows}
    assert all(r.table == r.version or rows[i - 1].table == r.table for i, r in enumerate(rows))
    assert 40 < len(files) < len(rows)
    assert releases.release("0.11.2").table == "0.11.1"  # same parser as 0.11.1


def test_every_release_has_its_own_parser():
    for v in KNOWN_VERSIONS:
        t = flag_table(v)
        assert t.version == v and t.requested == v and not t.uncertain
        assert t.origin.startswith("wheel:vllm-" + releases.release(v).table)
        assert len(t.flags) > 80


def test_table_files_list_one_flag_per_line():
    text = (DATA / "flags-0.33.0.json").read_text()
    table = json.loads(text)
    flag_lines = [ln for ln in text.splitlines() if ln.startswith('{"') and '"dest":' in ln]
    assert len(flag_lines) == len(table["flags"])


def test_lookup_aliases_and_negations():
    t = flag_table("0.33.0")
    spec, neg = t.lookup("-tp")
    assert spec.dest == "tensor_parallel_size" and not neg
    spec, neg = t.lookup("--disable-prefix-caching")
    assert spec.dest == "enable_prefix_caching" and neg
    spec, neg = t.lookup("--no-enable-prefix-caching")  # hidden in --help, still accepted
    assert spec.dest == "enable_prefix_caching" and neg
    assert t.lookup("--swap-space") is None
    assert flag_table("0.11.2").lookup("--swap-space")[0].dest == "swap_space"


def test_prefix_matches_in_argparse_order():
    t = flag_table("0.33.0")
    assert t.prefix_matches("--max-num-seq") == ["--max-num-seqs"]
    assert len(t.prefix_matches("--max-num")) >= 6


@pytest.mark.parametrize("option,last,removed_in", [
    ("--num-scheduler-steps", "0.10.0", "0.10.1"),
    ("--max-seq-len-to-capture", "0.10.2", "0.11.0"),
    ("--rope-scaling", "0.11.0", "0.11.1"),
    ("--swap-space", "0.17.1", "0.18.0"),
    ("--use-v2-block-manager", "0.9.2", "0.10.0"),
])
def test_removed_in_is_exact(option, last, removed_in):
    h = option_history(option)
    assert h.present[-1] == last and h.removed_by == removed_in
    assert flag_table(last).lookup(option) is not None
    assert flag_table(removed_in).lookup(option) is None


def test_option_history_runs():
    h = option_history("--disable-log-requests")
    assert "0.33.0" in h.present and "0.20.0" not in h.present and "0.16.0" in h.present
    assert h.replacement
    h = option_history("--num-scheduler-steps")
    assert h.added_after == "0.5.4" and h.present[0] == "0.5.5"
    assert option_history("--no-such-option") is None


def test_api_server_only_model_flag_in_0_9_0():
    """0.9.0 and 0.9.0.1 skip `--model` when argv holds "serve": only the api_server module has it."""
    spec, _ = flag_table("0.9.0").lookup("--model")
    assert spec.api_only
    assert "--model" not in flag_table("0.9.0").option_strings(entrypoint="serve")
    assert "--model" in flag_table("0.9.0").option_strings(entrypoint="api_server")
    assert not flag_table("0.9.1").lookup("--model")[0].api_only


def test_bracket_and_uncertain_between_releases():
    assert bracket("0.8.4") == ("0.8.4", "0.8.5")
    assert bracket("0.8.6") == ("0.8.5.post1", "0.9.0")
    assert bracket("0.4.0")[0] == "0.4.3"
    assert bracket("nightly") == (sampled_versions()[-1], None)
    t = flag_table("0.10.3")  # no such release: 0.10.2's parser plus what 0.11.0 changed
    assert t.version == "0.10.2" and t.uncertain
    assert all(t.lookup(o) is not None for o in t.uncertain)  # may exist: never "unknown"
    assert not flag_table("0.10.2").uncertain


def test_engine_defaults_follow_the_release():
    assert flag_table("0.19.1").by_dest("gpu_memory_utilization").default == 0.9
    assert flag_table("0.20.0").by_dest("gpu_memory_utilization").default == 0.92


@pytest.mark.parametrize("version,behaviour", [
    ("0.5.1", None), ("0.5.2", "ignored"), ("0.5.5", "error_unless_default"), ("0.8.2", "error_unless_default"),
    ("0.8.3", "error"), ("0.11.0", "error"), ("0.11.1", "moved"), ("0.33.0", "moved"),
])
def test_serve_model_flag_per_release(version, behaviour):
    """`vllm serve --model X`: read from each wheel's console script (exits up to 0.11.0)."""
    assert releases.release(version).serve_model_flag == behaviour


@pytest.mark.parametrize("version,fatal", [("0.8.3", True), ("0.11.0", True), ("0.11.1", False), ("0.33.0", False)])
def test_serve_model_flag_exits_until_0_11_0(version, fatal):
    from vllm_lint.vllm.args import parse_args

    p = parse_args(["--model", "org/model", "--max-model-len", "4096"], version=version)
    problems = [x for x in p.problems if x.code == "model-flag"]
    assert problems and problems[0].fatal == fatal
    assert (p.error is not None) == fatal
    if not fatal:
        assert p.model == "org/model"


def test_release_facts_read_from_the_wheels():
    first = releases.first_release_where
    assert first(lambda r: r.console_script) == "0.5.2"
    assert first(lambda r: "vllm.entrypoints.api_server" not in r.modules) == "0.25.0"
    assert first(lambda r: not r.v0_engine) == "0.11.0"
    assert first(lambda r: r.underscore_options) == "0.5.1"
    assert all("vllm.entrypoints.openai.api_server" in r.modules for r in releases.releases())


@pytest.mark.shared
def test_tables_agree_with_knowledge_history(shared_dir):
    """Every option string the knowledge file lists for a sampled release is in our table and vice
    versa (ours also holds the `vllm serve`-only options the knowledge file leaves out)."""
    hist = json.loads((shared_dir / "knowledge" / "vllm-flag-history.json").read_text())
    for v in hist["sampled_versions"]:
        t = flag_table(v)
        ours = {o for s in t.flags if not s.api_only for o in s.all_options}
        serve_only = {o for s in t.flags if s.serve_only for o in s.all_options}
        theirs = {o for o, r in hist["timeline"].items() if v in r["present_in_sampled"]}
        assert theirs - ours == set(), v
        assert ours - theirs - serve_only == set(), v
