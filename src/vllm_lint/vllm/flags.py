"""Per-release tables of the options vLLM's server parser accepts.

Every vLLM release from 0.4.3 to the newest has its parser read from its own wheel
(``tools/extract_flags.py``); ``data/releases.json`` names the ``flags-<table>.json`` that holds it
(releases whose parser did not change share the previous release's file). ``flag_table(version)``
loads that table (lazily, once per process) and answers argparse-style questions: exact lookup
including aliases and negations, and unique-prefix matching as
``argparse.ArgumentParser(allow_abbrev=True)`` does it.

A version that is no known release (a dev build between two releases) gets the release below it,
plus the options the next release adds or drops, listed in ``FlagTable.uncertain`` so rules do
not call them unknown.
"""

from __future__ import annotations

import bisect

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from vllm_lint.vllm import releases
from vllm_lint.vllm.versions import parse_version

# Kinds of argparse actions, as the tables name them.
#   value          an option taking nargs values (type/choices apply)
#   store_true     a bare switch
#   bool_opt       argparse.BooleanOptionalAction (or vLLM's EnableDisableAction): --x / --no-x
#   store_boolean  vLLM's old StoreBoolean (0.5-0.8): nargs='?', value 'true'/'false'
#   append         action='append'
#   store_false / store_const   bare switches storing False / a constant
_DATA = Path(__file__).resolve().parent / "data"  # package data: one JSON table per release

BOOL_KINDS = ("store_true", "bool_opt", "store_boolean", "store_false")
SWITCH_KINDS = ("store_true", "bool_opt", "store_false", "store_const")


@dataclass(frozen=True, slots=True)
class FlagSpec:
    """One argparse action of a vLLM release."""

    dest: str
    options: tuple[str, ...]  # positive option strings, the primary (help-listed) one first
    negations: tuple[str, ...] = ()  # visible negative spellings (--no-x, --disable-x)
    hidden_negations: tuple[str, ...] = ()  # accepted but not in --help (0.33 --no-enable-x)
    kind: str = "value"
    type: str = "str"  # converter name understood by vllm_lint.vllm.args
    nargs: str | int | None = None
    const: object = None
    choices: tuple | None = None
    default: object = None
    deprecated: bool = False
    constraints: dict | None = None
    serve_only: bool = False  # defined by the `vllm serve` subparser only (0.5.2-0.9.x)
    api_only: bool = False  # defined by the api_server parser only (0.9.0-0.9.0.1 `--model`)
    type_name: str | None = None  # __name__ of argparse's type function (for 'invalid X value')
    err: str | None = None  # ArgumentTypeError text of the type function, "{value}" placeholders
    err_shapes: dict | None = None  # {"json": ..., "plain": ...} when the text depends on the input
    option_order: tuple[str, ...] | None = None  # action.option_strings as argparse lists them

    @property
    def primary(self) -> str:
        return self.options[0]

    @property
    def is_bool(self) -> bool:
        return self.kind in BOOL_KINDS

    @property
    def all_options(self) -> tuple[str, ...]:
        return self.options + self.negations + self.hidden_negations

    @property
    def display_name(self) -> str:
        """How argparse names the action in its errors: ``--a/-b`` (``'/'.join(option_strings)``)."""
        if self.option_order:
            return "/".join(self.option_order)
        return "/".join(self.options + self.negations)


@dataclass(frozen=True, slots=True)
class OptionHistory:
    """When an option string existed, over every release from 0.4.3 to the newest.

    ``added_after``: the last release without it before it first appeared (it appeared in the next
    one); ``removed_by``: the first release without it after it was last seen (None: still there).
    ``runs``: (first, last, spec) for each run of consecutive releases with the same spec, where a
    spec holds dest, kind, nargs, choices, dep (deprecated) and negated (a --no-/--disable- form).
    """

    option: str
    dest: str
    present: tuple[str, ...]
    added_after: str | None
    removed_by: str | None
    replacement: str | None
    runs: tuple[tuple[str, str, dict], ...] = ()


