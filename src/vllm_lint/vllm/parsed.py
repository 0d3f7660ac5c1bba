"""What parsing a launch's argv gives: typed option values with the tokens that set them, and every
problem vLLM's parser of the target release would have with them (``ArgProblem``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vllm_lint.vllm.flags import FlagTable

PROG = {"serve": "vllm serve", "api_server": "api_server.py", "legacy_api_server": "api_server.py"}

_SYMBOLIC_RE = re.compile(r"\$\{|\$\(|\{\{|\$[A-Za-z_0-9@*]|\{[A-Za-z_][\w.]*\}|%\{|REPLACE_ENV_")
NEG_NUMBER_RE = re.compile(r"^-\d+$|^-\d*\.\d+$")


def is_symbolic(text: str) -> bool:
    """True when a token still holds an unexpanded ``${VAR}``, ``$(VAR)``, ``{{ }}`` or template."""
    return bool(_SYMBOLIC_RE.search(text))


# "$@", "$*", "${ARGS[@]}" (as the launch passes them, possibly wrapped in ${...}): zero or more
# words forwarded from elsewhere, options as likely as a model
_SPLAT_RE = re.compile(r"^(?:\$\{)?\$(?:[@*]|\{[@*]\})\}?$|^\$\{[A-Za-z_]\w*\[[@*]\]\}$")


def is_splat(text: str) -> bool:
    """True when a token stands for any number of forwarded arguments (``"$@"``, ``"${A[@]}"``)."""
    return bool(_SPLAT_RE.match(text))


@dataclass(slots=True)
class FlagUse:
    """Where one option was given: token indexes into the launch's args."""

    flag_index: int
    value_index: int | None
    option_string: str  # as written (after vLLM's _ -> - normalisation), e.g. "--max-num-seq"
    value_text: str | None = None
    from_config: bool = False


@dataclass(slots=True)
class ArgProblem:
    """Something vLLM rejects or does differently than the file says.

    ``replacement`` lists (token index, new full token text) edits that make the launch do what
    was meant without changing behaviour otherwise; an empty text means "delete the token".
    """

    code: str
    message: str
    token_index: int
    value_index: int | None = None
    replacement: list[tuple[int, str]] | None = None
    suggestion: str | None = None
    fatal: bool = False  # vLLM exits at startup
    dest: str | None = None
    detail: str | None = None


@dataclass(slots=True)
class ParsedArgs:
    """The launch's options as vLLM ``version`` sees them.

    ``values`` holds only what the launch sets (dest -> typed value); ``effective(dest)`` falls back
    to the release default. Symbolic values (``${VAR}``) are left out of ``values``.
    """

    version: str
    entrypoint: str
    table: FlagTable
    values: dict[str, object] = field(default_factory=dict)
    uses: dict[str, FlagUse] = field(default_factory=dict)
    occurrences: dict[str, list[FlagUse]] = field(default_factory=dict)
    model: str | None = None
    model_index: int | None = None
    served_model_name: list[str] | None = None
    problems: list[ArgProblem] = field(default_factory=list)
    error: str | None = None  # the line vLLM would exit with ("vllm serve: error: ..."), if any
    symbolic: set[str] = field(default_factory=set)  # dests whose value is not known statically
    opaque: list[int] = field(default_factory=list)  # token indexes that may expand to any args

    def effective(self, dest: str) -> object:
        if dest in self.values:
            return self.values[dest]
        spec = self.table.by_dest(dest)
        return spec.default if spec else None

    def has(self, dest: str) -> bool:
        return dest in self.uses


@dataclass(slots=True)
class Item:
    text: str
    origin: int  # index into the caller's tokens (-1: synthesized with no place)
    from_config: bool = False
    symbolic: bool = False
