"""Name -> ModelArch: real config.json facts first, then what the name says.

Order (the first that answers wins; a real config.json always beats a name):
  1. ``[tool.vllm-lint] models`` maps the name to another (the user's own statement), or the file
     downloads a Hub id into the folder the name points at (``hf download <id> --local-dir <dir>``);
  2. the catalog entry of exactly that Hub id;
  3. the config.json of the local folder the name points at;
  4. the Hugging Face cache entry of that Hub id;
  5. a local path whose parts name a Hub id (``models--Org--Name/snapshots/<sha>``, ``/models/Org--Name``,
     ``/data/Name``), looked up as in 2 and 4;
  6. with ``--online`` only, config.json from the Hub (``hub.py``);
  7. a variant of a known model (``variants.py``: quantized repacks, flavours, renames): the base's
     geometry with the weight format the name implies;
  8. the same for ``--served-model-name``;
  9. partial facts from the name alone (parameter count, context length).
Steps 5 (except the cache layout), 7, 8 and 9 rest on a name: the resolution is *likely*, not
certain, and says how it was made (``ModelResolution.describe``). So does a catalog entry that lists
config keys it did not read from the repo itself (``assumed``): its weight format then comes from the
name, and an assumed context is not the model's. A name that reduces to two
different geometries stays unresolved. Nothing from a model folder is executed; transformers is
imported only when the catalog and a local folder both miss.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from vllm_lint.models.arch import ModelArch
from vllm_lint.models.config_file import arch_from_config_file, read_config  # noqa: F401 (re-exported)
from vllm_lint.models.facts import ModelFacts
from vllm_lint.models.variants import (FOLDER_WORDS, HUB_ID, PathName, Stem, name_facts, org_relation, path_names,
                                       stem, word_key)

CATALOG_PATH = Path(__file__).parent / "data" / "catalog.json"

HOW_TO_POINT = (
    "point vllm-lint at a config: map the local path or served name to a Hugging Face id under "
    "[tool.vllm-lint] models (e.g. \"/models/my-llama\" = \"meta-llama/Llama-3.1-8B-Instruct\"), put the model's "
    "config.json in the folder the launch names, or download it once into the Hugging Face cache "
    "(hf download <id> config.json), or allow fetching config.json with --online"
)


@dataclass(frozen=True)
class Attempt:
    """One step of a resolution: what was looked up and what came of it (``models --resolve``)."""

    step: str
    tried: str
    result: str


@dataclass(frozen=True)
class ModelResolution:
    """Where a launch's model name led: its architecture, how it was found and how sure that is.

    ``how``: where the config.json came from (catalog | local | hf-cache | hub | none).
    ``via``: how the name led there (id | path | variant | served | name); ``mapped_from`` is set when
    ``[tool.vllm-lint] models`` mapped the launch's name first. ``certain``: the geometry is the named
    checkpoint's own config.json (exact) rather than a name's likely meaning. ``inferred``: what was
    taken from the name, as findings say it. ``assumed``: what the catalog entry did not read from the
    repo itself (its ``assumed`` keys), as findings say it. ``facts``: partial facts when ``arch`` is None.
    """

    arch: ModelArch | None
    how: str
    message: str | None = None
    via: str = "id"
    certain: bool = True
    name: str = ""
    base: str | None = None
    inferred: tuple[str, ...] = ()
    keeps_context: bool = True
    facts: ModelFacts | None = None
    mapped_from: str | None = None
    mapped_by: str = "config"  # config ([tool.vllm-lint] models) | download (the file downloads it there)
    served_name: str | None = None
    assumed: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()
    trail: tuple[Attempt, ...] = ()

    @property
    def model_facts(self) -> ModelFacts | None:
        """The facts the rules may use: the whole architecture's, minus a context that is not the
        model's own (a flavour's), or the partial facts."""
        if self.arch is not None:
            return ModelFacts.from_arch(self.arch, certain=self.certain, context=self.keeps_context)
        return self.facts

    @property
    def certainty(self) -> str:
        return "exact" if self.certain and self.arch is not None else ("likely" if self.arch or self.facts else "none")

    def describe(self) -> str:
        """How the model was resolved, in the words findings use."""
        if self.arch is None:
            if self.facts is not None:
                bits = [s for s in (self.facts.params_source, self.facts.context_source) if s]
                return "only " + "; ".join(bits) if bits else "partial facts"
            return "not resolved"
        a = self.arch
        if self.via == "id":
            where = {"catalog": "catalog", "local": f"config.json at {a.source}", "hf-cache": "Hugging Face cache",
                     "hub": "fetched from the Hub"}.get(self.how, self.how)
            text = f"{a.id} ({where})"
        elif self.via == "path":
            text = f"{self.base}, from {', '.join(self.inferred)}"
        else:
            text = f"geometry of {self.base}" + (", " + ", ".join(self.inferred) if self.inferred else "")
        if self.assumed:
            text += ", " + ", ".join(self.assumed)
        if self.served_name:
            text += f", from --served-model-name {self.served_name}"
        if self.mapped_from and self.mapped_by == "download":
            text += f" (the file downloads it into {self.mapped_from})"
        elif self.mapped_from:
            text += f" ([tool.vllm-lint] models maps {self.mapped_from!r})"
        return text


# -- the catalog ---------------------------------------------------------------------------------

def build_word_index(ids: list[str]) -> dict[str, str]:
    """Word key (``variants.word_key``) -> lower-case id, for the repo names whose words no other catalog id
    shares: a folder named with the same words in another order or with ``_`` (``qwen2.5_instruct_32b``) then
    stands for that one id; words two ids share decide nothing."""
    owners: dict[str, set[str]] = {}
    for i in ids:
        key = word_key(i.split("/")[-1])
        if key:
            owners.setdefault(key, set()).add(i.lower())
    return {k: next(iter(v)) for k, v in owners.items() if len(v) == 1}


@lru_cache(maxsize=1)
def _word_index() -> dict[str, str]:
    return build_word_index(list(_catalog()[0]))


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
    entries = {e["id"].lower(): e for e in data["models"] if isinstance(e.get("config"), dict)}
    return entries, build_index(list(entries))


@lru_cache(maxsize=1)
def _stems() -> dict[str, list[tuple[str, Stem]]]:
    """Stem -> [(lower-case id, its stem)], built on the first variant lookup only."""
    entries, _ = _catalog()
    out: dict[str, list[tuple[str, Stem]]] = {}
    for low in entries:
        st = stem(low.split("/")[-1])
        out.setdefault(st.text, []).append((low, st))
    return out


def catalog_ids() -> list[str]:
    """Every Hugging Face id in the bundled catalog, sorted."""
    entries, _ = _catalog()
    return sorted(e["id"] for e in entries.values())


def catalog_entry(model_id: str) -> dict | None:
    """The raw catalog entry of a Hub id (case-insensitive), or None."""
    entries, _ = _catalog()
    return entries.get(model_id.lower())


def entry_is_quantized(entry: dict) -> bool:
    """The entry is a quantized checkpoint: its config names the quantization, or the entry says the
    repo's quantization_config exists but was not read (``assumed``)."""
    return bool(entry["config"].get("quantization_config")) or "quantization_config" in entry.get("assumed", ())


