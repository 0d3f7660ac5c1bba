"""Security and hygiene rules (VL5xx): secrets in committed files, remote code, unpinned images,
ports the container does not publish, and ``$VAR`` that Kubernetes leaves unexpanded.

VL501 is a project-scope check: it receives every launch and scans the text of each file that
holds one (so a token in an ``env`` block or a Dockerfile ``ENV`` is found, not only in argv).
Files without any vLLM launch are not scanned.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from vllm_lint.rules.context import RuleContext
from vllm_lint.diagnostic import Diagnostic
from vllm_lint.rules import flag_values
from vllm_lint.rule_meta import make_diagnostic
from vllm_lint.rules.registry import register
from vllm_lint.span import Span

# -- VL501 ------------------------------------------------------------------------------------------

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
# Values that stand for a secret rather than being one.
PLACEHOLDER = re.compile(
    r"^$|\$|\{\{|<[^>]*>|^x{3,}$|xxx|^\*+$|\.\.\.|…|your|changeme|change-me|replace|placeholder|example|dummy|"
    r"empty|fake|dummy|no-?key|not-?needed|not-?required|unused|token-abc123|"
    r"^(?:none|null|false|true|token|secret|api[-_]?key|hf_|test|sk-)$",
    re.I,
)


def redact(secret: str) -> str:
    """Enough of a secret to find it, never enough to use it."""
    keep = 6 if len(secret) > 12 else 3
    return secret[:keep] + "…"


def _looks_secret(value: str) -> bool:
    v = value.strip().strip("'\"")
    return bool(v) and len(v) >= 6 and not PLACEHOLDER.search(v)


_ASSIGN = re.compile(
    # the look-behind keeps this linear on long runs of word characters (a 5 MB one-line file)
    r"(?<![A-Za-z0-9_])(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*[:=]\s*(?P<q>['\"]?)(?P<value>[^\s'\"#,}\]]+)(?P=q)"
)
# Dockerfile's legacy `ENV NAME value` form.
_ENV_SPACE = re.compile(r"(?mi)^[ \t]*ENV[ \t]+(?P<name>[A-Za-z_]\w*)[ \t]+(?P<q>['\"]?)(?P<value>[^\s'\"#]+)(?P=q)[ \t]*$")


def _file_findings(ctx: RuleContext) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, kind, secret) of secrets written in a file's text."""
    text = ctx.src.text
    for kind, pat in TOKEN_PATTERNS:
        for m in pat.finditer(text):
            if not PLACEHOLDER.search(m.group(0)[3:]):
                yield m.start(), m.end(), kind, m.group(0)
    # NAME=value / NAME: value lines (.env, Dockerfile ENV, compose environment, shell exports)
    for m in [*_ASSIGN.finditer(text), *_ENV_SPACE.finditer(text)]:
        name = m.group("name")
        if not SECRET_NAME.match(name) or name.upper() == "TOKEN":
            continue
        value = m.group("value")
        if _looks_secret(value):
            yield m.start("value"), m.end("value"), f"{name} value", value
    # Kubernetes env lists: `- name: HF_TOKEN` followed by `value: ...`
    for m in re.finditer(r"name:\s*['\"]?(?P<name>[A-Za-z_][A-Za-z0-9_]*)['\"]?\s*\n\s*value:\s*(?P<q>['\"]?)"
                         r"(?P<value>[^\s'\"#]+)(?P=q)", text):
        if SECRET_NAME.match(m.group("name")) and _looks_secret(m.group("value")):
            yield m.start("value"), m.end("value"), f"{m.group('name')} value", m.group("value")


