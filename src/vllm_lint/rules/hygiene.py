"""Security and hygiene rules (VL5xx): secrets and unreplaced placeholders in committed files,
remote code, unpinned images, ports the container does not publish, and ``$VAR`` that Kubernetes
leaves unexpanded.

VL501 and VL509 are project-scope checks: they receive every launch and scan the text of each file
that holds one (so a token in an ``env`` block or a Dockerfile ``ENV`` is found, not only in argv).
Files without any vLLM launch are not scanned. What a value is (a secret, a reference, a redaction,
a placeholder, a test value) is decided by ``secret_values.classify``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Iterator, NamedTuple

from vllm_lint.diagnostic import Diagnostic, Edit, Fix, Severity
from vllm_lint.redact import (  # one classifier and redaction for every report
    SECRET_NAME,
    TOKEN_PATTERNS,
    redact,
)
from vllm_lint.rule_meta import make_diagnostic
from vllm_lint.rules import flag_values
from vllm_lint.rules import secret_values
from vllm_lint.rules.context import RuleContext
from vllm_lint.rules.registry import register
from vllm_lint.span import Span
from vllm_lint.vllm.moving_tags import moving_tag
from vllm_lint.vllm.versions import at_least

# -- VL501 / VL509 -------------------------------------------------------------------------------

# Where the value guards the server itself: a well-known test value there lets anyone call it.
_SERVER_KEYS = ("--api-key value", "VLLM_API_KEY value")
# Files that show the form of a configuration rather than configure anything: placeholders and
# test values are what they should hold.
_EXAMPLE_FILE = re.compile(r"(?i)(?:^|[._-])(?:example|sample|template|dist)(?:[._-]|$)|\.(?:tpl|tftpl)$")


_VALUE = r"(?:(?P<q>['\"])(?P<qvalue>[^'\"\n]*)(?P=q)|(?P<value>[^\s'\"#,}\]]+))"
_ASSIGN = re.compile(
    # the look-behind keeps this linear on long runs of word characters (a 5 MB one-line file)
    r"(?<![A-Za-z0-9_])(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*[:=][ \t]*" + _VALUE
)
# Dockerfile's legacy `ENV NAME value` form.
_ENV_SPACE = re.compile(r"(?mi)^[ \t]*ENV[ \t]+(?P<name>[A-Za-z_]\w*)[ \t]+" + _VALUE + r"[ \t]*$")
# Kubernetes env lists: `- name: HF_TOKEN` followed by `value: ...`
_K8S_ENV = re.compile(r"name:\s*['\"]?(?P<name>[A-Za-z_][A-Za-z0-9_]*)['\"]?\s*\n\s*value:[ \t]*" + _VALUE)
# `${HF_TOKEN:-default}` / `${HF_TOKEN=default}`: the default is a literal the launch may use.
_DEFAULTED = re.compile(r"\$\{(?P<name>[A-Za-z_]\w*):?[-=](?P<value>[^}\s'\"]*)\}")


def _value_group(m: re.Match) -> str:
    return "qvalue" if m.group("qvalue") is not None else "value"


def _commented(text: str, pos: int) -> bool:
    """True when ``pos`` follows a ``#`` that starts a comment on its line (looking back at most
    1,000 characters, so a megabyte line of assignments stays linear)."""
    floor = max(0, pos - 1000)
    line_start = text.rfind("\n", floor, pos) + 1 or floor
    before = text[line_start:pos]
    return "#" in before and re.search(r"(?:^|\s)#", before) is not None


def _whole_placeholder(text: str, start: int, end: int) -> int:
    """The end of an ``<angle-bracket placeholder>`` written with blanks (``hf_token: <YOUR HF
    TOKEN>``), whose first word alone was matched; ``end`` otherwise."""
    if text[start:start + 1] != "<" or ">" in text[start:end]:
        return end
    line_end = text.find("\n", end)
    close = text.find(">", end, len(text) if line_end == -1 else line_end)
    return close + 1 if close != -1 else end


def _default_of(text: str, start: int) -> str | None:
    """The variable whose ``${NAME:-default}`` default starts at ``start``, if it is one."""
    m = re.search(r"\$\{([A-Za-z_]\w*):?[-=]$", text[max(0, start - 200):start])
    return m.group(1) if m else None


@lru_cache(maxsize=32)  # every rule that reads a file's credentials scans the same text
def _text_findings(text: str) -> tuple[tuple[int, int, str, str, bool], ...]:
    """(start, end, where, value, commented) of credential values written in a file's text."""
    return tuple(_scan_text(text))


