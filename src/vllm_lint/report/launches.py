"""``vllm-lint launches``: what extraction found, as text or JSON.

JSON (``{"version": 1, "launches": [...]}``), per launch: ``name``, ``path``, ``source``,
``entrypoint``, ``program`` and ``argv`` (each token: ``text``, ``raw``, ``line``, ``column``,
``end_line``, ``end_column`` (1-based, end exclusive; null for synthetic tokens), ``style``,
``symbolic``, ``origin``), ``env`` (name -> {value, symbolic, line, column}), ``gpu``, ``image``,
``vllm_version``, ``replicas``, ``facts``, ``unknowns``, ``insertion`` (where new flags go) and ``model``
(how the launch's model resolved: ``resolved``, ``how``, ``via``, ``certainty``, ``describe``, the steps tried;
null when the launch names no model).

Secrets are shown as VL501 shows them (``vllm_lint.redact``): the values of credential variables
(``HF_TOKEN``), of ``--api-key``/``--hf-token``, and prefixed tokens (``hf_…``) anywhere, in
text and JSON alike.
"""

from __future__ import annotations

import json
import shlex
from typing import TYPE_CHECKING, Any

from vllm_lint.launch import GpuRequest, Launch, Token
from vllm_lint.redact import SECRET_FLAGS, looks_secret, mask_argv, mask_env, mask_text, redact
from vllm_lint.span import Span

if TYPE_CHECKING:
    from rich.console import Console


def _pos(span: Span | None) -> dict[str, int | None]:
    if span is None:
        return {"line": None, "column": None, "end_line": None, "end_column": None}
    return {"line": span.line, "column": span.column, "end_line": span.end_line, "end_column": span.end_column}


def _shown_word(word: str | None, secret: bool) -> str | None:
    if not word:
        return word
    return (redact(word) if looks_secret(word) else word) if secret else mask_argv([word])[0]


def token_json(t: Token, secret: bool = False) -> dict[str, Any]:
    """One argv word; ``secret``: it is the value of --api-key/--hf-token (shown redacted)."""
    return {"text": _shown_word(t.text, secret), "raw": _shown_word(t.raw, secret), **_pos(t.span), "style": t.style,
            "symbolic": t.symbolic, "origin": t.origin, "condition": t.condition,
            **({"path": t.span.path} if t.span is not None else {})}


def _argv_json(tokens: list[Token]) -> list[dict[str, Any]]:
    return [token_json(t, secret=i > 0 and tokens[i - 1].text in SECRET_FLAGS) for i, t in enumerate(tokens)]


def gpu_json(g: GpuRequest) -> dict[str, Any]:
    return {
        "count": g.count,
        "all_visible": g.all_visible,
        "device_ids": g.device_ids,
        "product": g.product,
        "mig_profile": g.mig_profile,
        "mechanism": g.mechanism,
        "notes": list(g.notes),
        "count_position": _pos(g.count_span) if g.count_span else None,
    }


def _jsonable(v: Any, text: bool = False) -> Any:
    """Facts as JSON values; a Span becomes {line, column, end_line, end_column} (``text``:
    ``"line:column"``, for the one-line text listing)."""
    if isinstance(v, str):
        return mask_text(v)
    if isinstance(v, (int, float, bool)) or v is None:
        return v
    if isinstance(v, Span):
        return f"{v.line}:{v.column}" if text else _pos(v)
    if isinstance(v, dict):
        return {str(k): _jsonable(x, text) for k, x in v.items()}
    if isinstance(v, (list, tuple, set)):
        return [_jsonable(x, text) for x in v]
    return str(v)


def launch_json(launch: Launch) -> dict[str, Any]:
    ins = launch.insertion
    return {
        "name": launch.name,
        "path": launch.path,
        "source": launch.source,
        **_pos(launch.span),
        "entrypoint": launch.entrypoint,
        "program": _argv_json(launch.program),
        "argv": _argv_json(launch.args),
        "env": {k: {"value": mask_env(k, v.value, v.symbolic), "symbolic": v.symbolic, **_pos(v.span)}
                for k, v in launch.env.items()},
        "gpu": gpu_json(launch.gpu),
        "image": launch.image,
        "vllm_version": launch.vllm_version,
        "replicas": launch.replicas,
        "facts": _jsonable(dict(launch.facts.items())),
        "unknowns": [mask_text(u) for u in launch.unknowns],
        "insertion": None if ins is None else {"path": ins.path, "offset": ins.offset,
                                               "example": ins.render(["--max-model-len", "8192"])},
    }


