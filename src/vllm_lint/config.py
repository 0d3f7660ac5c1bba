"""User configuration: ``[tool.vllm-lint]`` in pyproject.toml or ``.vllm-lint.toml``, found by
walking up from each linted file (the nearest wins, as ruff does), plus command-line overrides.

Keys: ``gpu``, ``vllm-version``, ``compile-cache`` ("cold" or "warm"), ``select``, ``ignore``,
``exclude``, ``per-file-ignores`` (glob -> ids), ``overrides`` (list of ``{path = "glob", gpu = ...,
vllm-version = ..., compile-cache = ...}`` for a monorepo with L4 staging and H100 production) and
``models`` (local path or served name -> model id) and ``fail-on`` ("error", "warning" or "info":
the least severe finding that makes the run exit 1; default "warning").
"""

from __future__ import annotations

import difflib
import fnmatch
import os
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

KEYS = {"gpu", "vllm-version", "compile-cache", "select", "ignore", "exclude", "per-file-ignores", "overrides", "models", "extend-select", "extend-ignore",
        "fail-on"}


# torch.compile cache at a deployment's start: "cold" (the default: a new container, which must fit) or
# "warm" (VLLM_CACHE_ROOT persisted from an earlier start with the same settings).
COMPILE_CACHE_STATES = ("cold", "warm")

# The severities that can fail a run, most severe first. ``fail-on = "warning"`` (the default)
# fails on errors and warnings; an info finding never fails a run unless ``fail-on = "info"``.
FAIL_ON_LEVELS = ("error", "warning", "info")
DEFAULT_FAIL_ON = "warning"


def did_you_mean(value: str, choices: tuple[str, ...]) -> str:
    """`` (did you mean "warning"?)`` for a near miss among ``choices``, else ``""``."""
    close = difflib.get_close_matches(value.lower(), choices, n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_fail_on(value: object, where: str) -> str:
    """``value`` as a ``fail-on`` level; ConfigError naming ``where`` and the near miss otherwise."""
    if isinstance(value, str) and value.lower() in FAIL_ON_LEVELS:
        return value.lower()
    hint = did_you_mean(value, FAIL_ON_LEVELS) if isinstance(value, str) else ""
    raise ConfigError(f"{where}: `fail-on` must be one of {', '.join(FAIL_ON_LEVELS)}, not {value!r}{hint}")


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names the file and the problem.
    ``key``/``value`` name the setting at fault, so the caller can point at its line."""

    def __init__(self, message: str, *, key: str | None = None, value: str | None = None) -> None:
        super().__init__(message)
        self.key, self.value = key, value


def _check_gpu(value: str, source: str) -> None:
    """A configured GPU names exactly one card (a typo would silently switch the capacity checks off)."""
    from vllm_lint.hardware.gpus import GpuNameError, parse_gpu_strict

    try:
        parse_gpu_strict(value)
    except GpuNameError as exc:
        raise ConfigError(f"{source}: `gpu`: {exc}", key="gpu", value=value) from None


def _line_of(text: str, key: str, value: str) -> int | None:
    """The 1-based line that sets ``key`` to ``value`` in a TOML text (first match), or None."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=\s*(['\"]){re.escape(value)}\1|[{{,]\s*{re.escape(key)}\s*=\s*"
                         rf"(['\"]){re.escape(value)}\2")
    for i, line in enumerate(text.splitlines(), start=1):
        if pattern.search(line):
            return i
    return None


@dataclass(frozen=True)
class FileConfig:
    """The configuration in force for one file."""

    root: Path | None = None  # folder of the config file it came from
    source: str | None = None
    gpu: str | None = None
    vllm_version: str | None = None
    compile_cache: str | None = None  # "warm": the deployment persists vLLM's torch.compile cache
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    overrides: tuple[dict, ...] = ()
    models: tuple[tuple[str, str], ...] = ()
    fail_on: str | None = None  # None: the command line's, else DEFAULT_FAIL_ON

    def for_path(self, path: Path) -> "FileConfig":
        """Apply ``overrides`` and ``per-file-ignores`` whose glob matches ``path``."""
        rel = self._rel(path)
        gpu, version, cache, ignore = self.gpu, self.vllm_version, self.compile_cache, list(self.ignore)
        for ov in self.overrides:
            if _matches(rel, str(ov.get("path", ""))):
                gpu = ov.get("gpu", gpu)
                version = ov.get("vllm-version", version)
                cache = ov.get("compile-cache", cache)
                ignore += list(ov.get("ignore", ()))
        for pattern, ids in self.per_file_ignores:
            if _matches(rel, pattern):
                ignore += list(ids)
        return FileConfig(self.root, self.source, gpu, version, cache, self.select, tuple(ignore), self.exclude,
                          self.per_file_ignores, self.overrides, self.models, self.fail_on)

    def _rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix() if self.root else path.as_posix()
        except ValueError:
            return path.as_posix()

    def is_excluded(self, path: Path) -> bool:
        rel = self._rel(path)
        return any(_matches(rel, pattern) for pattern in self.exclude)