def _scan_text(text: str) -> Iterator[tuple[int, int, str, str, bool]]:
    for kind, pat in TOKEN_PATTERNS:
        for m in pat.finditer(text):
            if secret_values.classify(m.group(0)).kind == secret_values.SECRET:
                yield m.start(), m.end(), kind, m.group(0), _commented(text, m.start())
    # NAME=value / NAME: value lines (.env, Dockerfile ENV, compose environment, shell exports)
    for m in [*_ASSIGN.finditer(text), *_ENV_SPACE.finditer(text), *_K8S_ENV.finditer(text)]:
        name = m.group("name")
        if not SECRET_NAME.match(name) or name.upper() == "TOKEN" or text[max(0, m.start() - 2):m.start()] == "${":
            continue  # `${NAME:?msg}` is an expansion, not an assignment (its default is below)
        g = _value_group(m)
        end = _whole_placeholder(text, m.start(g), m.end(g))
        yield m.start(g), end, f"{name} value", text[m.start(g):end], _commented(text, m.start())
    for m in _DEFAULTED.finditer(text):
        if SECRET_NAME.match(m.group("name")) and m.group("value"):
            yield m.start("value"), m.end("value"), f"{m.group('name')} value", m.group("value"), \
                _commented(text, m.start())


def _argv_findings(ctx: RuleContext) -> Iterator[tuple[Span, str, str]]:
    """(span, where, value) of credentials the launch itself passes: --api-key, --hf-token, env."""
    for dest, flag in (("api_key", "--api-key"), ("hf_token", "--hf-token")):
        if not flag_values.given(ctx, dest) or flag_values.symbolic(ctx, dest):
            continue
        tok = ctx.value_token(dest)
        use = ctx.args.uses.get(dest)
        value = getattr(use, "value_text", None)
        if value is None:
            raw = flag_values.raw_value(ctx, dest)
            value = raw[0] if isinstance(raw, list) and raw else raw
        if tok is None or tok.span is None or tok.symbolic or not isinstance(value, str) or "$" in (tok.raw or ""):
            continue
        yield tok.span, f"{flag} value", value
    for name, ev in ctx.launch.env.items():
        if not SECRET_NAME.match(name) or name.upper() == "TOKEN" or ev.symbolic or ev.span is None:
            continue
        # a value from another file (an env_file) cannot be sliced from this file's text
        if ev.span.path == ctx.src.display and "$" in ev.span.slice(ctx.src.text):
            continue
        yield ev.span, f"{name} value", ev.value


class _Credential(NamedTuple):
    ctx: RuleContext
    span: Span
    where: str  # "--api-key value", "HF_TOKEN value", "Hugging Face token"
    verdict: secret_values.Verdict
    commented: bool
    default_of: str | None  # NAME when the value is the default of `${NAME:-value}`

    @property
    def subject(self) -> str:
        """How messages name the place: `--api-key`, `HF_TOKEN`, `the default of ${HF_TOKEN}`."""
        if self.default_of:
            return f"the default of ${{{self.default_of}}}"
        return self.where.removesuffix(" value")

    @property
    def guards_server(self) -> bool:
        return self.where.startswith(("--api-key", "VLLM_API_KEY")) or self.default_of == "VLLM_API_KEY"

    @property
    def hf_token(self) -> bool:
        w = f"{self.where} {self.default_of or ''}".lower()
        return "hf" in w or "hugging" in w