def launches_json(launches: list[Launch], models: list[dict[str, Any] | None] | None = None) -> str:
    out = []
    for i, x in enumerate(launches):
        item = launch_json(x)
        if models is not None:
            item["model"] = models[i]
        out.append(item)
    return json.dumps({"version": 1, "launches": out}, indent=2, ensure_ascii=False)


def _argv_text(launch: Launch) -> str:
    words = mask_argv([t.text for t in launch.program] + [t.text for t in launch.args])
    return " ".join(shlex.quote(w) for w in words)  # shlex.quote("") is "''"


def _gpu_text(g: GpuRequest) -> str:
    if g.count is not None:
        n = int(g.count) if float(g.count).is_integer() else g.count
        text = f"{n}"
    elif g.all_visible:
        text = "all visible"
    else:
        text = "unknown"
    if g.product:
        text += f" x {g.product}"
    if g.device_ids:
        text += f" (devices {','.join(g.device_ids)})"
    if g.mechanism:
        text += f" via {g.mechanism}"
    return text


def render_launches(launches: list[Launch], fmt: str, console: Console | None = None,
                    models: list[dict[str, Any] | None] | None = None) -> None:
    """Print launches as text (rich console) or JSON (stdout through the console's file); ``models``
    (one per launch, ``models_cmd.resolution_json``) says how each launch's model resolved."""
    if fmt == "json":
        out = launches_json(launches, models)
        if console is not None:
            console.file.write(out + "\n")
        else:
            print(out)
        return
    from rich.markup import escape

    if console is None:
        from rich.console import Console

        console = Console(highlight=False, soft_wrap=True, emoji=False)
    if not launches:
        console.print("no vLLM launches found")
        return
    for i, launch in enumerate(launches):
        where = f"{launch.path}:{launch.span.line}:{launch.span.column}" if launch.span else launch.path
        console.print(f"[bold]{escape(where)}[/bold] {escape(launch.name)} [dim]({escape(launch.source)}, {escape(launch.entrypoint)})[/dim]")
        console.print(f"  argv:    {escape(_argv_text(launch))}")
        if launch.image:
            console.print(f"  image:   {escape(launch.image)}" + (f"  (vLLM {escape(launch.vllm_version)})" if launch.vllm_version else ""))
        elif launch.vllm_version:
            console.print(f"  vLLM:    {escape(launch.vllm_version)}")
        model = models[i] if models is not None else None
        if model is not None:
            console.print(f"  model:   {escape(model['describe'])} [dim]({escape(model['certainty'])})[/dim]")
        console.print(f"  gpu:     {escape(_gpu_text(launch.gpu))}")
        if launch.replicas is not None:
            console.print(f"  replicas: {launch.replicas}")
        if launch.env:
            shown = ", ".join(f"{k}={mask_env(k, v.value, v.symbolic)}" for k, v in list(launch.env.items())[:12])
            more = f" (+{len(launch.env) - 12} more)" if len(launch.env) > 12 else ""
            console.print(f"  env:     {escape(shown)}{more}")
        if launch.facts:
            console.print(f"  facts:   {escape(json.dumps(_jsonable(dict(launch.facts.items()), text=True), ensure_ascii=False))}")
        conditions: dict[str, list[str]] = {}
        for t in launch.args:
            if t.condition:
                conditions.setdefault(t.condition, []).append(t.text)
        for when, words in conditions.items():
            console.print(f"  [cyan]only {escape(when)}:[/cyan] {escape(shlex.join(words))}")
        for u in launch.unknowns:
            console.print(f"  [yellow]unknown:[/yellow] {escape(mask_text(u))}")
        console.print("")