def _assumed(entry: dict) -> tuple[tuple[str, ...], bool]:
    """(what findings say about the keys an entry did not read from its repo, whether its context is known)."""
    said, keeps_context = [], True
    for key in entry.get("assumed", ()):
        if key == "quantization_config":
            st = stem(entry["id"].split("/")[-1])
            said.append("its quantization_config not read from the repo" + (f": {st.quant.what}" if st.quant else ""))
        else:
            said.append(f"its {key} not read from the repo")
            keeps_context = keeps_context and key not in ("max_position_embeddings", "rope_scaling", "rope_parameters")
    return tuple(said), keeps_context


@lru_cache(maxsize=512)
def _arch_from_entry(low_id: str) -> ModelArch:
    """The entry's architecture; an entry whose quantization_config was not read carries the weight
    format its name implies, marked ``_from_name`` as a variant's is."""
    entries, _ = _catalog()
    e = entries[low_id]
    arch = ModelArch.from_config(
        e["config"], id=e["id"], source=e.get("source", ""), num_params=e.get("num_params"),
        num_params_source=e.get("num_params_source"),
    )
    if "quantization_config" in e.get("assumed", ()):
        st = stem(e["id"].split("/")[-1])
        arch = replace(arch, quantization={**st.quant.quantization, "_from_name": st.quant.name} if st.quant else None)
    return arch


