#!/usr/bin/env python3
"""Read each vLLM release's own argument parser out of its PyPI wheel and write vllm-lint's flag table.

For every requested release:
  1. ``pip download vllm==X --no-deps`` into a cache directory (wheels are 130-500 MB);
  2. unzip only ``vllm/**/*.py`` (nothing of vLLM is copied into this repository);
  3. in a throwaway venv holding only pydantic/pyyaml/typing_extensions/packaging, with heavy and
     GPU-only imports stubbed (tools/vllm_stub.py), build the ``vllm serve`` parser exactly as the
     ``vllm`` console script does, and the ``python -m vllm.entrypoints.openai.api_server`` one, and
     dump every argparse action (tools/vllm_inner.py);
  4. convert the dump into a flag table, read the release's other facts (console script, server
     modules, V0 engine, what `vllm serve --model X` does) and write both to
     ``<cache>/tables/<X>.json``; ``tools/build_flag_tables.py`` turns those into the shipped data.

The wheel is deleted once its .py files are unzipped; dumps and probe verdicts are cached, so a
second run only converts (``--redump`` reruns vLLM's parsers).

Usage:
  python tools/extract_flags.py 0.8.5.post1 0.10.2 ...   [--cache /tmp/vllm-wheels] [--venv /tmp/vx-venv]
  python tools/extract_flags.py --all                      (every release in data/releases.json)

The venv is created when missing (python3.11 -m venv; pip install pydantic pyyaml typing_extensions packaging).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools"
sys.path.insert(0, str(ROOT / "src"))


def ensure_venv(venv: Path) -> Path:
    py = venv / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "pydantic", "pyyaml", "typing_extensions", "packaging"], check=True)
    return py


def ensure_sources(version: str, cache: Path, keep_wheel: bool = False) -> Path:
    """The unzipped .py files of vLLM ``version`` (downloaded once)."""
    src = cache / "src" / version
    if (src / "vllm").is_dir():
        return src
    wheels = list(cache.glob(f"vllm-{version}-*.whl"))
    if not wheels:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", f"vllm=={version}", "--no-deps", "-d", str(cache), "-q"],
            check=True,
        )
        wheels = list(cache.glob(f"vllm-{version}-*.whl"))
    src.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheels[0]) as zf:
        for name in zf.namelist():
            if name.startswith("vllm/") and name.endswith((".py", ".json")):
                zf.extract(name, src)
            elif name.endswith(".dist-info/entry_points.txt"):
                (src / "entry_points.txt").write_bytes(zf.read(name))
    if not keep_wheel:  # 130-500 MB each: only the unzipped sources are kept
        wheels[0].unlink()
    return src


def run_inner(py: Path, src: Path, args: list[str], stdin: str | None = None, timeout: int = 600) -> str:
    env = {"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin", "HOME": "/tmp", "VLLM_CONFIGURE_LOGGING": "0"}
    proc = subprocess.run(
        [str(py), str(TOOLS / "vllm_inner.py"), *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=timeout,
    )
    if proc.returncode != 0 and not proc.stdout:
        raise RuntimeError(f"vllm_inner {args} failed:\n{proc.stderr[-3000:]}")
    return proc.stdout


# ---------------------------------------------------------------------------------------------
# dump -> table


def _kind(action: dict) -> str | None:
    mro = action["action_mro"]
    if "_HelpAction" in mro or "_VersionAction" in mro or "_SubParsersAction" in mro:
        return None
    if "BooleanOptionalAction" in mro:
        return "bool_opt"
    if "_StoreTrueAction" in mro:
        return "store_true"
    if "_StoreFalseAction" in mro:
        return "store_false"
    if "_StoreConstAction" in mro:
        return "store_const"
    if "StoreBoolean" in mro:
        return "store_boolean"
    if "_AppendAction" in mro:
        return "append"
    if action["nargs"] == 0:
        return "store_true"
    return "value"


_PROBE_ORDER = ("{bad}", "{bad", "8k", "auto", "1.5", "true", '{"a": 1}', "8", "None", "-1")


def error_templates(action: dict) -> dict | None:
    """Per input shape ("json": looks like {...}, "plain": anything else), the ArgumentTypeError
    text of the type function, when the two differ (0.8-0.9 json_or_kvs)."""
    probes = (action.get("type") or {}).get("probes", {})
    out = {}
    for shape, probe in (("json", "{bad}"), ("plain", "8k")):
        res = probes.get(probe)
        if res and res[0] == "ate":
            msg = re.sub(r" at 0x[0-9a-f]+>", ">", res[1].splitlines()[0]).replace("{", "{{").replace("}", "}}")
            esc = probe.replace("{", "{{").replace("}", "}}")
            out[shape] = msg.replace(repr(esc), "{value!r}") if repr(esc) in msg else msg.replace(esc, "{value}")
    return out if len(set(out.values())) > 1 else None


def error_template(action: dict) -> str | None:
    """The message argparse prints after 'argument X: ' when the type function raises
    ArgumentTypeError, with the offending value as a {value} / {value!r} placeholder."""
    probes = (action.get("type") or {}).get("probes", {})
    for probe in _PROBE_ORDER:
        res = probes.get(probe)
        if res and res[0] == "ate":
            msg = re.sub(r" at 0x[0-9a-f]+>", ">", res[1].splitlines()[0])
            msg = msg.replace("{", "{{").replace("}", "}}")
            if repr(probe) in msg:
                return msg.replace(repr(probe), "{value!r}")
            if probe in msg:
                return msg.replace(probe.replace("{", "{{").replace("}", "}}"), "{value}")
            return msg
    return None


def _type(action: dict) -> tuple[str, str | None]:
    """(converter name for vllm_lint.vllm.convert, argparse's type __name__)."""
    info = action.get("type")
    if info is None:
        return "str", None
    name = info["name"]
    probes = info.get("probes", {})
    optional = probes.get("None", ["err"])[0] == "ok" and probes["None"][1] is None
    base = name
    if name in ("_optional_type", "optional_type") and info.get("inner"):
        base = info["inner"][0]
    if base == "_parse_type":
        base = "parse_loads"
    if name == "_parse_type" and info.get("inner"):
        base = "parse_" + info["inner"][0]
    mapping = {
        "int": "int", "float": "float", "str": "str", "bool": "pybool",
        "human_readable_int": "hr_int", "human_readable_int_or_auto": "hr_int_auto",
        "loads": "json", "parse_loads": "json_parse", "union_dict_and_str": "json_or_str",
        "nullable_str": "str", "nullable_kvs": "kvs", "from_cli": "json_obj", "from_json": "json_obj",
        "parse_dataclass": "json_dataclass", "parse_reasoning_parser": "str",
    }
    conv = mapping.get(base)
    if conv is None and probes.get("8") == ["ok", [8]]:
        conv = "csv_int_or_str"  # --device-ids 0,1: comma list, digits as ints
    if conv is None:
        # unknown helper (lambda, custom class): decide from how it treated the probes
        ok = {k for k, v in probes.items() if v[0] == "ok"}
        if {"8", "8k", "1.5", "auto"} <= ok:
            conv = "str_lower" if probes.get("auto", [0, ""])[1] == "auto" and name == "<lambda>" else "str"
        elif "8" in ok and "1.5" in ok:
            conv = "float"
        elif "8" in ok:
            conv = "int"
        else:
            conv = "str"
    msgs = [v[1] for v in probes.values() if v[0] == "ate"]
    if any("KEY=VALUE" in m for m in msgs) and probes.get('{"a": 1}', ["err"])[0] == "ok":
        conv = "json_or_kvs"  # 0.8-0.9 limit_mm_per_prompt & co: JSON object, or key=value,key=value
    if name == "from_cli" and action["dest"] == "compilation_config":
        conv = "json_or_level"  # 0.6-0.8 CompilationConfig.from_cli: '0'-'3' or a Python literal
    return conv + ("?" if optional and not conv.endswith("?") else ""), name


_INVERSE = {"--enable-": "--disable-", "--disable-": "--enable-"}


def convert_dump(serve: dict, api: dict | None, version: str) -> dict:
    api_dests = {a["dest"] for a in api["actions"]} if api else None
    serve_dests = {a["dest"] for a in serve["actions"]}
    records = []
    positional = None
    # options only the api_server parser defines (0.9.0: `--model` is skipped when argv has "serve")
    api_only = [a for a in api["actions"] if a["option_strings"] and a["dest"] not in serve_dests] if api else []
    for a in serve["actions"] + api_only:
        if not a["option_strings"]:
            if a["dest"] == "model_tag":
                positional = {"nargs": a["nargs"], "required": a["required"]}
            continue
        kind = _kind(a)
        if kind is None:
            continue
        opts = a["registered"] or a["option_strings"]
        visible = a["option_strings"]
        negative = set(a.get("negative_option_strings") or ())
        if kind == "bool_opt" and not negative:
            negative = {o for o in opts if o.startswith("--no-")}
        positives = [o for o in opts if o not in negative]
        negs = [o for o in visible if o in negative]
        hidden = [o for o in opts if o in negative and o not in visible]
        conv, type_name = _type(a) if kind in ("value", "append") else ("bool", None)
        help_text = (a.get("help") or "").lower()
        rec = {
            "dest": a["dest"],
            "opts": positives,
            "neg": negs,
            "hneg": hidden,
            "kind": kind,
            "type": conv,
            "nargs": a["nargs"] if kind in ("value", "append", "store_boolean") else None,
            "const": a["const"],
            "choices": a["choices"],
            "default": a["default"],
            "dep": bool(a.get("deprecated")) or "deprecated" in help_text[:200],
            "order": visible,
        }
        if type_name and type_name not in ("str", "int", "float"):
            rec["type_name"] = type_name
        tmpl = error_template(a) if kind in ("value", "append") else None
        if tmpl:
            rec["err"] = tmpl
        shaped = error_templates(a) if kind in ("value", "append") else None
        if shaped:
            rec["err_shapes"] = shaped
        if api_dests is not None and a["dest"] not in api_dests:
            rec["serve_only"] = True
        if a in api_only:
            rec["api_only"] = True
        records.append(rec)
    return {
        "version": version,
        "origin": f"wheel:vllm-{version} (tools/extract_flags.py)",
        "prog": serve["prog"],
        "positional": positional,
        "registry": serve.get("registry"),
        "post_choices": serve.get("post_choices") or {},
        "flags": records,
    }


def _dump(version: str, entry: str, cache: Path, src: Path, py: Path, redump: bool) -> dict | None:
    """The argparse dump of one entry point, cached in ``cache/dumps`` (rerun with --redump)."""
    path = cache / "dumps" / f"{version}-{entry}.json"
    if path.exists() and not redump:
        return json.loads(path.read_text())
    try:
        dump = json.loads(run_inner(py, src, ["dump", version, entry]))
    except RuntimeError as e:
        if entry == "api_server":
            raise
        print(f"  {entry} parser of {version} unavailable: {str(e).splitlines()[-1]}", file=sys.stderr)
        return None
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(dump))
    return dump