def _credentials(launches: Iterable[RuleContext]) -> Iterator[_Credential]:
    """Every credential value in the launches and in the files that hold them, judged by
    ``secret_values.classify``, one per line."""
    seen: set[tuple[str, int]] = set()  # (file, line): whichever detector saw it first
    scanned: set[str] = set()
    for ctx in launches:
        found: list[tuple[Span, str, str, bool]] = [(sp, w, v, False) for sp, w, v in _argv_findings(ctx)]
        if ctx.src.display not in scanned:
            scanned.add(ctx.src.display)
            for start, end, where, value, commented in _text_findings(ctx.src.text):
                found.append((ctx.src.index.span(start, end), where, value, commented))
        for span, where, value, commented in found:
            key = (span.path, span.line)
            if key in seen:
                continue
            seen.add(key)
            default_of = _default_of(ctx.src.text, span.start) if span.path == ctx.src.display else None
            yield _Credential(ctx, span, where, secret_values.classify(value), commented, default_of)


@register("VL501", scope="project")
def hard_coded_secret(launches: Iterable[RuleContext]) -> Iterator[Diagnostic]:
    for c in _credentials(launches):
        path = c.span.path or c.ctx.src.display
        shown = redact(c.verdict.value)
        if c.verdict.kind == secret_values.SECRET:
            yield make_diagnostic(
                "VL501", path, c.span,
                f"hard-coded secret ({c.where} {shown}) in a committed file: anyone with read access to "
                f"the repository (and to images built from it) can use it",
                launch=c.ctx.launch.name, notes=[_READ_FROM_A_SECRET],
            )
        elif c.commented or _EXAMPLE_FILE.search(path.rsplit("/", 1)[-1]):
            continue
        elif c.verdict.kind == secret_values.HAND_WRITTEN and c.guards_server:
            # vLLM accepts any string as its key: the file states the key this server accepts
            yield make_diagnostic(
                "VL501", path, c.span,
                f"hard-coded API key ({c.where} {shown}) in a committed file: the server accepts it from "
                f"anyone with read access to the repository",
                launch=c.ctx.launch.name, notes=[_SERVER_NOTE],
            )
        elif c.verdict.kind == secret_values.HAND_WRITTEN:
            # a provider's token has a format; a typed word is more likely a local stand-in
            yield make_diagnostic(
                "VL501", path, c.span,
                f"hard-coded credential ({c.where} {shown}) in a committed file: it looks typed by hand rather "
                f"than generated, so it may be a shared test value; if it guards a real server or account, "
                f"anyone with read access to the repository can use it",
                launch=c.ctx.launch.name, severity=Severity.WARNING, notes=[_READ_FROM_A_SECRET],
            )
        elif c.verdict.kind == secret_values.TEST and c.guards_server:
            yield make_diagnostic(
                "VL501", path, c.span,
                f"{c.subject} is the well-known test value {c.verdict.value!r}: any client that tries it can use "
                f"the server; fine for a local test, not for a shared deployment",
                launch=c.ctx.launch.name, severity=Severity.WARNING, notes=[_SERVER_NOTE],
            )


_READ_FROM_A_SECRET = ("revoke the credential, then read it from a secret: Kubernetes env valueFrom.secretKeyRef, "
                       "compose `environment: [HF_TOKEN]` passed through from the host, or `--api-key $VLLM_API_KEY`")
_SERVER_NOTE = ("read the key at run time instead: `--api-key \"$VLLM_API_KEY\"` (or VLLM_API_KEY from a Kubernetes "
                "secret), and change it if this one guards a real server")


