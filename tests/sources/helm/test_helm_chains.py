"""Helm values merges stated in the configuration (``[tool.vllm-lint] values``) or with ``-f``:
helm's order (the chart's values.yaml first, then the stated files), one release linted once from
its last file, and the back-reference of the hook (naming a base or an overlay lints the merges
that read it, and a finding names the file the value came from)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from vllm_lint.cli import main
from vllm_lint.config import ConfigError, load_config_file, parse_config
from vllm_lint.sources.base import ExtractOptions
from vllm_lint.sources.helm import charts
from vllm_lint.sources.readfile import load_source

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "helm" / "chains"
CHAIN = '["chart/values.yaml", "deploy/gpu-l4.yaml", "deploy/prod.yaml"]'


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(FIX, tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo")
    return tmp_path / "repo"


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = main(["--no-color", *argv])
    return code, capsys.readouterr().out


def _json(capsys, *argv: str) -> list[dict]:
    main(["--format", "json", *argv])
    return json.loads(capsys.readouterr().out)["diagnostics"]


def _extract(repo: Path, rel: str, chains: tuple) -> tuple[list, list[str]]:
    src = load_source(repo / rel, rel, "helm-values")
    res = charts.extract(src, ExtractOptions(values_chains=chains))
    assert not res.diagnostics
    return res.launches, res.notes


def test_configuration_values_chains_are_checked(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x: 1\n")
    (tmp_path / "b.yaml").write_text("y: 1\n")
    cfg = parse_config({"values": [["a.yaml", "b.yaml"]]}, tmp_path, str(tmp_path / ".vllm-lint.toml"))
    assert cfg.values_chains() == ((tmp_path / "a.yaml", tmp_path / "b.yaml"),)
    with pytest.raises(ConfigError, match=r"for one release write values = \[\["):
        parse_config({"values": ["a.yaml", "b.yaml"]}, tmp_path, "cfg")  # flat: one chain or two releases?
    (tmp_path / ".vllm-lint.toml").write_text('gpu = "L4"\nvalues = [["a.yaml", "prd.yaml"]]\n')
    with pytest.raises(ConfigError, match=r"\.vllm-lint\.toml:2: `values`: 'prd.yaml' is not a file"):
        load_config_file(tmp_path / ".vllm-lint.toml")


def test_extend_keeps_the_chains_of_both_files_each_relative_to_its_folder(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text("x: 1\n")
    (tmp_path / "pyproject.toml").write_text('[tool.vllm-lint]\nvalues = [["base.yaml"]]\n')
    sub = tmp_path / "deploy"
    sub.mkdir()
    (sub / "prod.yaml").write_text("y: 1\n")
    (sub / ".vllm-lint.toml").write_text('extend = "../pyproject.toml"\nvalues = [["../base.yaml", "prod.yaml"]]\n')
    cfg = load_config_file(sub / ".vllm-lint.toml")
    assert cfg is not None
    assert [tuple(p.name for p in c) for c in cfg.values_chains()] == [("base.yaml",), ("base.yaml", "prod.yaml")]


def test_a_stated_merge_is_one_release_in_helms_order(repo: Path) -> None:
    chains = ((repo / "chart/values.yaml", repo / "deploy/gpu-l4.yaml", repo / "deploy/prod.yaml"),)
    (launch,) = _extract(repo, "deploy/prod.yaml", chains)[0]
    assert [t.text for t in launch.args] == ["meta-llama/Llama-3.1-8B-Instruct", "--max-model-len", "131072",
                                            "--gpu-memory-utilization", "0.95"]
    assert launch.gpu.product == "NVIDIA-L4" and launch.gpu.count == 1  # the node pool from the middle file
    max_len = launch.args[2]
    assert (max_len.span.path, max_len.span.line, max_len.span.column) == ("chart/values.yaml", 8, 16)
    assert max_len.origin == ("value: maxModelLen from chart/values.yaml:8, merged as helm -f chart/values.yaml "
                              "-f deploy/gpu-l4.yaml -f deploy/prod.yaml")
    assert launch.args[4].origin == "file"  # set in the file linted: its own line says it
    for rel in ("chart/values.yaml", "deploy/gpu-l4.yaml"):  # merged under the last file: no release alone
        launches, notes = _extract(repo, rel, chains)
        assert launches == [] and "it is linted as part of those" in notes[0]


def test_the_chart_values_yaml_goes_first_even_when_not_stated(repo: Path) -> None:
    chains = ((repo / "deploy/gpu-l4.yaml", repo / "chart/values.yaml"),)  # written in the wrong order
    (launch,) = _extract(repo, "chart/values.yaml", chains)[0]
    assert "131072" in [t.text for t in launch.args]
    chains = ((repo / "chart/values.yaml", repo / "deploy/prod.yaml"),)
    (launch,) = _extract(repo, "deploy/prod.yaml", chains)[0]
    assert launch.gpu.product is None  # gpu-l4.yaml is not in this merge


def test_naming_the_base_lints_the_merge_that_reads_it(repo: Path, capsys) -> None:
    (repo / ".vllm-lint.toml").write_text(f"values = [{CHAIN}]\n")
    code, out = _run(capsys, "chart/values.yaml")  # pre-commit passes only the changed base
    assert code == 1
    assert out.startswith("chart/values.yaml:8:16: VL101 error (kv-cache-capacity) maxModelLen: 131072 does not fit")
    assert ("(maxModelLen from chart/values.yaml:8, merged as helm -f chart/values.yaml -f deploy/gpu-l4.yaml "
            "-f deploy/prod.yaml)") in out
    assert "  8 |   maxModelLen: 131072" in out  # the line of a file read as context is shown too
    diags = _json(capsys, "deploy/gpu-l4.yaml")  # or only the middle overlay
    assert [(d["rule"], d["path"], d["line"]) for d in diags] == [("VL101", "chart/values.yaml", 8)]


def test_folder_mode_lints_each_release_once(repo: Path, capsys) -> None:
    (repo / ".vllm-lint.toml").write_text(f"values = [{CHAIN}]\n")
    code, out = _run(capsys, "-v", ".")
    assert out.count("VL101") == 1  # the merge, not the base alone as well
    assert "deploy/gpu-l4.yaml: 0 vLLM launches: gpu-l4.yaml is merged under other values files" in out
    main(["launches", "--format", "json", "."])
    (launch,) = json.loads(capsys.readouterr().out)["launches"]
    assert launch["path"] == "deploy/prod.yaml"


def test_values_on_the_command_line_win_over_the_configuration(repo: Path, capsys) -> None:
    (repo / ".vllm-lint.toml").write_text(f"values = [{CHAIN}]\n")
    diags = _json(capsys, "-f", "chart/values.yaml", "-f", "deploy/prod.yaml", "chart/values.yaml")
    # the stated merge has no L4: no GPU to check against (VL105, on the release file), and no
    # finding of the configuration's merge
    assert [(d["rule"], d["path"]) for d in diags] == [("VL105", "deploy/prod.yaml")]


def test_without_a_stated_merge_a_named_chart_values_yaml_lints_its_overlays(tmp_path: Path, capsys,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    chart = tmp_path / "chart"
    shutil.copytree(FIX / "chart", chart)
    shutil.copy(FIX / "deploy" / "gpu-l4.yaml", chart / "values-l4.yaml")
    monkeypatch.chdir(tmp_path)
    diags = _json(capsys, "chart/values.yaml")
    assert [(d["rule"], d["path"], d["line"]) for d in diags] == [("VL105", "chart/values.yaml", 1),
                                                                  ("VL101", "chart/values.yaml", 8)]
    assert diags[1]["message"].endswith("(maxModelLen from chart/values.yaml:8, merged as helm -f chart/values.yaml "
                                        "-f chart/values-l4.yaml)")


def test_a_kustomize_patch_names_the_base_a_word_came_from(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parents[2] / "fixtures" / "k8s" / "kustomize")
    main(["launches", "--format", "json", "overlay/patch.yaml"])
    (launch,) = json.loads(capsys.readouterr().out)["launches"]
    assert [(t["text"], t["origin"]) for t in launch["program"]] == [
        (word, "value: from base/deployment.yaml:14, the kustomize base that overlay/patch.yaml patches")
        for word in ("vllm", "serve")]
    assert [t["origin"] for t in launch["argv"]] == ["file", "file"]  # the patch's own args
