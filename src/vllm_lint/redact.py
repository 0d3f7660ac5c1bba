"""Secrets as every report shows them: enough of a credential to find it, never enough to use it.

One way for VL501 (which reports them), ``vllm-lint launches`` (which lists env and argv) and the
text report's code frames: a token with a recognisable prefix (``hf_…``, ``sk-…``), the value of a
variable whose name says it holds a credential (``HF_TOKEN``, ``*_API_KEY``), and the values of
``--api-key``/``--hf-token``, each when ``rules.secret_values.classify`` judges it a secret or a
typed credential. References, placeholders and test values (``$HF_TOKEN``, ``<your-token>``,
``EMPTY``) are shown as written.
"""

from __future__ import annotations

import re

# Token formats with a recognisable prefix (Hugging Face user access tokens are hf_ + 34 letters).
# The look-behind (no word character before the prefix) is written after the literal prefix: a
# pattern that opens with a literal is searched for, one that opens with a look-behind is tried at
# every character (~0.1 s over a 2,000-file tree). Same matches.
TOKEN_PATTERNS = (
    ("Hugging Face token", re.compile(r"hf_(?<![A-Za-z0-9_]hf_)[A-Za-z0-9]{30,}(?![A-Za-z0-9])")),
    ("OpenAI-style API key", re.compile(r"sk-(?<![A-Za-z0-9_-]sk-)(?:proj-)?[A-Za-z0-9_\-]{20,}(?![A-Za-z0-9_\-])")),
)
# Variables whose value is a credential.
SECRET_NAME = re.compile(
    r"^(?:HF_TOKEN|HUGGING_FACE_HUB_TOKEN|HUGGINGFACE_HUB_TOKEN|HUGGINGFACE_TOKEN|HF_API_TOKEN|VLLM_API_KEY|"
    r"OPENAI_API_KEY|[A-Z0-9_]*_API_KEY|[A-Z0-9_]*_SECRET(?:_KEY)?|[A-Z0-9_]*_ACCESS_TOKEN|API_KEY|TOKEN)$",
    re.I,
)
# vLLM options whose value is a credential.
SECRET_FLAGS = ("--api-key", "--hf-token")


def redact(secret: str) -> str:
    """Enough of a secret to find it, never enough to use it."""
    keep = 6 if len(secret) > 12 else 3
    return secret[:keep] + "…"


def looks_secret(value: str) -> bool:
    """A value that is a credential (a secret or a typed one) rather than a reference, a
    placeholder or a test value."""
    from vllm_lint.rules.secret_values import HAND_WRITTEN, SECRET, classify

    return classify(value).kind in (SECRET, HAND_WRITTEN)


def token_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every prefixed token (``hf_…``, ``sk-…``) in ``text``, in order."""
    out = []
    for kind, pat in TOKEN_PATTERNS:
        for m in pat.finditer(text):
            if looks_secret(m.group(0)):  # hf_xxxxxxxx… and other stand-ins stay readable
                out.append((m.start(), m.end(), kind))
    return sorted(out)


def mask_text(text: str) -> str:
    """``text`` with every prefixed token redacted."""
    if "hf_" not in text and "sk-" not in text:
        return text
    out, at = [], 0
    for start, end, _kind in token_spans(text):
        if start < at:
            continue
        out += [text[at:start], redact(text[start:end])]
        at = end
    return "".join(out) + text[at:]


def mask_env(name: str, value: str, symbolic: bool = False) -> str:
    """An environment variable's value as reports show it."""
    if not symbolic and SECRET_NAME.match(name) and name.upper() != "TOKEN" and looks_secret(value):
        return redact(value)
    return mask_text(value)


def mask_argv(words: list[str]) -> list[str]:
    """Command-line words as reports show them: the values of ``--api-key``/``--hf-token`` (also
    ``--api-key=…``) and prefixed tokens anywhere redacted."""
    out: list[str] = []
    secret_next = False
    for word in words:
        flag, eq, value = word.partition("=")
        if secret_next:
            out.append(redact(word) if looks_secret(word) else word)
        elif eq and flag in SECRET_FLAGS and looks_secret(value):
            out.append(f"{flag}={redact(value)}")
        else:
            out.append(mask_text(word))
        secret_next = not eq and word in SECRET_FLAGS
    return out


_LINE_ASSIGN = re.compile(r"(?<![A-Za-z0-9_])(?P<name>[A-Za-z_][A-Za-z0-9_]*)['\"]?\s*[:=]\s*['\"]?(?P<value>[^\s'\"#,}\]]+)")
_LINE_FLAG = re.compile(r"(?<![\w-])(?:--api-key|--hf-token)(?:=|\s+)['\"]?(?P<value>[^\s'\"]+)")


def mask_line(line: str, known: tuple[tuple[int, int], ...] = ()) -> tuple[str, list[tuple[int, int, str]]]:
    """A source line as a code frame shows it, and the (start, end, replacement) of each secret
    it redacted (for moving a caret with the text). ``known``: spans of the line already known to
    hold a secret (a VL501 finding's, whose variable name may sit on another line)."""
    upper = line.upper()
    if not known and not any(m in line for m in ("hf_", "sk-", "--api-key", "--hf-token")) \
            and not any(m in upper for m in ("KEY", "TOKEN", "SECRET")):
        return line, []
    regions = [(s, e) for s, e, _ in token_spans(line)] + [(s, e) for s, e in known if 0 <= s < e <= len(line)]
    for m in _LINE_ASSIGN.finditer(line):
        if SECRET_NAME.match(m.group("name")) and m.group("name").upper() != "TOKEN" and looks_secret(m.group("value")):
            regions.append(m.span("value"))
    regions += [m.span("value") for m in _LINE_FLAG.finditer(line) if looks_secret(m.group("value"))]
    merged: list[tuple[int, int, str]] = []
    for s, e in sorted(regions):
        if merged and s < merged[-1][1]:
            continue
        merged.append((s, e, redact(line[s:e])))
    out, at = [], 0
    for s, e, rep in merged:
        out += [line[at:s], rep]
        at = e
    return "".join(out) + line[at:], merged


def moved_column(column: int, regions: list[tuple[int, int, str]], end: bool = False) -> int:
    """Where 0-based ``column`` of a line lands after ``mask_line`` replaced ``regions``; a column
    inside a redacted secret moves to its replacement's start (``end``: to its end)."""
    shift = 0
    for s, e, rep in regions:
        if column >= e:
            shift += len(rep) - (e - s)
        elif column > s:
            return s + shift + (len(rep) if end else 0)
        else:
            break
    return column + shift