@dataclass(slots=True)
class FlagTable:
    """All options one vLLM release's server parser accepts."""

    version: str  # the known release whose parser this is (at or below the one asked for)
    requested: str  # the release asked for
    flags: tuple[FlagSpec, ...]
    origin: str = ""
    uncertain: frozenset[str] = frozenset()
    prog: str | None = "vllm serve"  # None: the release has no `vllm` console script (< 0.5.2)
    positional: dict | None = None  # vllm serve's model_tag: {"nargs": "?", "required": False}
    registry: tuple[str, ...] | None = None  # every option string in argparse's matching order
    post_choices: dict | None = None  # dest -> values vLLM accepts after parsing (quantization methods)
    _by_option: dict[str, tuple[FlagSpec, bool]] = field(default_factory=dict)
    _by_dest: dict[str, FlagSpec] = field(default_factory=dict)
    _opt_cache: dict[str, list[str]] = field(default_factory=dict)
    _prefix_index: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for spec in self.flags:
            self._by_dest.setdefault(spec.dest, spec)
            for o in spec.options:
                self._by_option.setdefault(o, (spec, False))
            for o in spec.negations + spec.hidden_negations:
                self._by_option.setdefault(o, (spec, True))

    def lookup(self, option: str) -> tuple[FlagSpec, bool] | None:
        """(spec, negated) for an exact option string such as ``--no-enable-prefix-caching``."""
        return self._by_option.get(option)

    def by_dest(self, dest: str) -> FlagSpec | None:
        """The option that stores into ``dest`` (argparse's attribute name), None when none does."""
        return self._by_dest.get(dest)

    def option_strings(self, *, entrypoint: str = "serve") -> list[str]:
        """Every option string argparse knows, in its registration order (which is the order
        of the candidates in its 'ambiguous option' message)."""
        key = "serve" if entrypoint == "serve" else "other"
        if key not in self._opt_cache:
            self._opt_cache[key] = self._option_strings(entrypoint)
        return self._opt_cache[key]

    def _option_strings(self, entrypoint: str) -> list[str]:
        if self.registry is not None:
            seen = set(self.registry)
            reg = [o for o in self.registry if entrypoint == "serve" or not self._serve_only(o)]
            return reg + [o for s in self.flags if not (s.api_only and entrypoint == "serve")
                          for o in s.all_options if o not in seen]
        out = []
        for spec in self.flags:
            if (spec.serve_only and entrypoint != "serve") or (spec.api_only and entrypoint == "serve"):
                continue
            out.extend(spec.option_order or spec.all_options)
        return out

    def prefix_matches(self, prefix: str, *, entrypoint: str = "serve") -> list[str]:
        """Option strings starting with ``prefix`` (argparse's abbreviation candidates).

        Options only possibly present (``uncertain``) are left out so a guess cannot make a
        working abbreviation look ambiguous.
        """
        opts = self.option_strings(entrypoint=entrypoint)
        key = "serve" if entrypoint == "serve" else "other"
        index = self._prefix_index.get(key)
        if index is None or len(index) != len(opts):
            index = self._prefix_index[key] = sorted((o, i) for i, o in enumerate(opts))
        # Sorted (name, position) + bisect: O(log n + matches) per lookup, so a file with 100,000
        # unknown flags costs 100,000 bisections (a linear scan of ~500 options costs ~1 ms each).
        hits = []
        j = bisect.bisect_left(index, (prefix, -1))
        while j < len(index) and index[j][0].startswith(prefix):
            hits.append(index[j][1])
            j += 1
        hits.sort()
        return [opts[i] for i in hits if opts[i] not in self.uncertain]

    def _serve_only(self, option: str) -> bool:
        hit = self._by_option.get(option)
        return bool(hit and hit[0].serve_only)

    def long_options(self) -> list[str]:
        """The ``--`` options of ``vllm serve`` without ``--help``: the did-you-mean candidates."""
        return [o for o in self.option_strings() if o.startswith("--") and o != "--help"]


def _spec_from_json(rec: dict) -> FlagSpec:
    return FlagSpec(
        dest=rec["dest"],
        options=tuple(rec["opts"]),
        negations=tuple(rec.get("neg") or ()),
        hidden_negations=tuple(rec.get("hneg") or ()),
        kind=rec["kind"],
        type=rec["type"],
        nargs=rec.get("nargs"),
        const=rec.get("const"),
        choices=tuple(rec["choices"]) if rec.get("choices") is not None else None,
        default=rec.get("default"),
        deprecated=bool(rec.get("dep")),
        constraints=rec.get("cons"),
        serve_only=bool(rec.get("serve_only")),
        api_only=bool(rec.get("api_only")),
        type_name=rec.get("type_name"),
        err=rec.get("err"),
        err_shapes=rec.get("err_shapes"),
        option_order=tuple(rec["order"]) if rec.get("order") else None,
    )


