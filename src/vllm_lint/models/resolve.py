"""Name -> ModelArch: shipped catalog, then a local folder's config.json, then the HF cache, then the Hub.

The catalog is one JSON file loaded once, lazily; transformers is imported only when both the
catalog and a local folder miss. Nothing from a model folder is executed: configs are read as
JSON (``trust_remote_code`` is never set), and weights are never downloaded.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from vllm_lint.models.arch import ModelArch
from vllm_lint.units import MIB

CATALOG_PATH = Path(__file__).parent / "data" / "catalog.json"

HOW_TO_POINT = (
    "point vllm-lint at a config: map the local path or served name to a Hugging Face id under "
    "[tool.vllm-lint] models (e.g. \"/models/my-llama\" = \"meta-llama/Llama-3.1-8B-Instruct\"), put the model's "
    "config.json in the folder the launch names, or download it once into the Hugging Face cache "
    "(huggingface-cli download <id> config.json), or allow fetching config.json with --online"
)


@dataclass(frozen=True)
class ModelResolution:
    """Where a launch's model name led: its architecture and how it was found, or why not."""

    arch: ModelArch | None
    how: str  # catalog | local | hf-cache | hub | none
    message: str | None = None


def build_index(ids: list[str]) -> dict[str, str]:
    """Lookup key -> lower-case id: every id, and each bare repo name (a local folder's basename,
    e.g. ``/models/deepseek-coder-6.7b-instruct``) that exactly one catalog id carries. A bare name
    shared by two ids (an org's repo and a re-upload) stays out: a path never resolves by a guess."""
    index = {i.lower(): i.lower() for i in ids}
    owners: dict[str, set[str]] = {}
    for low in index:
        owners.setdefault(low.split("/")[-1], set()).add(low)
    for bare, ids_ in owners.items():
        if len(ids_) == 1:
            index.setdefault(bare, next(iter(ids_)))
    return index


@lru_cache(maxsize=1)
def _catalog() -> tuple[dict[str, dict], dict[str, str]]:
    """(entries by lower-case id, lookup key -> lower-case id)."""
    data = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    entries = {e["id"].lower(): e for e in data["models"]}
    return entries, build_index(list(entries))


def catalog_ids() -> list[str]:
    """Every Hugging Face id in the bundled catalog, sorted."""
    entries, _ = _catalog()
    return sorted(e["id"] for e in entries.values())


@lru_cache(maxsize=512)
def _arch_from_entry(low_id: str) -> ModelArch:
    entries, _ = _catalog()
    e = entries[low_id]
    return ModelArch.from_config(
        e["config"], id=e["id"], source=e.get("source", ""), num_params=e.get("num_params"),
        num_params_source=e.get("num_params_source"),
    )


def _candidates(name: str) -> list[str]:
    """Lookup keys a name may stand for: HF id, HF-cache folder name, path tail, served name."""
    raw = name.strip().strip("'\"").rstrip("/")
    low = raw.lower()
    out = [low]
    m = re.search(r"models--([^/]+?)--([^/]+)", raw, re.I)
    if m:
        out.append(f"{m.group(1)}/{m.group(2)}".lower())
        out.append(m.group(2).lower())
    parts = [p for p in low.split("/") if p]
    if len(parts) >= 2:
        out.append("/".join(parts[-2:]))
    if parts:
        out.append(parts[-1])
        # snapshot folders inside the HF cache: .../models--org--name/snapshots/<hash>
        if "snapshots" in parts:
            i = parts.index("snapshots")
            if i > 0:
                out.extend(_candidates(parts[i - 1])[1:])
    # "Meta-Llama-3.1-8B-Instruct" written without the org, or with a "-hf"/"-chat" twist
    return list(dict.fromkeys(out))


def lookup_catalog(name: str) -> ModelArch | None:
    """The catalog entry a name stands for (Hub id, HF-cache folder, unique path tail), or None."""
    _, index = _catalog()
    for key in _candidates(name):
        if key in index:
            return _arch_from_entry(index[key])
    return None


def _local_config(name: str, base_dir: Path | None) -> Path | None:
    p = Path(name)
    if not p.is_absolute() and base_dir is not None:
        p = base_dir / p
    cfg = p / "config.json"
    try:
        return cfg if cfg.is_file() else None
    except OSError:
        return None


MAX_CONFIG_BYTES = 4 * MIB  # real config.json files are a few KB; refuse anything huge