def _catalog_hit(low_id: str) -> "ModelResolution":
    """An exact catalog hit: exact, unless the entry assumed some of its facts."""
    entry = _catalog()[0][low_id]
    said, keeps_context = _assumed(entry)
    if not said:
        return ModelResolution(_arch_from_entry(low_id), "catalog")
    return ModelResolution(_arch_from_entry(low_id), "catalog", certain=False, assumed=said,
                           keeps_context=keeps_context)


def lookup_catalog(name: str) -> ModelArch | None:
    """The catalog entry a name stands for (Hub id, HF-cache folder, unique path tail), or None."""
    entries, index = _catalog()
    if name.strip().lower() in entries:
        return _arch_from_entry(name.strip().lower())
    for pn in path_names(name) if _is_pathlike(name) else ():
        key = index.get(pn.key.lower())
        if key:
            return _arch_from_entry(key)
    return None


# -- config.json files -----------------------------------------------------------------------------

def _local_config(name: str, base_dir: Path | None) -> Path | None:
    p = Path(os.path.expanduser(name))  # unlike Path.expanduser, leaves `~nosuchuser/x` as written
    if not p.is_absolute() and base_dir is not None:
        p = base_dir / p
    cfg = p / "config.json"
    try:
        return cfg if cfg.is_file() else None
    except OSError:
        return None


def _partial_from_file(path: Path, id: str) -> ModelFacts | None:
    try:
        return ModelFacts.from_config(read_config(path), id=id, source=f"context from {path}")
    except (OSError, ValueError, UnicodeDecodeError, TypeError):
        return None


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
    if not HUB_ID.match(name.strip()):
        return None
    org, repo = name.strip().split("/")
    folder = hf_cache_dir() / f"models--{org}--{repo}"
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


# -- resolution ------------------------------------------------------------------------------------

def _is_pathlike(name: str) -> bool:
    """A local path (absolute, relative, home, HF cache layout) or a bare name, not an ``org/name`` Hub id."""
    name = name.strip()
    if name.startswith(("/", "./", "../", "~")) or "models--" in name or "/" not in name:
        return True
    return name.split("/")[0].lower() in FOLDER_WORDS or name.count("/") > 1


def _geometry(a: ModelArch) -> tuple:
    """The facts two checkpoints must share to be the same model for the memory estimate."""
    return (a.num_layers, a.num_attention_heads, a.num_kv_heads, a.head_dim, a.hidden_size, a.intermediate_size,
            a.vocab_size, a.num_experts, a.moe_intermediate_size, a.kv_lora_rank, a.layer_types, a.sliding_window)