def extract(version: str, cache: Path, py: Path, redump: bool = False) -> dict:
    src = ensure_sources(version, cache)
    serve = _dump(version, "serve", cache, src, py, redump)
    api = _dump(version, "api_server", cache, src, py, redump)
    if serve is None:  # no `vllm` console script (< 0.5.2)
        table = convert_dump(api, None, version)
        table["prog"] = None
        return table
    return convert_dump(serve, api, version)


# ---------------------------------------------------------------------------------------------
# per-release behaviour that argparse does not show

_MODULES = {
    "vllm.entrypoints.api_server": "vllm/entrypoints/api_server.py",
    "vllm.entrypoints.openai.api_server": "vllm/entrypoints/openai/api_server.py",
}
V0_RUNNER = "vllm/worker/model_runner.py"  # V0's GPU model runner: deleted with the V0 engine


def _probe(version: str, entry: str, cases: list[tuple[str, list[str]]], src: Path, py: Path, cache: Path,
           redump: bool) -> dict[str, dict]:
    """Verdicts of the release's real parser on a few argv (cached in ``cache/probes``)."""
    path = cache / "probes" / f"{version}-{entry}.jsonl"
    if not path.exists() or redump:
        stdin = "".join(json.dumps({"id": cid, "argv": argv}) + "\n" for cid, argv in cases)
        path.parent.mkdir(exist_ok=True)
        path.write_text(run_inner(py, src, ["run", version, entry], stdin=stdin))
    return {r["id"]: r for r in map(json.loads, path.read_text().splitlines())}


