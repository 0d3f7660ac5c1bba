"""Dockerfiles -> the launch the final stage's image runs by default.

Modelled on the Dockerfile reference: logical lines joined at a trailing ``\\`` (whitespace
after it allowed, comment lines inside a continuation dropped); ``ARG`` (build scope, usable in
``FROM`` when declared before it) and ``ENV`` (runtime environment, ``$VAR``/``${VAR:-d}``/
``${VAR:+x}`` substituted); ``CMD``/``ENTRYPOINT`` in exec form (a JSON array: no variable
substitution; invalid JSON falls back to shell form) or shell form (``/bin/sh -c "<text>"``);
the last ENTRYPOINT/CMD of the final stage win; a stage inherits from an earlier stage it is
built ``FROM``; setting ENTRYPOINT resets an inherited CMD; with no ENTRYPOINT the base image's
(``images.image_entrypoint``: ``FROM vllm/vllm-openai:TAG``) is prepended to CMD.
An ENTRYPOINT that runs a script ``COPY``-ed from the build context is followed into that file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from vllm_lint.launch import EnvValue, GpuRequest, Launch, LaunchFacts, Token
from vllm_lint.sources.argv import find_vllm_invocation, mark_placeholders, shell_script_index
from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile
from vllm_lint.sources.containers.images import image_entrypoint, is_vllm_image, starts_with_program
from vllm_lint.sources.containers.visible_gpus import narrow_by_env
from vllm_lint.sources.insertion import shell_insertion
from vllm_lint.sources.shell.commands import expand_words as split_words
from vllm_lint.sources.shell.commands import parse_script, words_end
from vllm_lint.vllm.versions import version_from_image

_CONT = re.compile(r"\\[ \t]*\r?$")


@dataclass(slots=True)
class Instruction:
    keyword: str
    text: str  # arguments, continuation backslashes and inner comment lines removed
    offs: list[int]  # file offset of every character of text
    line: int
    start: int  # offset of the keyword
    end: int  # offset after the last argument character


@dataclass(slots=True)
class _Stage:
    image: str | None
    image_span: object = None
    name: str | None = None
    env: dict[str, EnvValue] = field(default_factory=dict)
    entrypoint: Instruction | None = None
    cmd: Instruction | None = None
    ep_set_here: bool = False
    copies: dict[str, str] = field(default_factory=dict)  # container path -> context path


def instructions(text: str) -> list[Instruction]:
    """Logical Dockerfile lines with per-character offsets."""
    out: list[Instruction] = []
    lines: list[tuple[int, str]] = []  # (offset, text without its line ending); index + 1 = line number
    pos = 0
    for raw in text.split("\n"):
        lines.append((pos, raw[:-1] if raw.endswith("\r") else raw))
        pos += len(raw) + 1
    i = 0
    n = len(lines)
    while i < n:
        start, line = lines[i]
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        lead = len(line) - len(stripped)
        m = re.match(r"([A-Za-z]+)[ \t]*", stripped)
        if not m:
            i += 1
            continue
        keyword = m.group(1).upper()
        first_line = i + 1
        first_start = start + lead
        chars: list[str] = []
        offs: list[int] = []
        seg_start = lead + m.end()
        end = start + len(line)
        first = True
        while True:
            body = line[seg_start:] if first else line
            base = start + (seg_start if first else 0)
            first = False
            cont = _CONT.search(body)
            content = body[:cont.start()] if cont else body
            for k, ch in enumerate(content):
                chars.append(ch)
                offs.append(base + k)
            if content.strip():
                end = base + len(content.rstrip())
            i += 1
            if not cont:
                break
            # skip comment and empty lines inside the continuation
            while i < n and (not lines[i][1].strip() or lines[i][1].lstrip().startswith("#")):
                i += 1
            if i >= n:
                break
            start, line = lines[i]
        out.append(Instruction(keyword, "".join(chars), offs, first_line, first_start, end))
    return out


def _exec_form(ins: Instruction) -> list[tuple[str, list[int], int, int]] | None:
    """Exec-form JSON array: (value, offsets of each value char, raw start, raw end) per item."""
    s = ins.text.strip()
    if not s.startswith("["):
        return None
    try:
        values = json.loads(s)
    except ValueError:
        return None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return None
    lead = len(ins.text) - len(ins.text.lstrip())
    t = ins.text
    items: list[tuple[str, list[int], int, int]] = []
    i = lead
    n = len(t)
    while i < n:
        if t[i] != '"':
            i += 1
            continue
        j = i + 1
        buf: list[str] = []
        offs: list[int] = []
        while j < n and t[j] != '"':
            if t[j] == "\\" and j + 1 < n:
                e = t[j + 1]
                if e == "u" and j + 5 < n:
                    buf.append(chr(int(t[j + 2:j + 6], 16)))
                    offs.append(ins.offs[j])
                    j += 6
                    continue
                buf.append({"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}.get(e, e))
                offs.append(ins.offs[j])
                j += 2
                continue
            buf.append(t[j])
            offs.append(ins.offs[j])
            j += 1
        items.append(("".join(buf), offs, ins.offs[i + 1] if i + 1 < n else ins.end, (ins.offs[j - 1] + 1) if j > i + 1 else (ins.offs[i] + 1)))
        i = j + 1
    if [v for v, *_ in items] != values:
        return None
    return items


def _exec_tokens(src: SourceFile, ins: Instruction) -> list[tuple[Token, list[int] | None]] | None:
    items = _exec_form(ins)
    if items is None:
        return None
    out = []
    for value, offs, a, b in items:
        span = src.index.span(a, max(a, b))
        out.append((Token(text=value, span=span, raw=span.slice(src.text)), offs))
    return out


def _shell_form_tokens(src: SourceFile, ins: Instruction) -> list[tuple[Token, list[int] | None]]:
    """Shell form runs ``/bin/sh -c "<text>"``; the text keeps its offsets for the nested parse."""
    lead = len(ins.text) - len(ins.text.lstrip())
    body = ins.text[lead:].rstrip()
    offs = ins.offs[lead:lead + len(body)]
    a = offs[0] if offs else ins.end
    b = offs[-1] + 1 if offs else ins.end
    span = src.index.span(a, b)
    return [(Token("/bin/sh", style="synthetic", origin="dockerfile-shell-form"), None),
            (Token("-c", style="synthetic", origin="dockerfile-shell-form"), None),
            (Token(text=body, span=span, raw=span.slice(src.text)), offs)]


def _words(src: SourceFile, ins: Instruction | None) -> list[tuple[Token, list[int] | None]]:
    if ins is None:
        return []
    got = _exec_tokens(src, ins)
    return got if got is not None else _shell_form_tokens(src, ins)


def _env_seed(env: dict[str, EnvValue]) -> dict[str, object]:
    return {k: (None if v.symbolic else v.value) for k, v in env.items()}


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    opts = opts or ExtractOptions()
    result = ExtractResult()
    args: dict[str, object] = {}
    stages: list[_Stage] = []
    by_name: dict[str, _Stage] = {}
    cur: _Stage | None = None
    for ins in instructions(src.text):
        kw = ins.keyword
        if kw == "ARG":
            for w in split_words(ins.text, ins.offs, {**args, **(_env_seed(cur.env) if cur else {})}):
                name, eq, value = w.text.partition("=")
                if name and (eq or name not in args):
                    args[name] = value if eq else args.get(name)
            continue
        if kw == "FROM":
            words = [w for w in split_words(ins.text, ins.offs, args) if not w.text.startswith("--")]
            if not words:
                continue
            image_w = words[0]
            name = words[2].text if len(words) >= 3 and words[1].text.lower() == "as" else None
            parent = by_name.get(image_w.text)
            cur = _Stage(image=parent.image if parent else image_w.text,
                         image_span=parent.image_span if parent else src.index.span(image_w.start, image_w.end),
                         name=name)
            if parent is not None:
                cur.env = dict(parent.env)
                cur.entrypoint, cur.cmd, cur.ep_set_here = parent.entrypoint, parent.cmd, parent.ep_set_here
                cur.copies = dict(parent.copies)
            if image_w.symbolic:
                cur.image = image_w.text
            stages.append(cur)
            if name:
                by_name[name] = cur
            continue
        if cur is None:
            continue
        if kw == "ENV":
            _apply_env(src, ins, cur, args)
        elif kw == "ENTRYPOINT":
            cur.entrypoint = ins
            cur.ep_set_here = True
            cur.cmd = None  # setting ENTRYPOINT resets an inherited CMD
        elif kw == "CMD":
            cur.cmd = ins
        elif kw in ("COPY", "ADD"):
            words = [w.text for w in split_words(ins.text, ins.offs, {**args, **_env_seed(cur.env)}) if not w.text.startswith("--")]
            if len(words) >= 2:
                dest = words[-1]
                for s in words[:-1]:
                    target = dest.rstrip("/") + "/" + s.rsplit("/", 1)[-1] if dest.endswith("/") or len(words) > 2 else dest
                    cur.copies[target] = s
    if not stages:
        return result
    final = stages[-1]
    launch = _stage_launch(src, final)
    if launch is not None:
        result.launches.append(launch)
    return result


def _apply_env(src: SourceFile, ins: Instruction, stage: _Stage, args: dict[str, object]) -> None:
    seed = {**{k: v for k, v in args.items()}, **_env_seed(stage.env)}
    words = split_words(ins.text, ins.offs, seed)
    if words and "=" not in words[0].text:
        # legacy form: ENV KEY value with spaces
        key = words[0].text
        rest = ins.text[len(ins.text) - len(ins.text.lstrip()):].strip()[len(key):].strip()
        stage.env[key] = EnvValue(rest, None, False)
        return
    for w in words:
        name, eq, value = w.text.partition("=")
        if not eq or not name:
            continue
        span = src.index.span(w.start, w.end)
        stage.env[name] = EnvValue(value, span, w.symbolic)


def _stage_launch(src: SourceFile, stage: _Stage) -> Launch | None:
    ep_words = _words(src, stage.entrypoint)
    cmd_words = _words(src, stage.cmd)
    img_ep = None
    if stage.ep_set_here:
        argv = ep_words + cmd_words
    else:
        img_ep = image_entrypoint(stage.image if stage.image and "$" not in stage.image else None)
        argv = ([(t, None) for t in img_ep.tokens()] if img_ep else []) + cmd_words
    tokens = [t for t, _ in argv]
    if not tokens:
        return None
    env = dict(stage.env)
    facts = LaunchFacts()
    unknowns: list[str] = []
    insertion = None
    got = None
    si = shell_script_index(tokens)
    if si is not None and argv[si][1] is not None:
        tok, offs = argv[si]
        script = parse_script(tok.text, offs, _env_seed(env))
        for cmd in script.commands:
            ctoks = [w.token(src.text, src.index) for w in cmd.words]
            got = find_vllm_invocation(ctoks)
            if got is not None:
                unknowns.extend(cmd.unknowns)
                env.update({k: EnvValue(v.text, None, v.symbolic) for k, v in cmd.assigns.items() if v.items is None})
                end = words_end(cmd.words)
                if end is not None:
                    insertion = shell_insertion(src, end)
                facts.shell = tokens[0].text
                break
            followed = _follow_script(src, stage, [w.text for w in cmd.words], env)
            if followed is not None:
                return followed
    if got is None:
        got = find_vllm_invocation(tokens)
    if got is None:
        followed = _follow_script(src, stage, [t.text for t in tokens], env)
        if followed is not None:
            return followed
        if not stage.ep_set_here and img_ep is None and is_vllm_image(stage.image) and cmd_words \
                and not starts_with_program([t.text for t, _ in cmd_words]):
            program = [Token("vllm", style="synthetic", origin="assumed-image"),
                       Token("serve", style="synthetic", origin="assumed-image")]
            got = ("serve", program, [t for t, _ in cmd_words], LaunchFacts(image_entrypoint_assumed=True))
            unknowns.append(f"the ENTRYPOINT of image {stage.image!r} is not known; assumed it runs `vllm serve`")
        else:
            return None
    entrypoint, program, args, more = got
    if not args and stage.cmd is None:
        return None  # an image that serves whatever model the container is given: no launch yet
    facts = facts.merged(more)
    if img_ep is not None and img_ep.uncertain:
        facts.image_entrypoint_uncertain = img_ep.reason
    if insertion is None:
        insertion = _exec_insertion(src, stage.cmd if stage.cmd is not None else stage.entrypoint)
    gpu = GpuRequest(mechanism=None)
    gpu.notes.append("a Dockerfile does not say how many GPUs the container gets (docker run --gpus / compose decide)")
    narrow_by_env(gpu, env)
    if gpu.count is None:
        unknowns.append("GPU count is not known: set by whoever runs the image")
    mark_placeholders(list(args), unknowns)
    for t in args:
        if t.symbolic and not any(t.text in u for u in unknowns):
            unknowns.append(f"argument {t.raw or t.text!r} is not known statically")
    # named after the instruction that starts the program: ENTRYPOINT when this file sets it
    where = (stage.entrypoint if stage.ep_set_here else stage.cmd) or stage.cmd or stage.entrypoint
    return Launch(
        path=src.display,
        name=f"line {where.line}: {where.keyword}" if where else "Dockerfile",
        source="dockerfile",
        span=src.index.span(where.start, where.end) if where else src.index.span(0, 0),
        entrypoint=entrypoint,
        program=list(program),
        args=list(args),
        env=env,
        image=stage.image,
        image_span=stage.image_span,
        vllm_version=version_from_image(stage.image) if stage.image and "$" not in stage.image else None,
        gpu=gpu,
        insertion=insertion,
        facts=facts,
        unknowns=list(dict.fromkeys(unknowns)),
    )


def _exec_insertion(src: SourceFile, ins: Instruction | None):
    if ins is None:
        return None
    items = _exec_form(ins)
    if items is None:
        lead = len(ins.text) - len(ins.text.lstrip())
        body = ins.text[lead:].rstrip()
        if not body:
            return None
        return shell_insertion(src, ins.offs[lead + len(body) - 1] + 1)
    from vllm_lint.launch import Insertion

    if not items:
        close = ins.text.rfind("]")
        offset = ins.offs[close] if close >= 0 else ins.end

        def render_first(words: list[str]) -> str:
            return ", ".join(json.dumps(w) for w in words)

        return Insertion(src.display, offset, render_first)
    last_end = items[-1][3]
    offset = last_end + 1 if src.text[last_end:last_end + 1] == '"' else last_end

    def render(words: list[str]) -> str:
        return "".join(", " + json.dumps(w) for w in words)

    return Insertion(src.display, offset, render)


def _follow_script(src: SourceFile, stage: _Stage, words: list[str], env: dict[str, EnvValue]) -> Launch | None:
    """ENTRYPOINT ["/bin/bash", "/entrypoint.sh"] where /entrypoint.sh was COPY-ed from the build
    context: read that script with the image's ENV (tokens keep their text, not spans: they
    live in another file, which is linted on its own)."""
    for w in words[:3]:
        local = stage.copies.get(w)
        if local is None:
            continue
        from vllm_lint.sources.shell.scripts import followed_script_launch

        return followed_script_launch(src, local, env, via=f"{stage.entrypoint.keyword if stage.entrypoint else 'CMD'} {w}",
                                      span=src.index.span(stage.entrypoint.start, stage.entrypoint.end)
                                      if stage.entrypoint else src.index.span(0, 0),
                                      image=stage.image, source="dockerfile")
    return None