class _Run:
    """One resolution: the steps tried, recorded for ``models --resolve``."""

    def __init__(self, base_dir: Path | None, online: bool) -> None:
        self.base_dir, self.online = base_dir, online
        self.trail: list[Attempt] = []

    def note(self, step: str, tried: str, result: str) -> None:
        self.trail.append(Attempt(step, tried, result))

    def resolve(self, name: str) -> ModelResolution:
        entries, index = _catalog()
        low = name.strip().lower()
        if low in entries:
            hit = _catalog_hit(low)
            self.note("catalog id", name, f"found {entries[low]['id']}" + "".join(f", {a}" for a in hit.assumed))
            return hit
        self.note("catalog id", name, "no entry")
        cfg = _local_config(name, self.base_dir)
        if cfg is not None:
            try:
                arch = arch_from_config_file(cfg, id=name)
                self.note("local folder", str(cfg), "read")
                return ModelResolution(arch, "local")
            except (OSError, ValueError, UnicodeDecodeError) as exc:
                self.note("local folder", str(cfg), f"unusable: {exc}")
                return ModelResolution(None, "none", f"could not read {cfg}: {exc}", certain=False,
                                       facts=_partial_from_file(cfg, name))
        self.note("local folder", name, "no config.json there")
        if HUB_ID.match(name.strip()) and not name.startswith("."):
            arch = _hf_cache(name.strip())
            self.note("Hugging Face cache", name, "found" if arch else f"not in {hf_cache_dir()}")
            if arch is not None:
                return ModelResolution(arch, "hf-cache")
        found = self._by_path(name) if _is_pathlike(name) else None
        if found is not None:
            return found
        if self.online and HUB_ID.match(name.strip()):
            from vllm_lint.models.hub import fetch_arch

            arch, why = fetch_arch(name.strip())
            self.note("Hub (--online)", name, "fetched config.json" if arch else why)
            if arch is not None:
                return ModelResolution(arch, "hub")
        return self._variant(name)

    def _by_path(self, name: str) -> ModelResolution | None:
        entries, index = _catalog()
        for pn in path_names(name):
            key = index.get(pn.key.lower())
            if key:
                self.note(f"path ({pn.what})", pn.key, f"catalog has {entries[key]['id']}")
                hit = _catalog_hit(key)
                named = self._named(hit.arch, "catalog", pn)
                if hit.certain:
                    return named
                return replace(named, certain=False, assumed=hit.assumed, keeps_context=hit.keeps_context)
            if "/" in pn.key and HUB_ID.match(pn.key):
                arch = _hf_cache(pn.key)
                if arch is not None:
                    self.note(f"path ({pn.what})", pn.key, "found in the Hugging Face cache")
                    return self._named(arch, "hf-cache", pn)
            self.note(f"path ({pn.what})", pn.key, "no catalog id or cache entry")
        for pn in path_names(name):
            low = _word_index().get(word_key(pn.key) or "") if "/" not in pn.key else None
            if low:
                words = replace(pn, rule="words")
                self.note(f"path ({words.what})", pn.key, f"catalog has {entries[low]['id']}")
                hit = _catalog_hit(low)
                named = self._named(hit.arch, "catalog", words)
                return named if hit.certain else replace(named, certain=False, assumed=hit.assumed,
                                                         keeps_context=hit.keeps_context)
        return None

    @staticmethod
    def _named(arch: ModelArch, how: str, pn: PathName) -> ModelResolution:
        return ModelResolution(arch, how, via="path" if not pn.certain else "id", certain=pn.certain,
                               base=arch.id, inferred=(pn.what,))

    def _variant(self, name: str) -> ModelResolution:
        """Steps 7: the name, or each name its path stands for, as a variant of a catalog model."""
        raw = name.strip().strip("'\"").rstrip("/")
        forms = [raw] if HUB_ID.match(raw) and not _is_pathlike(raw) else [p.key for p in path_names(raw)]
        for form in forms:
            org, _, tail = form.rpartition("/")
            if "/" in form and not HUB_ID.match(form):
                continue
            res = self._variant_of(org, tail, display=form if "/" in form else tail)
            if res is not None:
                return res
        return ModelResolution(None, "none", certain=False)

    def _variant_of(self, org: str, tail: str, *, display: str) -> ModelResolution | None:
        st = stem(tail)
        hits = []
        for low, est in _stems().get(st.text, []):
            rel = org_relation(org, low.split("/")[0])
            if rel is None:
                continue
            e_quant = entry_is_quantized(_catalog()[0][low])
            same_flavour = est.flavour_key == st.flavour_key
            hits.append(((0 if same_flavour else 1, 1 if e_quant else 0, 0 if rel == "same" else 1), low, rel, est))
        if not hits:
            self.note("variant", f"{display} (stem {st.text!r})",
                      "no known model of that stem" + (f" under a publisher related to {org}" if org else ""))
            return None
        hits.sort(key=lambda h: (h[0], h[1]))
        best = [h for h in hits if h[0][0] == hits[0][0][0]]
        shapes = {_geometry(_arch_from_entry(h[1])) for h in best}
        if len(shapes) > 1:
            ids = tuple(sorted({_catalog()[0][h[1]]["id"] for h in best}))
            self.note("variant", display, "ambiguous: " + ", ".join(ids))
            return ModelResolution(None, "none", f"model {display!r} could be any of {', '.join(ids)}, which differ "
                                   "in shape; name the checkpoint in [tool.vllm-lint] models", certain=False,
                                   candidates=ids)
        _, low, rel, est = best[0]
        base = _arch_from_entry(low)
        same_flavour = est.flavour_key == st.flavour_key
        inferred: list[str] = []
        if st.quant is not None:
            quant = {**st.quant.quantization, "_from_name": st.quant.name}
            inferred.append(st.quant.what)
        elif base.quantization:
            quant = None
            inferred.append("weights at the model dtype (the name names no quantization)")
        else:
            quant = None
        if not same_flavour:
            inferred.append(f"context not known for the -{'-'.join(st.flavours)} flavour" if st.flavours else
                            f"context not known (the catalog has the -{'-'.join(est.flavours)} flavour)")
        if rel == "repack":
            inferred.append(f"repacked by {org}")
        arch = replace(base, id=display, quantization=quant)
        self.note("variant", display, f"geometry of {base.id}" + (f" ({'; '.join(inferred)})" if inferred else ""))
        return ModelResolution(arch, "catalog", via="variant", certain=False, base=base.id,
                               inferred=tuple(inferred), keeps_context=same_flavour)