def _model_flag_behaviour(version: str, table: dict, src: Path, py: Path, cache: Path, redump: bool) -> str | None:
    """What `vllm serve` does with `--model X`, from the real console script on three argv:
    "moved" (accepted, moved to the positional slot with a warning), "ignored" (the positional model
    silently wins), "error" (ValueError whenever --model is given), "error_unless_default"
    (ValueError unless X is the parser's default model)."""
    if table.get("prog") is None:
        return None
    default = next((r["default"] for r in table["flags"] if r["dest"] == "model"), None)
    res = _probe(version, "serve", [("alone", ["--model", "org/model"]), ("both", ["org/model", "--model", "org/model"]),
                                    ("default", ["org/model", "--model", str(default)])], src, py, cache, redump)
    if res["alone"]["verdict"] == "ok":
        return "moved"
    if res["both"]["verdict"] == "ok":
        return "ignored"
    if res["both"]["verdict"] == "error" and "--model" in res["both"].get("error", ""):
        return "error_unless_default" if res["default"]["verdict"] == "ok" else "error"
    raise RuntimeError(f"{version}: unexpected --model probe verdicts {res}")


def _underscore_options(version: str, src: Path, py: Path, cache: Path, redump: bool) -> bool:
    """Whether the parser reads ``--max_model_len`` as ``--max-model-len`` (FlexibleArgumentParser)."""
    res = _probe(version, "api_server", [("underscore", ["--max_model_len", "8"])], src, py, cache, redump)
    return res["underscore"]["verdict"] == "ok"