def _argv_findings(ctx: RuleContext) -> Iterator[tuple[Span, str, str]]:
    for dest, flag in (("api_key", "--api-key"), ("hf_token", "--hf-token")):
        if not flag_values.given(ctx, dest) or flag_values.symbolic(ctx, dest):
            continue
        tok = ctx.value_token(dest)
        use = ctx.args.uses.get(dest)
        value = getattr(use, "value_text", None)
        if value is None:
            raw = flag_values.raw_value(ctx, dest)
            value = raw[0] if isinstance(raw, list) and raw else raw
        if tok is None or tok.span is None or tok.symbolic or not isinstance(value, str):
            continue
        if _looks_secret(value) and "$" not in (tok.raw or ""):
            yield tok.span, f"{flag} value", value
    for name, ev in ctx.launch.env.items():
        if not SECRET_NAME.match(name) or name.upper() == "TOKEN" or ev.symbolic or ev.span is None \
                or not _looks_secret(ev.value):
            continue
        # a value from another file (an env_file) cannot be sliced from this file's text
        if ev.span.path == ctx.src.display and "$" in ev.span.slice(ctx.src.text):
            continue
        yield ev.span, f"{name} value", ev.value


@register("VL501", scope="project")
def hard_coded_secret(launches: Iterable[RuleContext]) -> Iterator[Diagnostic]:
    seen: set[tuple[str, int]] = set()  # (file, line)
    scanned: set[str] = set()
    for ctx in launches:
        display = ctx.src.display
        found: list[tuple[Span, str, str]] = list(_argv_findings(ctx))
        if display not in scanned:
            scanned.add(display)
            for start, end, kind, secret in _file_findings(ctx):
                found.append((ctx.src.index.span(start, end), kind, secret))
        for span, kind, secret in found:
            key = (span.path, span.line)  # one finding per line, whichever detector saw it first
            if key in seen:
                continue
            seen.add(key)
            yield make_diagnostic(
                "VL501", span.path or display, span,
                f"hard-coded secret ({kind} {redact(secret)}) in a committed file: anyone with read access to "
                f"the repository (and to images built from it) can use it",
                launch=ctx.launch.name,
                notes=["revoke the credential, then read it from a secret: Kubernetes env valueFrom.secretKeyRef, "
                       "compose `environment: [HF_TOKEN]` passed through from the host, or `--api-key $VLLM_API_KEY`"],
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
    elif tag.lower() in _FLOATING:  # dated or commit nightlies (nightly-2025-08-25) are fixed builds
        why = f"uses the moving tag `{tag}`"
    else:
        return
    yield ctx.report(
        "VL503",
        f"image {image} {why}: each pull may bring a different vLLM release, whose flags, defaults and "
        f"memory use differ (vllm-lint checks this launch against vLLM {ctx.version})",
        span=ctx.launch.image_span,
        notes=["pin a release tag such as vllm/vllm-openai:v0.11.2, or a digest (@sha256:…)"],
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
    if listen is None or launch.facts.get("network_mode") == "host" or launch.facts.get("kustomize_patch"):
        return
    port, where = listen
    declared = launch.facts.get("ports")
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
    if value == port:
        tail = (f"it equals the HTTP port ({where} {port}), so vLLM's internal sockets and the API server "
                f"compete for it")
    else:
        tail = f"the API server still listens on {port} ({where})"
    yield ctx.report(
        "VL504",
        f"VLLM_PORT={value} does not choose the HTTP port: vLLM uses it as the first port for internal "
        f"communication (distributed init, ZMQ); {tail}",
        span=ev.span,
        notes=["remove VLLM_PORT and use --port for the HTTP port"],
    )


# -- VL505 ------------------------------------------------------------------------------------------

_UNEXPANDED = re.compile(r"\$\{?([A-Za-z_]\w*)")


@register("VL505")
def literal_env_reference(ctx: RuleContext) -> Iterator[Diagnostic]:
    refs = ctx.launch.facts.get("literal_dollar_env")
    if not refs:
        return
    for item in refs:  # type: ignore[union-attr]
        try:
            name, span = item
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
            f"env {name} is set to {written.strip()!r}: Kubernetes does not expand ${ref} or ${{{ref}}} in "
            f"env[].value, so the container receives that literal text",
            span=span if isinstance(span, Span) else None,
            notes=[f"use $({ref}) to refer to a variable defined earlier in the same container, "
                   f"valueFrom.secretKeyRef for a secret, or render the manifest with envsubst before applying"],
        )
