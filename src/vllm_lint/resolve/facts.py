"""Facts with provenance: what a finding may rest on, where it came from and how sure it is.

The resolve stage turns what the sources found (an image tag, a node label, a ``${X:-d}`` default,
a flag behind a shell guard) into ``Fact`` values; the rules read them through ``RuleContext``,
which records every uncertain fact a check reads; ``rules.certainty`` then decides, in one place,
what a finding resting on them may say (docs/architecture.md, "Conventions"):

* every fact certain (stated, derived, trusted): the rule's own severity;
* an assumed fact: at most a warning, the message says what was assumed, no fix is safe; when the
  fact has plausible ``alternatives`` the finding is checked under each of them and keeps its
  severity only when it holds in all of them (a typo in every vLLM release is still an error);
* an unknown fact: the finding is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Generic, Mapping, TypeVar

from vllm_lint.span import Span

T = TypeVar("T")


class Certainty(IntEnum):
    """How a fact is known, from most to least sure."""

    STATED = 0  # written in the linted file, or typed by the user (--gpu, a directive, the config)
    DERIVED = 1  # follows from stated facts without a guess (GPUs per pod = TP x PP x DP-local)
    TRUSTED = 2  # read from a source the tool trusts: catalog, config.json, an official image tag
    ASSUMED = 3  # a default reading: the newest release, a name pattern, a GPU from a family label
    UNKNOWN = 4  # not known at all: a check that needs it says nothing

    @property
    def certain(self) -> bool:
        return self <= Certainty.TRUSTED


# What a fact is about; a world (one plausible reading of the launch) maps kinds to values.
VERSION = "vllm-version"
ENTRYPOINT = "entrypoint"
GPU = "gpu"
MODEL = "model"
TOKEN = "token"  # one argv word's value: literal, a default, an env var, conditional on a guard
SETTING = "setting"  # an environment or orchestrator value (.env, a template default)


@dataclass(frozen=True, slots=True)
class Fact(Generic[T]):
    """One fact with its provenance.

    ``source`` says where the value came from, in words for messages (``image tag
    vllm/vllm-openai:v0.9.2``). ``assumption`` is the clause a finding resting on an uncertain fact
    adds to its message (``if the image runs vLLM 0.33.0``). ``alternatives`` are the other values
    the fact may plausibly have (other candidate releases, the other memory variant of a GPU): a
    finding is certain about the fact when it holds under every one of them. ``key`` tells facts of
    one kind apart (a token's index).
    """

    kind: str
    value: T | None
    certainty: Certainty
    source: str = ""
    span: Span | None = None
    assumption: str = ""
    alternatives: tuple = ()
    key: str = ""

    @property
    def certain(self) -> bool:
        return self.certainty.certain

    @property
    def ident(self) -> tuple[str, str]:
        return (self.kind, self.key)


@dataclass(frozen=True, slots=True)
class World:
    """One plausible reading of a launch: fact kind (and key) -> the value to assume instead."""

    values: tuple[tuple[tuple[str, str], object], ...] = ()

    def get(self, kind: str, key: str = "", default: object = None) -> object:
        for k, v in self.values:
            if k == (kind, key):
                return v
        return default

    def __contains__(self, ident: object) -> bool:
        return any(k == ident for k, _ in self.values)

    def with_value(self, fact: Fact, value: object) -> "World":
        return World(tuple((k, v) for k, v in self.values if k != fact.ident) + ((fact.ident, value),))

    @classmethod
    def of(cls, mapping: Mapping[tuple[str, str], object]) -> "World":
        return cls(tuple(mapping.items()))


@dataclass(slots=True)
class Reads:
    """The facts one check has read so far (reset for every check of every launch)."""

    facts: dict[tuple[str, str], Fact] = field(default_factory=dict)

    def add(self, fact: Fact | None) -> None:
        if fact is not None:
            self.facts.setdefault(fact.ident, fact)

    def snapshot(self) -> tuple[Fact, ...]:
        return tuple(self.facts.values())

    def clear(self) -> None:
        self.facts.clear()


def stated(kind: str, value: T, source: str, *, span: Span | None = None, key: str = "") -> Fact[T]:
    return Fact(kind, value, Certainty.STATED, source, span, key=key)