@register("VL509", scope="project")
def placeholder_credential(launches: Iterable[RuleContext]) -> Iterator[Diagnostic]:
    for c in _credentials(launches):
        path = c.span.path or c.ctx.src.display
        if c.verdict.kind != secret_values.PLACEHOLDER or c.commented or _EXAMPLE_FILE.search(path.rsplit("/", 1)[-1]):
            continue
        if c.guards_server:
            effect = "clients must send that exact text to be let in"
        elif c.hf_token:
            effect = "the Hugging Face Hub rejects it (401) as soon as the model is gated or private"
        else:
            effect = "whatever checks it rejects it"
        sends = (f"unless {c.default_of} is set where the launch starts, it sends that text" if c.default_of
                 else "the launch sends that text")
        yield make_diagnostic(
            "VL509", path, c.span,
            f"{c.subject} is still the placeholder {c.verdict.value!r}: {sends} as the credential, so {effect}",
            launch=c.ctx.launch.name,
            notes=["put the real value in a secret and reference it (Kubernetes valueFrom.secretKeyRef, "
                   "`${HF_TOKEN}` from the environment), or remove the setting"],
        )


# -- VL502 ------------------------------------------------------------------------------------------

@register("VL502")
def trust_remote_code(ctx: RuleContext) -> Iterator[Diagnostic]:
    if flag_values.bool_arg(ctx, "trust_remote_code") is not True:
        return
    model = ctx.model_name or "the model"
    yield ctx.report(
        "VL502",
        f"--trust-remote-code lets {model!r} run Python code from its repository (modeling/tokenizer files) "
        f"inside the server, with its credentials and network access",
        token=ctx.flag_token("trust_remote_code"),
        notes=["keep it only for models vLLM does not support natively, and pin the repository with "
               "--revision <commit> (and --code-revision) so the code cannot change under you"],
    )


# -- VL503 ------------------------------------------------------------------------------------------

_FLOATING = {"latest", "nightly", "main", "master", "dev", "edge", "stable"}
_OFFICIAL_REPO = re.compile(r"(?:^|/)vllm/vllm-openai$")


def image_tag(image: str) -> tuple[str | None, bool]:
    """(tag, has_digest) of an image reference; the tag is None when none is written."""
    ref = image.strip()
    digest = "@" in ref
    ref = ref.split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else None
    return tag, digest


@register("VL503")
def unpinned_image(ctx: RuleContext) -> Iterator[Diagnostic]:
    image = ctx.launch.image
    if not image or ctx.launch.image_span is None or "$" in image or "{{" in image or "{" in image:
        return
    tag, digest = image_tag(image)
    if digest or "/" not in image.split("@")[0].split(":")[0]:
        return  # digests are pinned; a bare name is a local build (vLLM publishes no library image)
    if tag is None:
        why = "has no tag, so it means `latest`"
    elif tag.lower() in _FLOATING or moving_tag(image):  # dated or commit nightlies are fixed builds
        why = f"uses the moving tag `{tag}`"
    else:
        return
    tag_span = ctx.launch.facts.image_tag_span  # Helm values: the `tag:` key, apart from the repository
    span = tag_span if isinstance(tag_span, Span) else ctx.launch.image_span
    repo = image.split("@")[0].rsplit(":", 1)[0] if tag is not None else image.split("@")[0]
    pinned = f"v{ctx.version}"
    suggestions = []
    if _OFFICIAL_REPO.search(repo):  # vLLM's own images are tagged v<release>
        where = "tag" if span is tag_span else "image"
        if span is tag_span and span.slice(ctx.src.text).strip("'\"") == (tag or ""):
            edit = Edit(span, pinned)
        elif span.slice(ctx.src.text) == image:
            edit = Edit(span, f"{repo}:{pinned}")
        else:
            edit = None
        shown = f"tag: {pinned}" if where == "tag" else f"{repo}:{pinned}"
        note = f"pin the release this launch was checked against, {shown}, or a digest (@sha256:…)"
        if edit is not None:
            suggestions.append(Fix(f"pin {shown}", (edit,), safe=False))
            note = "or pin a digest (@sha256:…)"
    else:
        note = "pin a release tag of this image, or a digest (@sha256:…)"
    yield ctx.report(
        "VL503",
        f"image {image} {why}: each pull may bring a different vLLM release, whose flags, defaults and "
        f"memory use differ (vllm-lint checks this launch against {ctx.vllm})",
        span=span,
        notes=[note],
        suggestions=suggestions,
    )


