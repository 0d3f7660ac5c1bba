"""The shell reading's data: variable values, expanded words with file offsets, simple commands and
scripts, and the limits that keep hostile input cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vllm_lint.launch import Token

# Words of one simple command that are expanded; later ones are dropped (vllm-lint refuses a
# launch with more than Limits.max_args words anyway, so only the count past this cap is lost).
MAX_COMMAND_WORDS = 100_000
KEYWORDS = frozenset({"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "case",
                      "esac", "{", "}", "!", "time", "in", "function", "select", "coproc"})
DECLARE = frozenset({"export", "declare", "typeset", "local", "readonly"})
MAX_DEPTH = 50
MAX_VALUE = 100_000  # longest variable value kept; longer ones become symbolic


@dataclass(slots=True)
class Val:
    """A shell variable's value. ``symbolic`` when it is not statically known (``$1``,
    ``$(cmd)``); ``items`` for a bash array (its element words, with spans)."""

    text: str
    symbolic: bool = False
    items: list["Word"] | None = None
    start: int | None = None  # where the value was written, when known
    end: int | None = None
    # ``X="$X --flag v"`` behind a guard: (start, end, condition) of the text it added
    conds: list[tuple[int, int, str]] | None = None


@dataclass(slots=True)
class Word:
    """One word after expansion and quote removal. ``start``/``end`` are file offsets of the
    source characters it came from (a ``${X:-d}`` default points inside the braces)."""

    text: str
    start: int
    end: int
    symbolic: bool = False
    quoted: bool = False
    expanded: bool = False  # some characters came from a parameter expansion
    starts: list[int] | None = None  # per character of text: file offset of its source
    ends: list[int] | None = None  # per character: offset after its source (nested sh -c)
    raw_end: int | None = None  # file offset after the whole source word (closing quotes, braces)
    condition: str | None = None  # passed only then (a shell guard); see launch.Token

    def token(self, src_text: str, index, style: str = "argv") -> Token:
        """A launch Token; ``index`` is the file's LineIndex."""
        span = index.span(self.start, self.end)
        return Token(text=self.text, span=span, raw=src_text[self.start:self.end], style=style,
                     symbolic=self.symbolic, condition=self.condition)


@dataclass(slots=True)
class Command:
    """A simple command: its words (assignment prefixes removed) and the prefix assignments."""

    words: list[Word]
    assigns: dict[str, Val] = field(default_factory=dict)
    start: int = 0  # file offsets of the command's first and last source characters
    end: int = 0
    sep: str = ""  # the operator that ended it
    background: bool = False
    env: dict[str, Val] = field(default_factory=dict)  # shell variables visible to it
    raw_start: int = 0  # index into s
    raw_end: int = 0
    unknowns: list[str] = field(default_factory=list)  # what its expansion left unresolved
    heredocs: list[tuple[int, int, bool]] = field(default_factory=list)  # (lo, hi, quoted) into s
    redirects: list[str] = field(default_factory=list)  # output redirection targets as written


@dataclass(slots=True)
class Frame:
    """An open compound command; ``branches`` holds each if/elif/else branch's assignments;
    ``guard`` is how a word set inside it is described (``"when [ -n "$X" ] succeeds"``)."""

    kind: str
    branches: list[dict[str, Val]] = field(default_factory=lambda: [{}])
    guard: str | None = None


@dataclass(slots=True)
class Script:
    commands: list[Command]
    env: dict[str, Val]
    unknowns: list[str]