def _apply_aliases(name: str, aliases: dict[str, str] | None) -> str | None:
    if not aliases:
        return None
    low_aliases = {k.lower().rstrip("/"): v for k, v in aliases.items()}
    raw = name.strip().strip("'\"").rstrip("/").lower()
    if raw in low_aliases:
        return low_aliases[raw]
    for pn in path_names(name):
        if pn.key.lower() in low_aliases:
            return low_aliases[pn.key.lower()]
    return None


def _name_facts(names: Iterable[str]) -> ModelFacts | None:
    for name in names:
        tail = name.strip().rstrip("/").split("/")[-1]
        nf = name_facts(tail)
        if nf.params or nf.context:
            st = stem(tail)
            return ModelFacts(
                id=name, certain=False,
                max_len_keys=(("max_position_embeddings", nf.context),) if nf.context else (),
                context_source=f"context {nf.context_text} from the name" if nf.context else "",
                num_params=nf.params,
                params_source=f"{nf.params_text} parameters from the name" if nf.params else "",
                quantization={**st.quant.quantization, "_from_name": st.quant.name} if st.quant else None,
            )
    return None


def resolve_model(name: str, *, base_dir: Path | None = None, aliases: dict[str, str] | None = None,
                  online: bool = False, served: Iterable[str] = (),
                  downloads: dict[str, str] | None = None) -> ModelResolution:
    """Resolve an HF id, local path, HF-cache folder or served name to the model's architecture
    (see the module docstring for the order); ``served`` are the launch's --served-model-name values,
    ``downloads`` the folders the launch's file fills from the Hub (``hints.download_hints``)."""
    if not name or not name.strip():
        return ModelResolution(None, "none", "no model named; " + HOW_TO_POINT, certain=False)
    run = _Run(base_dir, online)
    target = _apply_aliases(name, aliases)
    mapped_by = "config"
    if target is not None:
        run.note("[tool.vllm-lint] models", name, f"mapped to {target}")
    elif downloads and (target := downloads.get(name.strip().rstrip("/"))) is not None:
        mapped_by = "download"
        run.note("download in the file", name, f"filled from {target}")
    res = run.resolve(target or name)
    served = [s for s in served if s and isinstance(s, str) and s.strip() and s != name]
    if res.arch is None and not res.candidates and res.facts is None:
        for s in served:
            alt = run.resolve(s)
            if alt.arch is not None:
                res = replace(alt, via="served" if alt.via in ("id", "path") else alt.via, certain=False, served_name=s,
                              base=alt.base or alt.arch.id, inferred=alt.inferred if alt.via == "variant" else ())
                break
    if res.arch is None and res.facts is None and not res.candidates:
        res = replace(res, facts=_name_facts([target or name, *served]))
        if res.facts is not None:
            run.note("name", target or name, res.facts.params_source or res.facts.context_source)
    if res.arch is None and res.message is None:
        res = replace(res, message=f"model {name!r} is not in the catalog or the local cache; " + HOW_TO_POINT)
    return replace(res, name=name, mapped_from=name if target is not None else None, mapped_by=mapped_by,
                   trail=tuple(run.trail))
