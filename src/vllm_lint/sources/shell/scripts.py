"""Shell scripts -> one Launch per command that starts vLLM (read statically, never run).

The script is split into simple commands by ``commands.parse_script`` (variables tracked in order, arrays,
defaults, ``${VAR:+--flag "$VAR"}``, heredoc bodies skipped). A command is a launch when
``argv.find_vllm_invocation`` recognises it: ``vllm serve``, the api_server modules, behind
``exec``/``nohup``/``env``/``sudo``, or ``docker|podman run ... IMAGE args`` whose image
ENTRYPOINT is prepended and whose own options (``--gpus``, ``-e``, ``--env-file``, ``--ipc``,
``--shm-size``, ``-p``) become env, GPU request and facts rather than vLLM arguments.
A ``bash -c "<script>"`` argument is read as a nested script with spans into the file.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from vllm_lint.launch import EnvValue, GpuRequest, Launch, LaunchFacts, Token
from vllm_lint.sources.argv import find_vllm_invocation, mark_placeholders, shell_script_index, strip_wrappers
from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile
from vllm_lint.sources.containers.docker_run import DockerRun, parse_docker_run
from vllm_lint.sources.containers.dotenv import parse_dotenv
from vllm_lint.sources.containers.visible_gpus import narrow_by_env
from vllm_lint.sources.insertion import shell_insertion
from vllm_lint.sources.mapped_text import MappedText
from vllm_lint.sources.readfile import load_sibling
from vllm_lint.sources.shell.commands import expand_heredoc, parse_script, words_end
from vllm_lint.sources.shell.syntax import Command, Script, Val, Word
from vllm_lint.span import Span
from vllm_lint.vllm.versions import version_from_image

_RELEVANT_ENV = re.compile(r"^(?:CUDA_|NVIDIA_|HIP_|ROCR_|VLLM_|HF_|HUGGING|NCCL_|PYTORCH_|TORCH_|OMP_|TRANSFORMERS_|LMCACHE_|UCX_)")
_MAX_NESTING = 4


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    opts = opts or ExtractOptions()
    jinja = _JINJA.search(src.text) is not None
    if jinja:  # a script rendered by Jinja: read what the template writes, placeholders unknown
        mapped = jinja_script(src.text)
        script = parse_script(mapped.text, mapped.starts, dict(opts.env), ends=mapped.ends)
    else:
        script = parse_script(src.text, None, dict(opts.env))
        sourced = _sourced_env(src, script)
        if sourced:
            script = parse_script(src.text, None, {**sourced, **dict(opts.env)})
    result = ExtractResult()
    result.launches.extend(distinct_launches(src, script, script.commands))
    return result


def distinct_launches(src: SourceFile, script: Script, commands: Iterable[Command]) -> Iterator[Launch]:
    """The launch each of ``commands`` starts, once: the same array expanded twice
    (``"${VLLM_ARGS[@]}"`` in two branches) is one launch. Lazy, so a caller may stop at the first."""
    seen: set[tuple] = set()
    for cmd in commands:
        launch = command_launch(src, cmd, script, depth=0)
        if launch is None:
            continue
        key = tuple((t.text, t.span.start if t.span else None) for t in launch.program + launch.args)
        if key in seen:
            continue
        seen.add(key)
        yield launch


def _sourced_env(src: SourceFile, script: Script) -> dict[str, object]:
    """Variables a sibling script sets that this one ``source``s (``source "$SCRIPT_DIR/common.sh"``,
    ``. ./env.sh``) and reads: the file is found at or below this one's folder (never outside the
    linted tree, whose files' values must not reach the report); its values seed this script (set
    before the launch, as the common ``source`` at the top does)."""
    out: dict[str, object] = {}
    for cmd in script.commands:
        words = cmd.words
        if len(words) < 2 or words[0].text not in ("source", "."):
            continue
        name = words[1].text
        if "$" in name or "{" in name:
            cut = max(name.rfind("$"), name.rfind("}"), name.rfind(")"))
            slash = name.find("/", cut)
            name = name[slash + 1:] if slash != -1 else ""
        if not name or "$" in name or name.startswith(("/", "~")) or ".." in name.split("/"):
            continue  # only files at or below this script's folder: nothing from outside the tree
        # `$REPO_ROOT/scripts/common.sh` from scripts/run.sh: the tail, else the file's own name
        sib = load_sibling(src, name) or (load_sibling(src, name.rsplit("/", 1)[-1]) if "/" in name else None)
        if sib is None or sib.path == src.path:
            continue
        inner = parse_script(sib.text, None, None)
        out.update({k: (None if v.symbolic else v.text) for k, v in inner.env.items() if v.items is None})
    # only what this script reads: the sourced file's own helpers and state stay its own
    return {k: v for k, v in out.items() if re.search(r"\$\{?" + re.escape(k) + r"(?![A-Za-z0-9_])", src.text)}


_JINJA = re.compile(r"\{%|\{\{\s")
_JINJA_PART = re.compile(r"\{%.*?%\}|\{#.*?#\}|\{\{(.*?)\}\}", re.S)


def jinja_script(text: str) -> MappedText:
    """A Jinja-templated shell script as the shell would see one rendering of it: ``{% ... %}``
    tags and ``{# #}`` comments blanked (every branch is read), each ``{{ expr }}`` one unknown
    word (``{{container_config.port}}``) spanning the whole expression."""
    out = MappedText()
    last = 0
    for m in _JINJA_PART.finditer(text):
        out.copy(text, last, m.start())
        if m.group(1) is None:
            for k in range(m.start(), m.end()):
                out.add(text[k] if text[k] in "\r\n" else " ", k)
        else:
            inner = re.sub(r"[^\w.]", "", m.group(1))[:60] or "expr"
            out.add("{{" + inner + "}}", m.start(), m.end())
        last = m.end()
    out.copy(text, last, len(text))
    return out


def _tokens(src: SourceFile, words: list[Word]) -> list[Token]:
    return [w.token(src.text, src.index) for w in words]


def command_launch(src: SourceFile, cmd: Command, script: Script, depth: int, folded: bool = False) -> Launch | None:
    """The Launch of one simple command, looking into ``bash -c`` scripts; None if not vLLM."""
    if not cmd.words:
        return None
    tokens = _tokens(src, cmd.words)
    got = find_vllm_invocation(tokens)
    if got is None:
        return _nested(src, cmd, tokens, depth) or _heredoc_script(src, cmd, tokens, depth)
    entrypoint, program, args, facts = got
    docker = _docker(tokens)
    env = _env(cmd, docker)
    if docker is not None:
        gpu = docker.gpu()
        if docker.env_files:
            for ef in docker.env_files:
                sib = load_sibling(src, ef.text) if not ef.symbolic else None
                if sib is not None:
                    for k, v in parse_dotenv(sib.text, sib.index).items():
                        env.setdefault(k, v)
            gpu = docker.gpu()
        image = docker.image.text if docker.image else None
        image_span = docker.image.span if docker.image else None
    elif facts.container_exec is not None:
        gpu = GpuRequest(notes=[f"runs inside the existing container {facts.container_exec!r}; "
                                "its GPUs were set where that container was started"])
        image = image_span = None
    else:
        gpu = GpuRequest(mechanism="host")
        gpu.all_visible = True
        gpu.notes.append("a process on the host sees every GPU of the machine")
        narrow_by_env(gpu, env)
        image = facts.runs_in_image  # apptainer run IMAGE: the host's GPUs (--nv), the image's vLLM
        image_span = None
    first = next((t for t in program if t.span is not None), None) or next((t for t in tokens if t.span), None)
    line = first.span.line if first and first.span else 1
    prog_text = " ".join(t.text for t in program if t.style != "synthetic") or " ".join(t.text for t in program)
    if docker is not None:
        line = tokens[0].span.line if tokens[0].span else line
        name = f"line {line}: {strip_wrappers(tokens)[0].text} run {image or ''}".rstrip()
    else:
        name = f"line {line}: {prog_text}"
    unknowns = [u for u in cmd.unknowns if _mentions(u, args)]
    args = _splice_args_files(src, args, unknowns, facts)
    mark_placeholders(args, unknowns)
    for t in args:
        if t.symbolic and not any((t.raw or t.text) in u for u in unknowns):
            unknowns.append(f"argument {t.raw or t.text!r} is not known statically")
    if gpu.count is None:
        if gpu.all_visible:
            unknowns.append("all GPUs of the host are visible; their number is not known from the file")
        else:
            unknowns.append("GPU count is not known: " + ("; ".join(gpu.notes) or "no GPU request"))
    by_token = {id(tok): w for tok, w in zip(tokens, cmd.words)}
    tail = [by_token[id(t)] for t in list(program) + list(args) if id(t) in by_token]
    end = words_end(tail)
    insertion = shell_insertion(src, end, folded_yaml=folded) if end is not None else None
    span_start = min((t.span.start for t in tokens if t.span), default=0)
    span_end = max((t.span.end for t in tokens if t.span), default=span_start)
    if docker is not None:
        facts = docker.facts().merged(facts)
    return Launch(
        path=src.display,
        name=name,
        source="shell",
        span=src.index.span(span_start, span_end),
        entrypoint=entrypoint,
        program=list(program),
        args=list(args),
        env=env,
        image=image,
        image_span=image_span,
        vllm_version=version_from_image(image) if image and "$" not in image else None,
        gpu=gpu,
        insertion=insertion,
        facts=facts,
        unknowns=list(dict.fromkeys(unknowns)),
    )


def _mentions(unknown: str, args: list[Token]) -> bool:
    return any(t.symbolic and (t.raw or t.text) and (t.raw or t.text) in unknown for t in args)


def _docker(tokens: list[Token]) -> DockerRun | None:
    words = strip_wrappers(tokens)
    if words and words[0].text.rsplit("/", 1)[-1] in ("docker", "podman", "nerdctl"):
        return parse_docker_run(words)
    return None


def _env(cmd: Command, docker: DockerRun | None) -> dict[str, EnvValue]:
    env: dict[str, EnvValue] = {}
    for k, v in cmd.env.items():
        if _RELEVANT_ENV.match(k) and v.items is None:
            env[k] = _ev(v)
    for k, v in cmd.assigns.items():
        env[k] = _ev(v)
    if docker is not None:
        # the container gets only what -e/--env-file pass, not the script's variables
        env = dict(docker.env)
    return env


def _ev(v: Val) -> EnvValue:
    return EnvValue(v.text, None, v.symbolic)


def _nested(src: SourceFile, cmd: Command, tokens: list[Token], depth: int) -> Launch | None:
    """``bash -c "..."`` (also after ``docker run IMAGE`` / ``docker exec C`` / ``ssh host``)."""
    if depth >= _MAX_NESTING:
        return None
    words = list(cmd.words)
    stripped = strip_wrappers(tokens)
    offset = len(tokens) - len(stripped)
    if len(stripped) > 1 and stripped[0].text == "eval":
        return _eval_launch(src, cmd, words[offset + 1:], depth)
    idx = shell_script_index(stripped)
    if idx is None:
        idx = _entrypoint_script_index(stripped)
    if idx is None:
        for k in range(len(stripped) - 2):
            if stripped[k].text.rsplit("/", 1)[-1] in ("sh", "bash") and stripped[k + 1].text.startswith("-") \
                    and "c" in stripped[k + 1].text:
                idx = k + 2
                break
    if idx is None:
        return None
    word = words[offset + idx]
    if not word.starts:
        return None
    inner = parse_script(word.text, word.starts, {k: (None if v.symbolic else v.text) for k, v in cmd.env.items()
                                                   if v.items is None}, ends=word.ends)
    for sub in inner.commands:
        launch = command_launch(src, sub, inner, depth + 1)
        if launch is not None:
            docker = _docker(tokens)
            if docker is not None:
                launch.gpu = docker.gpu()
                launch.env = {**docker.env, **launch.env}
                launch.facts = docker.facts().merged(launch.facts)
                if docker.image is not None:
                    launch.image = docker.image.text
                    launch.image_span = docker.image.span
                    launch.vllm_version = version_from_image(docker.image.text)
                launch.unknowns = [u for u in launch.unknowns if "host sees every GPU" not in u and "host are visible" not in u]
            launch.facts.shell = _shell_name(stripped, idx)
            return launch
    return None


def _eval_launch(src: SourceFile, cmd: Command, words: list, depth: int) -> Launch | None:
    """``eval "$CMD"`` / ``eval vllm serve ...``: bash joins the expanded words with blanks and runs
    the result as a command line (the common ``CMD="vllm serve ..."; CMD+=" --flag"; eval "$CMD"``)."""
    if not words or not all(w.starts and len(w.starts) == len(w.text) for w in words):
        return None
    if any(w.condition for w in words):
        return None  # part of the string was appended under a guard: which part is not kept here
    text, starts, ends = "", [], []
    for n, w in enumerate(words):
        if n:
            text += " "
            starts.append(w.starts[0])
            ends.append(w.starts[0])
        text += w.text
        starts += w.starts
        ends += w.ends if w.ends and len(w.ends) == len(w.text) else [o + 1 for o in w.starts]
    env = {k: (None if v.symbolic else v.text) for k, v in cmd.env.items() if v.items is None}
    inner = parse_script(text, starts, env, ends=ends)
    for sub in inner.commands:
        launch = command_launch(src, sub, inner, depth + 1)
        if launch is not None:
            return launch
    return None


def _entrypoint_script_index(words: list[Token]) -> int | None:
    """``docker run --entrypoint /bin/sh IMAGE -c SCRIPT``: the index of SCRIPT in ``words``."""
    docker = _docker(words)
    if docker is None or not docker.entrypoint:
        return None
    combined = docker.entrypoint + docker.args
    i = shell_script_index(combined)
    if i is None or i < len(docker.entrypoint):
        return None
    script = combined[i]
    return next((k for k, t in enumerate(words) if t is script), None)


def _shell_name(words: list[Token], idx: int) -> str:
    """The shell that runs the script at ``words[idx]`` (``sh -c``, ``bash -lc``, ``--entrypoint bash``)."""
    docker = _docker(words)
    if docker is not None and docker.entrypoint and any(t is words[idx] for t in docker.args):
        return docker.entrypoint[0].text
    return words[idx - 2].text if idx >= 2 else "sh"


def followed_script_launch(src: SourceFile, rel: str, env: dict[str, EnvValue], *, via: str, span: Span, image: str | None,
                           source: str, gpu: GpuRequest | None = None) -> Launch | None:
    """The launch inside a local script that a container runs (a Dockerfile ``COPY``-ed
    ENTRYPOINT, a compose volume-mounted entrypoint), read with the container's environment.

    The script is linted on its own with exact spans; here its tokens keep text and raw text
    but no span (they live in another file), so diagnostics point at ``span`` in ``src``.
    """
    sib = load_sibling(src, rel.lstrip("./") if rel.startswith("./") else rel, "shell")
    if sib is None:
        return None
    script = parse_script(sib.text, None, {k: (None if v.symbolic else v.value) for k, v in env.items()})
    for cmd in script.commands:
        launch = command_launch(sib, cmd, script, depth=0)
        if launch is None:
            continue
        for t in launch.program + launch.args:
            if t.span is not None:
                t.origin = f"script:{sib.display}:{t.span.line}"
                t.span = None
        launch.path = src.display
        launch.name = f"{via} -> {sib.display} {launch.name}"
        launch.source = source
        launch.span = span
        launch.insertion = None
        launch.env = {**env, **launch.env}
        if image is not None and launch.image is None:
            launch.image = image
            launch.vllm_version = version_from_image(image) if "$" not in image else None
        launch.gpu = gpu if gpu is not None else GpuRequest(notes=["set by whoever runs the container"])
        launch.unknowns = [u for u in launch.unknowns if "host are visible" not in u and "GPU count" not in u]
        if launch.gpu.count is None and not launch.gpu.all_visible:
            launch.unknowns.append("GPU count is not known: " + ("; ".join(launch.gpu.notes) or "no GPU request"))
        launch.facts.followed_script = sib.display
        return launch
    return None


_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ssh"})


def _heredoc_script(src: SourceFile, cmd: Command, tokens: list[Token], depth: int) -> Launch | None:
    """A here-document that is itself a script: fed to a shell (``bash <<EOF``, ``ssh host <<EOF``)
    or written to a ``*.sh`` file (``cat > run_vllm.sh <<EOF``, a generator). Its text is what
    the heredoc expands to now; the generated script is then read like any other."""
    if depth >= _MAX_NESTING or not cmd.heredocs:
        return None
    stripped = strip_wrappers(tokens)
    consumer = stripped[0].text.rsplit("/", 1)[-1] if stripped else ""
    writes_script = any(r.strip("'\"").endswith((".sh", ".bash")) for r in cmd.redirects) or (
        consumer == "tee" and any(t.text.endswith((".sh", ".bash")) for t in stripped[1:]))
    if consumer not in _SHELLS and not writes_script:
        return None
    env = {k: (None if v.symbolic else v.text) for k, v in cmd.env.items() if v.items is None}
    for lo, hi, quoted in cmd.heredocs:
        text, starts, ends = expand_heredoc(src.text, lo, hi, quoted, None, env)
        inner = parse_script(text, starts, {} if writes_script else env, ends=ends)
        for sub in inner.commands:
            launch = command_launch(src, sub, inner, depth + 1)
            if launch is not None:
                launch.facts.heredoc = "generated script" if writes_script else consumer
                if writes_script:
                    launch.insertion = None  # the text is a template of another file
                return launch
    return None


# $(cat F), $(< F), `cat F`, $(grep -v '^#' F | xargs), $(xargs < F), $(sed '/^#/d' F): an args file
_ARGS_FILE = re.compile(
    r"""^(?:\$\(|`)\s*(?:cat\s+|<\s*|xargs\s*<\s*|grep\s+-v\s+(?:'[^']*'|"[^"]*"|\S+)\s+|sed\s+(?:-e\s+)?(?:'[^']*'|"[^"]*")\s+)"""
    r"""(?P<path>"[^"]+"|'[^']+'|[^\s|)`]+)\s*(?:\|\s*(?:xargs|tr\s+\S+\s+\S+)\s*)?(?:\)|`)$""")
_DIR_PREFIX = re.compile(r"""^(?:\$\{?\w+\}?|\$\(dirname\s+["']?\$\{?0\}?["']?\)|\$\(pwd\))/""")


def _splice_args_files(src: SourceFile, args: list[Token], unknowns: list[str], facts: LaunchFacts) -> list[Token]:
    """Replace an unquoted ``$(cat vllm_args.txt)``-style word with the arguments written in that
    file (one ``--flag value`` per line, ``#`` comments) when the file sits
    beside the script. The spliced tokens carry no span (they live in the other file, which
    the ``origin`` names); the substitution itself is never run."""
    out: list[Token] = []
    for t in args:
        raw = (t.raw or "").strip()
        m = _ARGS_FILE.match(raw) if t.symbolic and raw and raw[0] in "$`" else None
        if m is None:
            out.append(t)
            continue
        path = m.group("path").strip("'\"")
        path = _DIR_PREFIX.sub("", path)
        sib = load_sibling(src, path, "args") if "$" not in path and not path.startswith("/") else None
        if sib is None:
            out.append(t)
            continue
        text = "\n".join(line for line in sib.text.splitlines() if not line.lstrip().startswith("#"))
        words = [w for c in parse_script(text).commands for w in c.words]
        for w in words:
            out.append(Token(text=w.text, span=None, raw=w.text, symbolic=w.symbolic, origin=f"args-file:{sib.display}"))
        facts.args_files = [*(facts.args_files or []), sib.display]
        unknowns[:] = [u for u in unknowns if raw not in u]
    return out
