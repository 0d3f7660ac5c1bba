"""What a value written where a credential goes really is: a secret, or something that only looks
like one (a reference resolved at run time, a redaction, a template placeholder, a test value).

``classify`` reads ``RULES`` top to bottom; the first row whose pattern matches decides. A value
no row matches is a ``SECRET`` when it has a known token format or looks randomly generated, and
``HAND_WRITTEN`` otherwise (a credential a person typed). VL501 reports ``SECRET`` as an error,
``HAND_WRITTEN`` as an error where it is vLLM's own key (any string is a valid ``--api-key``) and
a warning elsewhere (a provider's token has a format, so a typed word is likely a local stand-in),
and ``TEST`` as a warning where it guards the server; VL509 reports ``PLACEHOLDER``, which the
launch would send as written.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable

SECRET = "secret"  # a known token format or a random-looking string: an error
HAND_WRITTEN = "hand-written"  # a value a person typed (`hoailb-vllm`, `s3cr3t-key-2024`)
TEST = "test"  # a well-known test or "no key" value (`test`, `dummy`, `EMPTY`, `token-abc123`)
PLACEHOLDER = "placeholder"  # a template value nobody replaced (`<hf_token>`, `your-token-here`)
REDACTED = "redacted"  # a value someone removed on purpose (`REDACTED`, `hf_REDACTED`, `****`)
REFERENCE = "reference"  # resolved at run time (`$VAR`, `${VAR:?msg}`, `$(cat f)`, `{{ .Values.x }}`)
EMPTY = "empty"  # nothing, or words that say nothing is set (`none`, `null`)

# Prefixes of token formats; a placeholder keeps them (`hf_xxx`, `sk-...`), so the "rest" row
# looks at what follows them.
_PREFIX = re.compile(r"^(?:hf_|sk-(?:proj-|ant-)?|ghp_|github_pat_|gsk_|glpat-|xox[bp]-)", re.I)

# Token formats whose shape alone makes a value a real credential.
TOKEN_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Hugging Face token", re.compile(r"^hf_[A-Za-z0-9]{30,}$")),
    ("OpenAI-style API key", re.compile(r"^sk-(?:proj-|ant-)?[A-Za-z0-9_\-]{20,}$")),
    ("GitHub token", re.compile(r"^(?:ghp_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{40,})$")),
    ("AWS access key id", re.compile(r"^(?:AKIA|ASIA)[0-9A-Z]{16}$")),
    ("Slack token", re.compile(r"^xox[bp]-[A-Za-z0-9-]{20,}$")),
)


def _rx(pattern: str, flags: int = 0, *, rest: bool = False) -> Callable[[str], bool]:
    """A row's test: ``pattern`` searched in the value (``rest``: after any token prefix),
    compiled on the first value classified (most runs classify none)."""
    compiled: list[re.Pattern[str]] = []

    def test(v: str) -> bool:
        if not compiled:
            compiled.append(re.compile(pattern, flags))
        return compiled[0].search(_PREFIX.sub("", v) if rest else v) is not None

    return test


def _token_format(v: str) -> bool:
    return any(p.match(v) for _, p in TOKEN_FORMATS)


_I = re.I

# (kind, test, what the row recognises), read top to bottom; the first row that matches decides.
# A value no row matches is HAND_WRITTEN.
RULES: tuple[tuple[str, Callable[[str], bool], str], ...] = (
    (EMPTY, _rx(r"^\s*$"), "nothing written"),
    (EMPTY, _rx(r"^(?:none|null|nil|undefined|false|true)$", _I), "a word for no value"),
    (REFERENCE, _rx(r"\$(?:\{|\(|[A-Za-z_])"), "a shell, compose or Kubernetes variable reference"),
    (REFERENCE, _rx(r"\{\{|\{%"), "a Helm, Jinja or GitHub Actions template expression"),
    (REFERENCE, _rx(r"%[A-Za-z_][\w.\-]*%|![A-Za-z_][\w.\-]*!"), "a Windows batch variable reference"),
    (REFERENCE, _rx(r"^(?:vault|ssm|secretsmanager|awssm|gcpsm|azkv|op|doppler|ref\+\w+):", _I),
     "a secret-store reference (Vault, AWS, GCP, Azure, 1Password, Doppler)"),
    (REFERENCE, _rx(r"^(?:/|\./|~/|file:)"), "a path to a file holding the secret"),
    (REFERENCE, _rx(r"^(?:os\.)?(?:getenv|environ)\b|^process\.env\.|^ENV\[|^(?:modal\.)?Secret\.|^System\.getenv"),
     "code that reads the value at run time (os.getenv(...), os.environ[...], process.env.X)"),
    (REDACTED, _rx(r"redact", _I), "a redaction marker"),
    (REDACTED, _rx(r"^[*•]{3,}$|^\[(?:hidden|removed|masked|omitted)\]$", _I), "a masked value"),
    (PLACEHOLDER, _rx(r"^<|>$"), "an <angle-bracket> placeholder"),
    (PLACEHOLDER, _rx(r"(?:^|[^a-z])your(?:[^a-z]|$)|^your", _I), "a 'your token' placeholder"),
    (PLACEHOLDER, _rx(r"change[-_ ]?me|replace[-_ ]?(?:me|with|this)|^replace", _I), "a 'change me' placeholder"),
    (PLACEHOLDER, _rx(r"(?:^|[-_ ])(?:here|placeholder)$|^(?:todo|fixme|tbd|placeholder)(?:[-_ ]|$)", _I),
     "a 'token here' or TODO placeholder"),
    (PLACEHOLDER, _rx(r"^(?=.*x{3})[x*.…_-]*$|^[.…]*$", _I, rest=True), "xxxx or ..., after any token prefix"),
    (PLACEHOLDER, _rx(r"^(?:unset|unspecified|to[-_ ]?be[-_ ]?set)$", _I), "a word saying no value was set (UNSET)"),
    (TEST, _rx(r"^(?:EMPTY|token-abc123)$", rest=True),
     "a value vLLM's own documentation uses (EMPTY for no key, token-abc123 as an example key)"),
    (TEST, _rx(r"^(?:test|testing|dummy|fake|local|localhost|dev|demo|example|sample|default|secret|"
               r"password|passw0rd|changeit|admin|foo|bar|foobar|key|token|apikey|api[-_]key|"
               r"abc123|123456\d*|no[-_]?key|not[-_]?(?:needed|required|used|set)|unused)$", _I, rest=True),
     "a well-known test value, after any token prefix (test, dummy, sk-EMPTY)"),
    (TEST, _rx(r"^(?:(?:1234|abcd|0000)[-_]?){2,}", rest=True), "a counting test key (sk-12341234…, abcdabcd…)"),
    (SECRET, _token_format, "a known token format"),
    (SECRET, lambda v: looks_random(v), "a random-looking string"),
    (TEST, _rx(r"^(?:test|dummy|fake|demo|example|sample|my)[-_]|[-_](?:test|dummy|fake|demo|example)$", _I),
     "a value named as a test one (test_api_key, my-secret-key, vllm-dummy)"),
    (TEST, _rx(r"^(?:(?:super|top|very|my|secret|api|key|token|password|pass)(?:[-_ ]|$)){2,}$", _I),
     "a value that only says it is a secret (super-secret-key, top-secret, api_token)"),
    (EMPTY, _rx(r"\s"), "prose: a credential has no blanks"),
)


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: str
    reason: str
    value: str  # what was judged: the value without quotes, or a `${VAR:-default}`'s default

    @property
    def label(self) -> str:
        """The token format's name for a SECRET of a known format, else the row's reason."""
        if self.kind == SECRET:
            for name, pattern in TOKEN_FORMATS:
                if pattern.match(self.value):
                    return name
        return self.reason


_DEFAULTED = re.compile(r"^\$\{[A-Za-z_]\w*(?::?[-=])(?P<default>[^}]*)\}$")


def classify(value: str) -> Verdict:
    """What ``value``, written where a credential goes, really is (see the module doc)."""
    v = value.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
        v = v[1:-1]
    m = _DEFAULTED.match(v)
    if m:  # ${HF_TOKEN:-hf_...}: the default is a literal the launch may use
        inner = classify(m.group("default"))
        return inner if inner.kind != EMPTY else Verdict(REFERENCE, "a variable reference", v)
    for kind, test, reason in RULES:
        if test(v):
            return Verdict(kind, reason, v)
    return Verdict(HAND_WRITTEN, "a hand-written value", v)


def shannon_bits(s: str) -> float:
    """Shannon entropy of ``s`` in bits per character."""
    if not s:
        return 0.0
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in Counter(s).values())


def looks_random(v: str) -> bool:
    """True for a generated string: at least 16 characters with a run of 12 or more that mixes
    character classes (lower, upper, digits) at 3 bits per character or more. Words joined by
    dashes (``my-company-key-2024``) and leetspeak (``s3cr3t``) are not."""
    if len(v) < 16:
        return False
    for run in re.split(r"[-_.:/+=~]", v):
        if len(run) < 12 or shannon_bits(run) < 3.0:
            continue
        classes = sum(bool(re.search(p, run)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
        if classes >= 2:
            return True
    return False
