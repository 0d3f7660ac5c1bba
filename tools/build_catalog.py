"""Build the shipped model catalog from its readable source.

    python tools/build_catalog.py          # writes src/vllm_lint/models/data/catalog.json
    python tools/build_catalog.py --check  # exits 1 when the shipped file differs from a fresh build

The source is ``tools/catalog/*.yaml``: one file per origin (a project that vendors config.json files,
Hugging Face config pages, transcriptions), each entry a Hub id, the config.json facts read there
(the keys ModelArch reads and the quantization essentials), where they were read and what kind of
copy that is. An entry may instead name a ``base`` entry and the keys its own config changes
(``derived``: a quantized upload whose architecture fields are those of its base). An entry lists under
``assumed`` the config keys it did not read from the repo itself (a quantization block never seen, a
context not on the page read): they stay out of ``config`` and the resolver treats the entry as likely.

The build checks every entry (unique ids, a known kind, a source, only the config keys the catalog
schema allows, a ``family``), assigns the family, and writes one compact JSON file sorted by id, so
regenerating from an unchanged source reproduces the shipped file byte for byte.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "tools" / "catalog"
OUT = ROOT / "src" / "vllm_lint" / "models" / "data" / "catalog.json"
SCHEMA = ROOT / "src" / "vllm_lint" / "models" / "data" / "catalog.schema.json"
FAMILIES = SOURCE_DIR / "families.yaml"

# How close each kind of source is to the repo's own config.json, best first.
KINDS = {
    "official": "the repo's own config.json",
    "vendored": "verbatim copy of the repo's config.json kept by another project",
    "derived": "config.json of another repo that names this one (fine-tune, mirror or quantization of it); "
               "architecture fields inherited",
    "secondary": "transcription of the repo's config.json (fields mapped by another project), not a verbatim copy",
}
ENTRY_KEYS = {"id", "source", "kind", "note", "config", "base", "derived_from", "num_params", "num_params_source", "family",
              "assumed"}


class SourceError(ValueError):
    pass


def _load_sources() -> list[tuple[str, dict]]:
    out = []
    for path in sorted(SOURCE_DIR.glob("*.yaml")):
        if path == FAMILIES:
            continue
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for e in entries:
            out.append((path.name, e))
    return out


def _family_rules() -> list[tuple[str, str, str]]:
    """(field, pattern, family): ``id`` rules match a case-insensitive substring of the id, ``model_type`` rules
    the exact text model type; the first match wins, id rules before model-type rules."""
    data = yaml.safe_load(FAMILIES.read_text(encoding="utf-8"))
    rules = [("id", p.lower(), f) for f, pats in data["by_id"].items() for p in pats]
    rules += [("model_type", t, f) for f, types in data["by_model_type"].items() for t in types]
    return rules


def _text_config(cfg: dict) -> dict:
    for sub in ("text_config", "llm_config", "language_config"):
        if isinstance(cfg.get(sub), dict):
            return cfg[sub]
    return {}


def _text_type(cfg: dict) -> str:
    for sub in ("text_config", "llm_config", "language_config"):
        if isinstance(cfg.get(sub), dict) and cfg[sub].get("model_type"):
            return str(cfg[sub]["model_type"])
    return str(cfg.get("model_type") or "")


def family_of(mid: str, cfg: dict, rules: list[tuple[str, str, str]]) -> str | None:
    low = mid.lower()
    for field, pat, fam in rules:
        if field == "id" and pat in low:
            return fam
    types = {str(cfg.get("model_type") or ""), _text_type(cfg)}
    for field, pat, fam in rules:
        if field == "model_type" and pat in types:
            return fam
    return None


def _config_validator(schema: dict):
    import jsonschema

    return jsonschema.Draft202012Validator(schema["$defs"]["config"] | {"$defs": schema["$defs"]})


def _check_config(mid: str, cfg: dict, validator) -> None:
    error = next(iter(validator.iter_errors(cfg)), None)
    if error is not None:
        raise SourceError(f"{mid}: config {error.message} (at {'/'.join(map(str, error.absolute_path))})")


def build() -> list[dict]:
    validator = _config_validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    rules = _family_rules()
    raw: dict[str, tuple[str, dict]] = {}
    for fname, e in _load_sources():
        mid = e.get("id")
        if not isinstance(mid, str) or "/" not in mid:
            raise SourceError(f"{fname}: entry without an org/name id: {e!r:.120}")
        unknown = set(e) - ENTRY_KEYS
        if unknown:
            raise SourceError(f"{fname}: {mid}: unknown entry keys {sorted(unknown)}")
        if mid.lower() in raw:
            raise SourceError(f"{fname}: {mid} is already defined in {raw[mid.lower()][0]}")
        if e.get("kind") not in KINDS:
            raise SourceError(f"{fname}: {mid}: kind must be one of {sorted(KINDS)}")
        if not e.get("source"):
            raise SourceError(f"{fname}: {mid}: no source")
        raw[mid.lower()] = (fname, e)
    out = []
    for low, (fname, e) in sorted(raw.items()):
        cfg = dict(e.get("config") or {})
        if e.get("base"):
            base = raw.get(str(e["base"]).lower())
            if base is None or base[1].get("base"):
                raise SourceError(f"{fname}: {e['id']}: base {e['base']} is not a plain catalog entry")
            cfg = {**base[1]["config"], **cfg}
        _check_config(e["id"], cfg, validator)
        assumed = e.get("assumed") or []
        kept = [k for k in assumed if k in cfg or k in _text_config(cfg)]
        if kept:
            raise SourceError(f"{fname}: {e['id']}: assumed keys {kept} must not be in its config (leave them out)")
        fam = e.get("family") or family_of(e["id"], cfg, rules)
        if not fam:
            raise SourceError(f"{fname}: {e['id']}: no family matches (add a rule to families.yaml)")
        entry = {"id": e["id"], "family": fam, "source": e["source"], "source_kind": e["kind"]}
        if e.get("note"):
            entry["note"] = e["note"]
        if e.get("base") or e.get("derived_from"):
            entry["derived_from"] = base[1]["id"] if e.get("base") else e["derived_from"]
        if assumed:
            entry["assumed"] = list(assumed)
        for k in ("num_params", "num_params_source"):
            if e.get(k) is not None:
                entry[k] = e[k]
        entry["config"] = cfg
        out.append(entry)
    return out


def render(entries: list[dict]) -> str:
    doc = {"version": 2, "kinds": KINDS, "models": entries}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the shipped catalog instead of writing it")
    args = ap.parse_args(argv)
    try:
        text = render(build())
    except SourceError as exc:
        print(f"build_catalog: error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        same = OUT.read_text(encoding="utf-8") == text
        print("catalog is up to date" if same else f"{OUT} differs from a fresh build; run tools/build_catalog.py")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    n = text.count('"source_kind"')
    print(f"wrote {n} models to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