# -- VL504 ------------------------------------------------------------------------------------------

_PORT_RE = re.compile(r"^(?:(?:\[[^\]]*\]|[\d.]+):)?(?:(?P<host>[\d\-]+):)?(?P<container>[\d\-]+)(?:/(?:tcp|udp))?$")
_LISTENING_ENTRYPOINTS = ("serve", "api_server", "legacy_api_server")


def container_ports(values: Iterable[object]) -> list[int] | None:
    """Container-side ports from compose ``ports`` / k8s ``containerPort`` values; None if any is symbolic."""
    out: list[int] = []
    for v in values:
        if isinstance(v, dict):
            v = v.get("target") or v.get("containerPort")
        s = str(v).strip().strip("'\"")
        if not s:
            continue
        if "$" in s or "{" in s:
            return None
        m = _PORT_RE.match(s)
        if not m:
            return None
        c = m.group("container")
        if "-" in c:
            lo, hi = c.split("-", 1)
            if lo.isdigit() and hi.isdigit():
                out.extend(range(int(lo), int(hi) + 1))
            continue
        out.append(int(c))
    return out


def _listen_port(ctx: RuleContext) -> tuple[int, str] | None:
    if flag_values.given(ctx, "port"):
        port = flag_values.int_arg(ctx, "port")
        return (port, "--port") if port is not None else None
    return 8000, "vLLM's default port"


_TEMPLATE_PORT = re.compile(r"containerPort:\s*['\"]?(\d+)['\"]?\s*$", re.M)


def chart_template_ports(ctx: RuleContext) -> tuple[list[int], str, int] | None:
    """containerPorts a Helm chart's own templates hard-code for the vLLM container.

    Used for a values file whose chart is not modelled: when the ``templates/`` beside it hold one
    template that runs vLLM and declares literal ``containerPort``s, those are the ports.
    Returns (ports, template path relative to the values file, line) or None.
    """
    if (ctx.launch.source or "").lower() != "helm" or ctx.src.path is None:
        return None
    tdir = ctx.src.path.parent / "templates"
    try:
        candidates = sorted(p for p in tdir.iterdir() if p.suffix in (".yaml", ".yml", ".tpl"))
    except OSError:
        return None
    found = []
    for path in candidates[:50]:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")[:200_000]
        except OSError:
            continue
        if "vllm" not in text or not re.search(r"vllm\s+serve|vllm\.entrypoints", text):
            continue
        ports = _TEMPLATE_PORT.findall(text)
        if ports:
            m = _TEMPLATE_PORT.search(text)
            found.append(([int(x) for x in ports], path, text.count("\n", 0, m.start()) + 1))
    if len(found) != 1:
        return None
    ports, path, line = found[0]
    return ports, f"templates/{path.name}", line