def _matches(rel: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    if not pattern:
        return False
    if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern + "/*"):
        return True
    # a bare name matches at any depth, like .gitignore
    return "/" not in pattern and any(fnmatch.fnmatch(part, pattern) for part in rel.split("/"))


def _as_list(value: object, key: str, source: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{source}: `{key}` must be a string or a list of strings")


def parse_config(data: dict, root: Path | None, source: str) -> FileConfig:
    """Validate one ``[tool.vllm-lint]`` table."""
    unknown = set(data) - KEYS
    if unknown:
        hint = did_you_mean(next(iter(unknown)), tuple(sorted(KEYS))) if len(unknown) == 1 else ""
        raise ConfigError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}{hint}; known keys: {', '.join(sorted(KEYS))}")
    for key in ("gpu", "vllm-version"):
        if key in data and not isinstance(data[key], str):
            raise ConfigError(f"{source}: `{key}` must be a string")
    for table in (data, *[o for o in data.get("overrides") or [] if isinstance(o, dict)]):
        if isinstance(table.get("gpu"), str):
            _check_gpu(table["gpu"], source)
    for table in (data, *[o for o in data.get("overrides") or [] if isinstance(o, dict)]):
        if "compile-cache" in table and table["compile-cache"] not in COMPILE_CACHE_STATES:
            raise ConfigError(f"{source}: `compile-cache` must be \"cold\" or \"warm\"")
    pfi = data.get("per-file-ignores") or {}
    if not isinstance(pfi, dict):
        raise ConfigError(f"{source}: `per-file-ignores` must be a table of glob = [ids]")
    overrides = data.get("overrides") or []
    if not isinstance(overrides, list) or not all(isinstance(o, dict) and "path" in o for o in overrides):
        raise ConfigError(f"{source}: `overrides` must be an array of tables, each with a `path`")
    fail_on = check_fail_on(data["fail-on"], source) if "fail-on" in data else None
    models = data.get("models") or {}
    if not isinstance(models, dict) or not all(isinstance(v, str) for v in models.values()):
        raise ConfigError(f"{source}: `models` must map local paths or served names to model ids")
    return FileConfig(
        root=root,
        source=source,
        gpu=data.get("gpu"),
        vllm_version=data.get("vllm-version"),
        compile_cache=data.get("compile-cache"),
        select=_as_list(data.get("select"), "select", source) + _as_list(data.get("extend-select"), "extend-select", source),
        ignore=_as_list(data.get("ignore"), "ignore", source) + _as_list(data.get("extend-ignore"), "extend-ignore", source),
        exclude=_as_list(data.get("exclude"), "exclude", source),
        per_file_ignores=tuple((k, _as_list(v, f"per-file-ignores.{k}", source)) for k, v in pfi.items()),
        overrides=tuple(overrides),
        models=tuple(models.items()),
        fail_on=fail_on,
    )


def load_config_file(path: Path) -> FileConfig | None:
    """Read a pyproject.toml (``[tool.vllm-lint]``, None when absent) or a .vllm-lint.toml (whole file)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("vllm-lint")
        if table is None:
            return None
        data = table
    try:
        return parse_config(data, path.parent, str(path))
    except ConfigError as exc:
        line = _line_of(path.read_text(encoding="utf-8"), exc.key, exc.value) if exc.key and exc.value else None
        if line is None:
            raise
        raise ConfigError(str(exc).replace(f"{path}:", f"{path}:{line}:", 1), key=exc.key, value=exc.value) from None


@lru_cache(maxsize=256)
def _config_in_dir(directory: Path) -> FileConfig | None:
    for name in (".vllm-lint.toml", "vllm-lint.toml", "pyproject.toml"):
        candidate = directory / name
        if candidate.is_file():
            cfg = load_config_file(candidate)
            if cfg is not None:
                return cfg
    return None


def find_config(path: Path) -> FileConfig:
    """The nearest configuration above ``path`` (empty when none)."""
    try:
        start = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: RuntimeError before 3.13, OSError after
        start = Path(os.path.abspath(path))
    directory = start if start.is_dir() else start.parent
    for d in (directory, *directory.parents):
        cfg = _config_in_dir(d)
        if cfg is not None:
            return cfg
    return FileConfig()