@lru_cache(maxsize=None)
def _load_raw(table: str) -> dict:
    text = (_DATA / f"flags-{table}.json").read_text("utf-8")
    return json.loads(text)


@lru_cache(maxsize=None)
def _load_specs(table: str) -> tuple[tuple[FlagSpec, ...], str]:
    raw = _load_raw(table)
    return tuple(_spec_from_json(r) for r in raw["flags"]), raw.get("origin", "")


def _meta(table: str) -> dict:
    raw = _load_raw(table)
    return {
        "prog": raw.get("prog", "vllm serve"),
        "positional": raw.get("positional"),
        "registry": tuple(raw["registry"]) if raw.get("registry") else None,
        "post_choices": raw.get("post_choices") or None,
    }


def sampled_versions() -> tuple[str, ...]:
    """Releases with a table, oldest first: every known release."""
    return releases.release_versions()


def bracket(version: str) -> tuple[str, str | None]:
    """(nearest known release <= version, next known release > version or None).

    A version older than every release uses the oldest table; an unparseable one the newest.
    """
    known = sampled_versions()
    v = parse_version(version)
    if v is None:
        return known[-1], None
    lower, upper = known[0], None
    for s in known:
        if (parse_version(s) or (0,)) <= v:
            lower = s
        else:
            upper = s
            break
    return lower, upper


def table_of(version: str) -> str:
    """The ``flags-<table>.json`` holding the parser of a known release."""
    row = releases.release(version)
    if row is None:
        raise KeyError(version)
    return row.table


@lru_cache(maxsize=128)
def flag_table(version: str) -> FlagTable:
    """The options vLLM ``version`` accepts (its own parser when it is a known release).

    When ``version`` is no known release, the release below it is used and the options that the
    next release adds or drops are included and marked uncertain.
    """
    lower, upper = bracket(version)
    specs, origin = _load_specs(table_of(lower))
    uncertain: set[str] = set()
    exact = parse_version(version) == parse_version(lower)
    if upper is not None and not exact:
        upper_specs, _ = _load_specs(table_of(upper))
        lower_opts = {o for s in specs for o in s.all_options}
        upper_opts = {o for s in upper_specs for o in s.all_options}
        uncertain |= lower_opts ^ upper_opts
        extra = []
        for s in upper_specs:
            # options the next release has and this one lacks may already exist in `version`:
            # accept them (lookup keeps the lower release's spec for every option it knows)
            if any(o not in lower_opts for o in s.all_options):
                extra.append(s)
        specs = specs + tuple(extra)
    return FlagTable(version=lower, requested=version, flags=specs, origin=origin, uncertain=frozenset(uncertain),
                     **_meta(table_of(lower)))


@lru_cache(maxsize=1)
def _history() -> dict:
    text = (_DATA / "history.json").read_text("utf-8")
    return json.loads(text)


def option_history(option: str) -> OptionHistory | None:
    """When ``option`` (an exact option string) existed, over every known release."""
    rec = _history()["options"].get(option)
    if rec is None:
        return None
    return _option_history(option)


@lru_cache(maxsize=4096)
def _option_history(option: str) -> OptionHistory:
    rec = _history()["options"][option]
    order = sampled_versions()
    pos = {v: i for i, v in enumerate(order)}
    runs = tuple((first, last, spec) for first, last, spec in rec["specs"])
    present = tuple(v for first, last, _ in runs for v in order[pos[first]:pos[last] + 1])
    first_i, last_i = pos[present[0]], pos[present[-1]]
    return OptionHistory(
        option=option,
        dest=runs[-1][2]["dest"],
        present=present,
        added_after=order[first_i - 1] if first_i > 0 else None,
        removed_by=order[last_i + 1] if last_i + 1 < len(order) else None,
        replacement=rec.get("replacement"),
        runs=runs,
    )


def option_runs(option: str) -> list:
    """``[[first, last, spec], ...]``: the runs of consecutive releases in which the exact option
    string ``option`` exists with an unchanged spec (empty when no release has it)."""
    rec = _history()["options"].get(option)
    return rec["specs"] if rec else []


def all_known_options() -> list[str]:
    """Every option string any release accepted (for did-you-mean)."""
    return list(_history()["options"].keys())