def arch_from_config_file(path: Path, *, id: str = "") -> ModelArch:
    """Read a config.json (JSON only, regular files up to 4 MiB) into a ModelArch.

    Raises ValueError for anything that is not a usable config (too large, not an object, bad fields).
    """
    if not path.is_file() or path.stat().st_size > MAX_CONFIG_BYTES:
        raise ValueError(f"{path} is not a regular config.json of at most {MAX_CONFIG_BYTES // MIB} MiB")
    cfg: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(cfg, dict):
        raise ValueError(f"{path} does not hold a JSON object")
    qcfg = path.parent / "quantize_config.json"  # AutoGPTQ's separate file
    if "quantization_config" not in cfg and qcfg.is_file():
        try:
            q = json.loads(qcfg.read_text(encoding="utf-8"))
            q.setdefault("quant_method", "gptq")
            cfg["quantization_config"] = q
        except (OSError, ValueError):
            pass
    try:
        return ModelArch.from_config(cfg, id=id or str(path.parent), source=str(path))
    except (TypeError, ValueError, ZeroDivisionError, AttributeError) as exc:
        raise ValueError(f"{path}: unusable config ({exc})") from exc


def hf_cache_dir() -> Path:
    """The Hugging Face hub cache folder, by the same environment variables huggingface_hub reads."""
    env = os.environ
    if env.get("HF_HUB_CACHE") or env.get("HUGGINGFACE_HUB_CACHE"):
        return Path(env.get("HF_HUB_CACHE") or env["HUGGINGFACE_HUB_CACHE"]).expanduser()
    if env.get("HF_HOME"):
        return Path(env["HF_HOME"]).expanduser() / "hub"
    base = Path(env["XDG_CACHE_HOME"]).expanduser() if env.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return base / "huggingface" / "hub"


def _cached_config(name: str) -> Path | None:
    """config.json of ``org/name`` in the local HF cache (the ``main`` snapshot first), without importing anything."""
    parts = name.strip("/").split("/")
    if len(parts) != 2 or name.startswith(("/", ".")):
        return None
    folder = hf_cache_dir() / f"models--{parts[0]}--{parts[1]}"
    try:
        if not folder.is_dir():
            return None
        ref = folder / "refs" / "main"
        if ref.is_file():
            cfg = folder / "snapshots" / ref.read_text(encoding="utf-8").strip() / "config.json"
            if cfg.is_file():
                return cfg
        for snap in sorted((folder / "snapshots").glob("*/config.json")):
            return snap
    except OSError:
        return None
    return None


def _hf_cache(name: str) -> ModelArch | None:
    """Find ``name`` in the local Hugging Face cache; read it through transformers (local files only,
    no remote code), or as raw JSON for a model type transformers does not know."""
    found = _cached_config(name)
    if found is None:
        return None
    try:
        from transformers import AutoConfig  # lazy: only when the catalog and local folder missed

        conf = AutoConfig.from_pretrained(str(found.parent), local_files_only=True, trust_remote_code=False)
        return ModelArch.from_config(conf.to_dict(), id=name, source=f"hf-cache:{found}")
    except Exception:  # noqa: BLE001 - unknown model_type or old transformers: fall back to the raw JSON
        try:
            return arch_from_config_file(found, id=name)
        except (OSError, ValueError):
            return None


def _hub(name: str) -> ModelArch | None:
    """config.json from the Hub (online only). Never weights."""
    try:
        from huggingface_hub import hf_hub_download  # lazy
    except ImportError:  # pragma: no cover
        return None
    try:
        path = hf_hub_download(name, "config.json")
    except Exception:  # noqa: BLE001
        return None
    arch = arch_from_config_file(Path(path), id=name)
    try:  # parameter count from the safetensors headers (a few KB per shard; never the weights)
        from huggingface_hub import get_safetensors_metadata

        meta = get_safetensors_metadata(name)
        total = sum(meta.parameter_count.values())
        if total:
            from dataclasses import replace

            arch = replace(arch, num_params=int(total), num_params_source=f"hub safetensors metadata of {name}")
    except Exception:  # noqa: BLE001 - the count is optional
        pass
    return arch


def resolve_model(name: str, *, base_dir: Path | None = None, aliases: dict[str, str] | None = None,
                  online: bool = False) -> ModelResolution:
    """Resolve an HF id, local path, HF-cache folder or served name to the model's architecture."""
    if not name or not name.strip():
        return ModelResolution(None, "none", "no model named; " + HOW_TO_POINT)
    target = name
    if aliases:
        low_aliases = {k.lower().rstrip("/"): v for k, v in aliases.items()}
        for key in _candidates(name):
            if key in low_aliases:
                target = low_aliases[key]
                break
        else:
            if name.lower().rstrip("/") in low_aliases:
                target = low_aliases[name.lower().rstrip("/")]
    arch = lookup_catalog(target)
    if arch is not None:
        return ModelResolution(arch, "catalog")
    cfg = _local_config(target, base_dir)
    if cfg is not None:
        try:
            return ModelResolution(arch_from_config_file(cfg, id=target), "local")
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            return ModelResolution(None, "none", f"could not read {cfg}: {exc}")
    arch = _hf_cache(target)
    if arch is not None:
        return ModelResolution(arch, "hf-cache")
    if online:
        arch = _hub(target)
        if arch is not None:
            return ModelResolution(arch, "hub")
    return ModelResolution(None, "none", f"model {name!r} is not in the catalog or the local cache; " + HOW_TO_POINT)
