"""Where and how new argv words are written into a file, in the style of their surroundings.

Each helper returns a ``launch.Insertion`` whose ``render(words)`` gives the exact text to
insert at ``offset``: a YAML block-list item with the same indentation and quoting, a flow-list
item, a shell continuation `` \\<newline>  --flag value`` matching the previous continuation's
indentation, or `` --flag value`` on a one-line command.
"""

from __future__ import annotations

import re
import shlex

from yaml.nodes import Node, ScalarNode, SequenceNode

from vllm_lint.launch import Insertion
from vllm_lint.sources.base import SourceFile

_YAML_PLAIN_OK = re.compile(r"^[A-Za-z_./@+-][A-Za-z0-9_./:@+=,%-]*$")
_YAML_NON_STR = re.compile(
    r"^(?:[-+]?\d[\d_]*(?:\.\d*)?(?:[eE][-+]?\d+)?|[-+]?\.\d+|0x[0-9a-fA-F]+|0o[0-7]+|"
    r"true|false|yes|no|on|off|null|~|y|n)$", re.I)


def _newline(src: SourceFile, near: int) -> str:
    nl = src.text.find("\n", near)
    if nl > 0 and src.text[nl - 1] == "\r":
        return "\r\n"
    return "\n"


def _line_end(text: str, offset: int) -> int:
    """Offset of the end of the line holding ``offset`` (before ``\\r\\n``/``\\n``)."""
    nl = text.find("\n", offset)
    nl = len(text) if nl == -1 else nl
    if nl > 0 and nl <= len(text) and text[nl - 1:nl] == "\r":
        nl -= 1
    return nl


def yaml_quote(word: str, style: str | None) -> str:
    """A YAML scalar that reads back as the string ``word``, in the given quote style if possible."""
    if style == "'" and "\n" not in word:
        return "'" + word.replace("'", "''") + "'"
    if style in (None, "") and _YAML_PLAIN_OK.match(word) and not _YAML_NON_STR.match(word) and ": " not in word \
            and not word.startswith(("- ", "-- ")):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def yaml_list_insertion(seq: SequenceNode, src: SourceFile) -> Insertion | None:
    """Append to a YAML sequence (block or flow) in its own style."""
    text = src.text
    items = [n for n in seq.value]
    if seq.flow_style or text[seq.start_mark.index:seq.start_mark.index + 1] == "[":
        if not items:
            offset = seq.start_mark.index + 1
            style = '"'

            def render_empty(words: list[str]) -> str:
                return ", ".join(yaml_quote(w, style) for w in words)

            return Insertion(src.display, offset, render_empty)
        last = items[-1]
        style = last.style if isinstance(last, ScalarNode) else '"'
        offset = last.end_mark.index

        def render_flow(words: list[str]) -> str:
            return "".join(", " + yaml_quote(w, style) for w in words)

        return Insertion(src.display, offset, render_flow)
    if not items:
        return None
    last = items[-1]
    first = items[0]
    # the "- " indicator sits before the first item on its line
    line_start = text.rfind("\n", 0, first.start_mark.index) + 1
    prefix = text[line_start:first.start_mark.index]
    dash = prefix.rfind("-")
    indent = prefix[:dash] if dash >= 0 else " " * max(0, first.start_mark.column - 2)
    indent = re.sub(r"[^\t]", " ", indent)
    after_dash = prefix[dash + 1:] if dash >= 0 else " "
    gap = after_dash if after_dash.strip() == "" and after_dash else " "
    style = last.style if isinstance(last, ScalarNode) and last.style in ("'", '"', None) else '"'
    end_index = last.end_mark.index
    if isinstance(last, ScalarNode) and last.style in ("|", ">"):
        end_index = max(last.start_mark.index, end_index - 1)
    offset = _line_end(text, max(0, end_index - (1 if end_index > 0 and text[end_index - 1:end_index] == "\n" else 0)))
    nl = _newline(src, offset)

    def render_block(words: list[str]) -> str:
        return "".join(f"{nl}{indent}-{gap}{yaml_quote(w, style)}" for w in words)

    return Insertion(src.display, offset, render_block)


def shell_quote(word: str) -> str:
    """A word as a POSIX shell reads it back unchanged (``''`` for the empty word): the one
    quoting every inserted flag uses, in scripts and in Kubernetes ``sh -c`` strings alike."""
    return shlex.quote(word)


def shell_insertion(src: SourceFile, last_end: int, *, folded_yaml: bool = False, display: str | None = None) -> Insertion:
    """After the last word of a shell command (file offset ``last_end``).

    When the command is continued over lines with backslashes, add a new continued line with
    the indentation of the previous one; inside a folded YAML scalar (``>``), a new line with the
    same indentation (YAML folds it into a space); otherwise `` --flag value`` on the same line.
    """
    text = src.text
    line_start = text.rfind("\n", 0, last_end) + 1
    line = text[line_start:_line_end(text, last_end)]
    indent = re.match(r"[ \t]*", line).group(0)
    prev_end = line_start - 1
    prev_line_start = text.rfind("\n", 0, max(0, prev_end)) + 1
    prev_line = text[prev_line_start:prev_end].rstrip("\r") if prev_end > 0 else ""
    continued = prev_line.rstrip().endswith("\\")
    nl = _newline(src, last_end)

    if continued:
        def render(words: list[str]) -> str:
            return f" \\{nl}{indent}" + " ".join(shell_quote(w) for w in words)
    elif folded_yaml and line_start > 0 and indent:
        def render(words: list[str]) -> str:
            return f"{nl}{indent}" + " ".join(shell_quote(w) for w in words)
    else:
        def render(words: list[str]) -> str:
            return " " + " ".join(shell_quote(w) for w in words)
    return Insertion(display or src.display, last_end, render)


def mapping_key_insertion(mapping: Node, src: SourceFile, key: str) -> Insertion | None:
    """Add ``key: [words]`` as a new key at the end of a block mapping."""
    if not getattr(mapping, "value", None):
        return None
    text = src.text
    first_key = mapping.value[0][0]
    indent = " " * first_key.start_mark.column
    last_val = mapping.value[-1][1]
    end = last_val.end_mark.index
    if end > 0 and text[end - 1:end] == "\n":
        end -= 1
    offset = _line_end(text, max(0, end - 1) if end > 0 else 0)
    nl = _newline(src, offset)

    def render(words: list[str]) -> str:
        return f"{nl}{indent}{key}: [" + ", ".join(yaml_quote(w, '"') for w in words) + "]"

    return Insertion(src.display, offset, render)