def release_facts(version: str, table: dict, cache: Path, py: Path, redump: bool = False) -> dict:
    """Facts of one release read from its wheel: console script, server modules, V0 engine, and
    how `vllm serve` treats `--model`."""
    src = ensure_sources(version, cache)
    scripts = (src / "entry_points.txt").read_text() if (src / "entry_points.txt").exists() else ""
    envs = (src / "vllm" / "envs.py").read_text() if (src / "vllm" / "envs.py").exists() else ""
    return {
        "console_script": bool(re.search(r"^vllm\s*=", scripts, re.M)),
        "modules": sorted(m for m, f in _MODULES.items() if (src / f).exists()),
        "v0_engine": (src / V0_RUNNER).exists(),
        "use_v1_env": '"VLLM_USE_V1"' in envs,
        "underscore_options": _underscore_options(version, src, py, cache, redump),
        "serve_model_flag": _model_flag_behaviour(version, table, src, py, cache, redump),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("versions", nargs="*")
    ap.add_argument("--all", action="store_true", help="every release of data/releases.json")
    ap.add_argument("--cache", default="/tmp/vllm-wheels")
    ap.add_argument("--venv", default="/tmp/vx-venv")
    ap.add_argument("--redump", action="store_true", help="rerun vLLM's parsers even when a dump is cached")
    ns = ap.parse_args()
    if ns.all:
        from vllm_lint.vllm.releases import release_versions

        versions = list(release_versions())
    else:
        versions = ns.versions
    cache = Path(ns.cache)
    (cache / "tables").mkdir(parents=True, exist_ok=True)
    py = ensure_venv(Path(ns.venv))
    failed = []
    for v in versions:
        print(f"vllm {v} ...", file=sys.stderr)
        try:
            table = extract(v, cache, py, ns.redump)
            facts = release_facts(v, table, cache, py, ns.redump)
        except Exception as e:  # noqa: BLE001
            print(f"  FAILED: {e}", file=sys.stderr)
            failed.append(v)
            continue
        out = cache / "tables" / f"{v}.json"
        out.write_text(json.dumps({"table": table, "facts": facts}, sort_keys=True) + "\n")
        print(f"  {len(table['flags'])} options, {facts} -> {out}", file=sys.stderr)
    if failed:
        sys.exit(f"failed: {' '.join(failed)}")


if __name__ == "__main__":
    main()
