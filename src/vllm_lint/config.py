"""User configuration: ``[tool.vllm-lint]`` in pyproject.toml or ``.vllm-lint.toml``, found by
walking up from each linted file (the nearest wins, as ruff does), plus command-line overrides.

Keys: ``gpu``, ``vllm-version``, ``compile-cache`` ("cold" or "warm"), ``select``, ``ignore``,
``exclude``, ``per-file-ignores`` (glob -> ids), ``overrides`` (list of ``{path = "glob", gpu = ...,
vllm-version = ..., compile-cache = ...}`` for a monorepo with L4 staging and H100 production) and
``models`` (local path or served name -> model id), ``fail-on`` ("error", "warning" or "info":
the least severe finding that makes the run exit 1; default "warning"), ``extend`` (another configuration this one
builds on, as ruff's ``extend``), ``values`` (Helm values files merged as one release, each list in
``helm -f`` order: ``values = [["charts/vllm/values.yaml", "deploy/values-prod.yaml"]]``).

The nearest configuration wins, as in ruff: a nested ``.vllm-lint.toml`` does not inherit from the
files above it unless it says ``extend = "../pyproject.toml"``. With ``extend``, its own ``gpu``,
``vllm-version``, ``compile-cache``, ``fail-on``, ``select`` and ``ignore`` replace the extended file's,
``extend-select``/``extend-ignore`` add to them, ``models`` merge (its own entries win), and the
``exclude``, ``per-file-ignores``, ``overrides`` and ``values`` of both files apply, each relative to the folder
of the file that wrote it. A nested file without ``extend`` that drops a setting of the file above it
says so (``FileConfig.shadowed_note``), so a root ``gpu`` is never lost without a word.
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from vllm_lint.suggest import did_you_mean

KEYS = {"gpu", "vllm-version", "compile-cache", "select", "ignore", "exclude", "per-file-ignores", "overrides", "models", "extend-select", "extend-ignore",
        "extend", "fail-on", "values"}
OVERRIDE_KEYS = {"path", "gpu", "vllm-version", "compile-cache", "ignore"}
# Settings whose loss changes what is checked: a nested file that drops one of them says so.
_INHERITABLE = ("gpu", "vllm-version", "compile-cache", "fail-on", "models", "select", "ignore", "values")


# torch.compile cache at a deployment's start: "cold" (the default: a new container, which must fit) or
# "warm" (VLLM_CACHE_ROOT persisted from an earlier start with the same settings).
COMPILE_CACHE_STATES = ("cold", "warm")

# The severities that can fail a run, most severe first. ``fail-on = "warning"`` (the default)
# fails on errors and warnings; an info finding never fails a run unless ``fail-on = "info"``.
FAIL_ON_LEVELS = ("error", "warning", "info")
DEFAULT_FAIL_ON = "warning"


def check_fail_on(value: object, where: str) -> str:
    """``value`` as a ``fail-on`` level; ConfigError naming ``where`` and the near miss otherwise."""
    if isinstance(value, str) and value.lower() in FAIL_ON_LEVELS:
        return value.lower()
    hint = did_you_mean(value, FAIL_ON_LEVELS, cutoff=0.5) if isinstance(value, str) else ""
    raise ConfigError(f"{where}: `fail-on` must be one of {', '.join(FAIL_ON_LEVELS)}, not {value!r}{hint}",
                      key="fail-on", value=value if isinstance(value, str) else None)


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
    extend_select: tuple[str, ...] = ()
    extend_ignore: tuple[str, ...] = ()
    values: tuple[tuple[str, ...], ...] = ()  # Helm values chains, in `helm -f` order (relative to root)
    parent: "FileConfig | None" = None  # the configuration ``extend`` names
    explicit: frozenset[str] = frozenset()  # the keys this file sets itself
    shadows: "FileConfig | None" = field(default=None, compare=False)  # a configuration above it, not extended

    def for_path(self, path: Path) -> "FileConfig":
        """This file's settings for ``path``: over the extended file's, then ``overrides`` and
        ``per-file-ignores`` whose glob matches ``path`` (relative to the file that wrote them)."""
        s = self._settings(path)
        return replace(self, gpu=s["gpu"], vllm_version=s["vllm_version"], compile_cache=s["compile_cache"],
                       fail_on=s["fail_on"], select=s["select"], ignore=(*s["ignore"], *s["path_ignore"]), models=s["models"],
                       extend_select=(), extend_ignore=())

    def _settings(self, path: Path) -> dict:
        if self.parent is not None:
            s = self.parent._settings(path)
        else:
            s = {"gpu": None, "vllm_version": None, "compile_cache": None, "fail_on": None, "select": (),
                 "ignore": (), "path_ignore": (), "models": ()}
        for attr in ("gpu", "vllm_version", "compile_cache", "fail_on"):
            if getattr(self, attr) is not None:
                s[attr] = getattr(self, attr)
        if "select" in self.explicit or self.parent is None:
            s["select"] = self.select
        if s["select"]:  # with no select every rule is on: extend-select has nothing to add
            s["select"] = (*s["select"], *self.extend_select)
        if "ignore" in self.explicit or self.parent is None:
            s["ignore"] = self.ignore
        s["ignore"] = (*s["ignore"], *self.extend_ignore)
        s["models"] = tuple({**dict(s["models"]), **dict(self.models)}.items())
        rel = self._rel(path)
        path_ignore = list(s["path_ignore"])
        for ov in self.overrides:
            if _matches(rel, str(ov.get("path", ""))):
                s["gpu"] = ov.get("gpu", s["gpu"])
                s["vllm_version"] = ov.get("vllm-version", s["vllm_version"])
                s["compile_cache"] = ov.get("compile-cache", s["compile_cache"])
                path_ignore += list(_as_list(ov.get("ignore"), "ignore", ""))
        for pattern, ids in self.per_file_ignores:
            if _matches(rel, pattern):
                path_ignore += list(ids)
        s["path_ignore"] = tuple(path_ignore)
        return s

    def values_chains(self) -> tuple[tuple[Path, ...], ...]:
        """The Helm values chains of this file and of the one it extends, as absolute paths (each
        relative to the folder of the file that wrote it)."""
        own = tuple(tuple(Path(os.path.abspath((self.root or Path(".")) / p)) for p in chain) for chain in self.values)
        return (self.parent.values_chains() if self.parent is not None else ()) + own

    def shadowed_note(self) -> str | None:
        """Which settings of the configuration above this one do not apply, because this file
        does not ``extend`` it (ruff's nearest-file rule), and how to inherit them; None when
        nothing is lost."""
        above = self.shadows
        if above is None or self.parent is not None or not self.source or not above.source or self.root is None:
            return None
        lost = [k for k in _INHERITABLE if k in above.explicit and k not in self.explicit]
        if not lost:
            return None
        rel = os.path.relpath(above.source, self.root).replace(os.sep, "/")
        one = len(lost) == 1
        here, there = _shown_path(self.source), _shown_path(above.source)
        return (f"{here} does not extend {there}, so the {', '.join(lost)} setting{'' if one else 's'} of {there} "
                f"do{'es' if one else ''} not apply to the files {here} configures; add extend = \"{rel}\" to "
                f"inherit {'it' if one else 'them'}")

    def _rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix() if self.root else path.as_posix()
        except ValueError:
            return path.as_posix()

    def is_excluded(self, path: Path) -> bool:
        """Excluded by this file's ``exclude`` or by the extended file's (each relative to its folder)."""
        rel = self._rel(path)
        if any(_matches(rel, pattern) for pattern in self.exclude):
            return True
        return self.parent is not None and self.parent.is_excluded(path)


def _shown_path(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


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


def _check_selectors(items: tuple[str, ...], key: str, source: str) -> tuple[str, ...]:
    """Every item names at least one rule (a typo in ``select``/``ignore`` must not switch checks
    on or off without a word)."""
    from vllm_lint.rules.registry import selector_problem

    for item in items:
        problem = selector_problem(item)
        if problem:
            raise ConfigError(f"{source}: `{key}`: {problem}", key=key, value=item)
    return items


def _check_release(value: str, key: str, source: str) -> None:
    from vllm_lint.vllm.versions import release_problem

    problem = release_problem(value)
    if problem:
        raise ConfigError(f"{source}: `{key}`: {problem}", key=key, value=value)


def _unknown_keys(found: set, known: set, source: str, where: str = "") -> None:
    unknown = sorted(found - known, key=str)
    if not unknown:
        return
    key = str(unknown[0])
    hint = did_you_mean(key, sorted(known), cutoff=0.6)
    raise ConfigError(f"{source}: unknown key `{key}`{where}{hint}; known keys: {', '.join(sorted(known))}", key=key)


def parse_config(data: dict, root: Path | None, source: str, parent: FileConfig | None = None) -> FileConfig:
    """Validate one ``[tool.vllm-lint]`` table (``parent``: the configuration its ``extend`` names)."""
    _unknown_keys(set(data), KEYS, source)
    for key in ("gpu", "vllm-version", "extend"):
        if key in data and not isinstance(data[key], str):
            raise ConfigError(f"{source}: `{key}` must be a string", key=key)
    for table in (data, *[o for o in data.get("overrides") or [] if isinstance(o, dict)]):
        if isinstance(table.get("gpu"), str):
            _check_gpu(table["gpu"], source)
    for table in (data, *[o for o in data.get("overrides") or [] if isinstance(o, dict)]):
        if "compile-cache" in table and table["compile-cache"] not in COMPILE_CACHE_STATES:
            raise ConfigError(f"{source}: `compile-cache` must be \"cold\" or \"warm\"", key="compile-cache")
        if isinstance(table.get("vllm-version"), str):
            _check_release(table["vllm-version"], "vllm-version", source)
    pfi = data.get("per-file-ignores") or {}
    if not isinstance(pfi, dict):
        raise ConfigError(f"{source}: `per-file-ignores` must be a table of glob = [ids]", key="per-file-ignores")
    overrides = data.get("overrides") or []
    if not isinstance(overrides, list) or not all(isinstance(o, dict) and "path" in o for o in overrides):
        raise ConfigError(f"{source}: `overrides` must be an array of tables, each with a `path`", key="overrides")
    for ov in overrides:
        _unknown_keys(set(ov), OVERRIDE_KEYS, source, f" in the overrides for {ov['path']!r}")
        _check_selectors(_as_list(ov.get("ignore"), "overrides.ignore", source), "overrides.ignore", source)
    fail_on = check_fail_on(data["fail-on"], source) if "fail-on" in data else None
    values = _values_chains(data.get("values"), root, source)
    models = data.get("models") or {}
    if not isinstance(models, dict) or not all(isinstance(v, str) for v in models.values()):
        raise ConfigError(f"{source}: `models` must map local paths or served names to model ids", key="models")

    def ids(key: str) -> tuple[str, ...]:
        return _check_selectors(_as_list(data.get(key), key, source), key, source)

    return FileConfig(
        root=root,
        source=source,
        gpu=data.get("gpu"),
        vllm_version=data.get("vllm-version"),
        compile_cache=data.get("compile-cache"),
        select=ids("select"),
        ignore=ids("ignore"),
        extend_select=ids("extend-select"),
        extend_ignore=ids("extend-ignore"),
        exclude=_as_list(data.get("exclude"), "exclude", source),
        per_file_ignores=tuple((k, _check_selectors(_as_list(v, f"per-file-ignores.{k}", source), f"per-file-ignores {k!r}", source))
                               for k, v in pfi.items()),
        overrides=tuple(overrides),
        values=values,
        models=tuple(models.items()),
        parent=parent,
        explicit=frozenset(data),
        fail_on=fail_on,
    )


def _values_chains(value: object, root: Path | None, source: str) -> tuple[tuple[str, ...], ...]:
    """``values``: a list of chains, each a list of values files merged in that order (``helm -f a
    -f b``). A flat list of strings is refused rather than guessed (one chain, or one release per
    file?); every file must exist, since a misspelt name would silently lint another merge."""
    if value is None:
        return ()
    example = 'values = [["values.yaml", "values-prod.yaml"]]'
    if not isinstance(value, list) or not all(isinstance(c, list) and c and all(isinstance(p, str) and p for p in c)
                                              for c in value):
        flat = isinstance(value, list) and value and all(isinstance(p, str) for p in value)
        hint = f"; for one release write {example}" if flat else f", e.g. {example}"
        raise ConfigError(f"{source}: `values` must be a list of chains, each a list of values files merged in "
                          f"`helm -f` order{hint}", key="values")
    for chain in value:
        for p in chain:
            if root is not None and not (root / p).is_file():
                raise ConfigError(f"{source}: `values`: {p!r} is not a file (paths are relative to the folder of "
                                  f"{Path(source).name})", key="values", value=p)
    return tuple(tuple(chain) for chain in value)


_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


def _line_of(text: str, key: str | None, value: str | None) -> int | None:
    """The 1-based line of a TOML text that writes ``value`` (as a quoted string) or, without
    one, that sets ``key``; None when neither is found."""
    lines = text.splitlines()
    if value is not None:
        quoted = re.compile(r"""(["'])""" + re.escape(value) + r"\1")
        for i, line in enumerate(lines, start=1):
            if quoted.search(line.split("#", 1)[0] if "#" not in value else line):
                return i
    if key is not None:
        leaf = key.rsplit(".", 1)[-1]
        assigned = re.compile(r"""^\s*(?:["']?)""" + re.escape(leaf) + r"""(?:["']?)\s*=|^\s*\[+\s*(?:tool\.vllm-lint\.)?"""
                              + re.escape(leaf) + r"\s*\]")
        for i, line in enumerate(lines, start=1):
            if assigned.search(line):
                return i
    return None


def _misplaced_tool_table(data: dict, text: str, path: Path) -> ConfigError | None:
    """``[tool.vllm-lint]`` pasted into a .vllm-lint.toml, where the settings sit at the top level."""
    tool = data.get("tool")
    if not isinstance(tool, dict) or "vllm-lint" not in tool:
        return None
    line = next((i for i, ln in enumerate(text.splitlines(), start=1) if re.match(r"\s*\[+\s*tool\.vllm-lint\b", ln)), None)
    where = f"{_shown_path(str(path))}:{line}" if line else _shown_path(str(path))
    return ConfigError(
        f"{where}: drop the [tool.vllm-lint] header in {path.name}: that header is for pyproject.toml, and "
        f"{path.name} is the vllm-lint table itself ([tool.vllm-lint.per-file-ignores] becomes [per-file-ignores])")


def load_config_file(path: Path, _chain: tuple[Path, ...] = ()) -> FileConfig | None:
    """Read a pyproject.toml (``[tool.vllm-lint]``, None when absent) or a .vllm-lint.toml (whole
    file), and the configuration its ``extend`` names (relative to its folder)."""
    if sys.version_info >= (3, 11):  # imported here: most runs find no configuration file
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    shown = _shown_path(str(path))
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{shown}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_AT.search(str(exc))
        where = f"{shown}:{m.group(1)}:{m.group(2)}" if m else shown
        raise ConfigError(f"{where}: invalid TOML: {_TOML_AT.sub('', str(exc))}") from None
    if path.name == "pyproject.toml":
        tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
        table = tool.get("vllm-lint")
        if table is None:
            near = next((k for k in tool if isinstance(k, str) and re.sub(r"[^a-z]", "", k.lower()) == "vllmlint"), None)
            if near is not None:
                header = re.compile(r"^\s*\[+\s*tool\.[\"']?" + re.escape(near))
                line = next((i for i, ln in enumerate(text.splitlines(), start=1) if header.match(ln)), 1)
                raise ConfigError(f"{shown}:{line}: [tool.{near}] is not read: the table is [tool.vllm-lint]", key=near)
            return None
        data = table
    else:
        misplaced = _misplaced_tool_table(data, text, path)
        if misplaced is not None:
            raise misplaced
    try:
        parent = _extended(data, path, _chain)
        return parse_config(data, path.parent, str(path), parent)
    except ConfigError as exc:
        if not str(exc).startswith(f"{path}: "):
            raise  # an error of the extended file, located there
        line = _line_of(text, exc.key, exc.value) if exc.key or exc.value else None
        where = f"{shown}:{line}: " if line else f"{shown}: "
        raise ConfigError(where + str(exc)[len(f"{path}: "):], key=exc.key, value=exc.value) from None


def _extended(data: dict, path: Path, chain: tuple[Path, ...]) -> FileConfig | None:
    """The configuration ``extend`` names, read in turn (a cycle is an error)."""
    target = data.get("extend")
    if not isinstance(target, str):
        return None
    full = (path.parent / os.path.expanduser(target)).resolve()
    here = path.resolve()
    if full in (*chain, here):
        raise ConfigError(f"{path}: `extend`: {target!r} leads back to {path.name} (a cycle)", key="extend", value=target)
    if not full.is_file():
        raise ConfigError(f"{path}: `extend`: {target!r} is not a file", key="extend", value=target)
    cfg = load_config_file(full, (*chain, here))
    if cfg is None:
        raise ConfigError(f"{path}: `extend`: {target!r} has no [tool.vllm-lint] table", key="extend", value=target)
    return cfg


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
    """The nearest configuration above ``path`` (empty when none). When it does not ``extend``
    anything, ``shadows`` is the next configuration above it (for ``shadowed_note``)."""
    try:
        start = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: RuntimeError before 3.13, OSError after
        start = Path(os.path.abspath(path))
    directory = start if start.is_dir() else start.parent
    parents = (directory, *directory.parents)
    for n, d in enumerate(parents):
        cfg = _config_in_dir(d)
        if cfg is not None:
            if cfg.parent is None:
                above = next((c for c in map(_config_in_dir, parents[n + 1:]) if c is not None), None)
                if above is not None:
                    cfg = replace(cfg, shadows=above)
            return cfg
    return FileConfig()