@register("VL504")
def port_mismatch(ctx: RuleContext) -> Iterator[Diagnostic]:
    launch = ctx.launch
    if launch.entrypoint not in _LISTENING_ENTRYPOINTS:
        return
    listen = _listen_port(ctx)
    yield from _vllm_port_env(ctx, listen)
    if listen is None or launch.facts.network_mode == "host" or launch.facts.kustomize_patch:
        return
    port, where = listen
    declared = launch.facts.ports
    origin = None
    if isinstance(declared, (list, tuple)) and declared:
        ports = container_ports(declared)
    elif not declared:
        tpl = chart_template_ports(ctx)
        if tpl is None:
            return
        ports, tname, tline = tpl
        origin = f" ({tname} line {tline})"
    else:
        return
    if not ports or port in ports:
        return
    source = (launch.source or "").lower()
    what = "publishes" if "compose" in source or "docker" in source else "declares"
    uniq = sorted(set(ports))
    yield ctx.report(
        "VL504",
        f"vLLM listens on {port} ({where}), but the container {what} port{'s' if len(uniq) > 1 else ''} "
        f"{', '.join(map(str, uniq))}{origin or ''}: requests sent to "
        f"{'that port' if len(uniq) == 1 else 'those ports'} reach nothing",
        token=ctx.value_token("port") if flag_values.given(ctx, "port") else None,
        notes=[f"make them agree: --port {uniq[0]}, or expose container port {port}"],
    )


def _vllm_port_env(ctx: RuleContext, listen: tuple[int, str] | None) -> Iterator[Diagnostic]:
    """``VLLM_PORT`` set as if it were the HTTP port (it is the base of vLLM's internal ports)."""
    ev = ctx.launch.env.get("VLLM_PORT")
    if ev is None or ev.symbolic or not ev.value.strip().isdigit():
        return
    value = int(ev.value.strip())
    if listen is None:
        return
    port, where = listen
    harmless = False
    if value == port and at_least(ctx.version, API_SOCKET_FIRST_SINCE):
        # the API server binds --port before the engine starts (vllm issue #8204), and vLLM's
        # get_open_port() steps past a busy VLLM_PORT: nothing collides, the variable is just moot
        tail = (f"it equals the HTTP port ({where} {port}); {ctx.vllm} binds the HTTP port first and "
                f"takes the next free ports for its internal sockets")
        harmless = True
    elif value == port:
        tail = (f"it equals the HTTP port ({where} {port}), and {ctx.vllm} starts the engine before "
                f"the API server binds it, so the API server can fail with 'address already in use'")
    else:
        tail = f"the API server still listens on {port} ({where})"
    d = ctx.report(
        "VL504",
        f"VLLM_PORT={value} does not choose the HTTP port: vLLM uses it as the first port for internal "
        f"communication (distributed init, ZMQ); {tail}",
        span=ev.span,
        notes=["remove VLLM_PORT and use --port for the HTTP port"],
    )
    if harmless:
        d.severity = Severity.INFO
    yield d


# The first release whose API server binds its socket before it starts the engine (the fix for
# vllm issue #8204, September 2024).
API_SOCKET_FIRST_SINCE = "0.6.1"


# -- VL505 ------------------------------------------------------------------------------------------

_UNEXPANDED = re.compile(r"\$\{?([A-Za-z_]\w*)")


@register("VL505")
def literal_env_reference(ctx: RuleContext) -> Iterator[Diagnostic]:
    own = [(*item, None) for item in ctx.launch.facts.literal_dollar_env or () if len(item) == 2]
    group = list(ctx.launch.facts.group_literal_dollar_env or ())  # worker pods of the group
    for item in own + group:  # type: ignore[operator]
        try:
            name, span, where = item
        except (TypeError, ValueError):
            continue
        written = span.slice(ctx.src.text) if isinstance(span, Span) and span.path == ctx.src.display else ""
        # `$$` is Kubernetes' escape for a literal `$`: `$$HOME` is meant literally
        m = _UNEXPANDED.search(written.replace("$$", "\0\0"))
        if written and m is None:
            continue
        ref = m.group(1) if m else "VAR"
        yield ctx.report(
            "VL505",
            f"env {name}{f' of the {where}' if where else ''} is set to {written.strip()!r}: Kubernetes does not "
            f"expand ${ref} or ${{{ref}}} in env[].value, so the container receives that literal text",
            span=span if isinstance(span, Span) else None,
            notes=[f"use $({ref}) to refer to a variable defined earlier in the same container, "
                   f"valueFrom.secretKeyRef for a secret, or render the manifest with envsubst before applying"],
        )
