"""Finding the vLLM engine start inside an argv (a list of Tokens from any format).

Recognised programs (the entrypoints vLLM has shipped across its releases):
``vllm serve`` (any path ending in ``/vllm``), ``python[3[.X]] -m vllm.entrypoints.openai.api_server``,
``python -m vllm.entrypoints.api_server`` (the legacy demo server), ``python -m
vllm.entrypoints.cli.main serve``; behind wrappers (``exec``, ``nohup``, ``env A=b``, ``time``,
``uv run``, ``conda run -n x``, ``numactl ...``) and ``docker|podman run ... IMAGE args`` where
the image's ENTRYPOINT (``images.image_entrypoint``) is prepended to the container args.
"""

from __future__ import annotations

import re

from vllm_lint.launch import LaunchFacts, Token
from vllm_lint.sources.containers.docker_run import DockerRun, parse_docker_run
from vllm_lint.sources.containers.images import image_entrypoint, is_vllm_image, starts_with_program

_PYTHON = re.compile(r"python(?:\d+(?:\.\d+)?)?")
_ASSIGN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_API_SERVER = "vllm.entrypoints.openai.api_server"
_LEGACY = "vllm.entrypoints.api_server"
_CLI_MAIN = "vllm.entrypoints.cli.main"
# commands whose arguments merely mention vllm (never an engine start)
_NOT_A_LAUNCH = frozenset({"echo", "printf", "cat", "grep", "pip", "pip3", "which", "type", "test", "[", "[[",
                           "command", "apt-get", "apt", "uv", "conda", "pkill", "kill", "ps", "curl", "wget",
                           "git", "sed", "awk", "head", "tail", "tee", "find", "ls", "rm", "mkdir", "cd",
                           "trap", "local", "set", "read", "logger", "jq", "docker-compose", "kubectl"})
_PY_OPTS_WITH_VALUE = frozenset({"-X", "-W", "-c"})
_CONTAINER_CLIS = frozenset({"docker", "podman", "nerdctl"})

Invocation = tuple[str, list[Token], list[Token], LaunchFacts]


def _base(text: str) -> str:
    return text.rsplit("/", 1)[-1]


def find_vllm_invocation(words: list[Token]) -> Invocation | None:
    """(entrypoint, program, args, facts) of the first vLLM start in ``words``, or None.

    ``entrypoint`` is one of launch.ENTRYPOINTS; ``program`` the tokens naming the program
    (``vllm serve`` / ``python3 -m ...``); ``args`` everything after. ``facts`` may hold
    ``repeated_subcommand`` (the args start with the program again, as in an image whose
    ENTRYPOINT is ``vllm serve`` given ``command: [vllm, serve, ...]``) and ``env_prefix``
    (``env A=b`` / ``A=b`` words before the program).
    """
    if not words:
        return None
    words = strip_wrappers(words)
    if not words:
        return None
    first = _base(words[0].text)
    if first in ("apptainer", "singularity") and len(words) > 2 and words[1].text in ("run", "instance"):
        return _apptainer_run(words)
    if first in _CONTAINER_CLIS:
        run = parse_docker_run(words)
        if run is None:
            return _container_exec(words)
        return docker_run_invocation(run)
    uv_like = first in ("uv", "conda", "micromamba", "mamba", "pixi", "poetry")
    if first in _NOT_A_LAUNCH and not (uv_like and len(words) > 1 and words[1].text == "run"):
        return None
    env_prefix: dict[str, str] = {}
    for i, tok in enumerate(words):
        text = tok.text
        if _ASSIGN.match(text):
            name, _, value = text.partition("=")
            env_prefix[name] = value
            continue
        if i and _base(text) in _WRAPPERS:
            continue
        got = _match_program(words, i)
        if got is None:
            continue
        entrypoint, n_prog = got
        program = list(words[i:i + n_prog])
        args = list(words[i + n_prog:])
        facts = LaunchFacts()
        if env_prefix:
            facts.env_prefix = dict(env_prefix)
        if args and _match_program(args, 0) is not None:
            facts.repeated_subcommand = True
        return entrypoint, program, args, facts
    return None


# wrappers that run their arguments as a command: name -> options that take a value
_WRAPPERS: dict[str, frozenset[str]] = {
    "exec": frozenset({"-a"}), "nohup": frozenset(), "time": frozenset({"-f", "-o"}),
    "sudo": frozenset({"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U"}), "setsid": frozenset(),
    "stdbuf": frozenset({"-i", "-o", "-e"}), "nice": frozenset({"-n"}), "ionice": frozenset({"-c", "-n", "-p"}),
    "taskset": frozenset(), "numactl": frozenset(), "timeout": frozenset({"-s", "-k"}), "command": frozenset(),
    "builtin": frozenset(), "chrt": frozenset(), "env": frozenset({"-u", "-C", "-S"}), "doas": frozenset({"-u"}),
    "dumb-init": frozenset(), "tini": frozenset(), "gosu": frozenset(), "su-exec": frozenset(),
}
# wrappers whose first non-option argument is not the command (a duration, a user, a cpu mask)
_WRAPPER_POSITIONAL = {"timeout": 1, "gosu": 1, "su-exec": 1, "taskset": 1, "chrt": 1}


def strip_wrappers(words: list[Token]) -> list[Token]:
    """Drop leading process wrappers (``exec``, ``nohup``, ``sudo -E``, ``env A=b``, ``timeout 1h``,
    ``numactl --cpunodebind=0``...) so the wrapped command comes first. ``A=b`` words are kept."""
    i = 0
    n = len(words)
    while i < n:
        base = _base(words[i].text)
        if base not in _WRAPPERS:
            return list(words[i:])
        if base == "tini" or base == "dumb-init":
            i += 1
            while i < n and words[i].text.startswith("-"):
                i += 1
            if i < n and words[i].text == "--":
                i += 1
            continue
        opts = _WRAPPERS[base]
        i += 1
        while i < n:
            t = words[i].text
            if t == "--":
                i += 1
                break
            if base == "env" and _ASSIGN.match(t):
                return list(words[i:])  # keep assignments for env_prefix
            if t.startswith("-") and len(t) > 1:
                i += 2 if t in opts else 1
                continue
            break
        skip = _WRAPPER_POSITIONAL.get(base, 0)
        i += skip
    return []


def _match_program(words: list[Token], i: int) -> tuple[str, int] | None:
    """(entrypoint, number of program tokens) when a vLLM program starts at ``words[i]``."""
    text = words[i].text
    base = _base(text)
    n = len(words)
    if base == "vllm":
        if i + 1 < n and words[i + 1].text == "serve":
            return "serve", 2
        return None
    if _PYTHON.fullmatch(base):
        j = i + 1
        while j < n:
            t = words[j].text
            if t == "-m":
                if j + 1 >= n:
                    return None
                return _module(words, j + 1, j + 2 - i)
            if t.startswith("-m") and len(t) > 2:
                return _module_text(t[2:], words, j + 1, j + 1 - i)
            if t in _PY_OPTS_WITH_VALUE:
                if t == "-c":
                    return None
                j += 2
                continue
            if t.startswith("-"):
                j += 1
                continue
            return None
    return None


def _module(words: list[Token], k: int, consumed: int) -> tuple[str, int] | None:
    return _module_text(words[k].text, words, k + 1, consumed)


def _module_text(mod: str, words: list[Token], after: int, consumed: int) -> tuple[str, int] | None:
    if mod == _API_SERVER:
        return "api_server", consumed
    if mod == _LEGACY:
        return "legacy_api_server", consumed
    if mod == _CLI_MAIN and after < len(words) and words[after].text == "serve":
        return "serve", consumed + 1
    return None


def shell_script_index(words: list[Token]) -> int | None:
    """Index of the script word in ``sh|bash [-opts] -c SCRIPT ...`` (also ``-lc``, ``-ec``)."""
    if not words:
        return None
    k = 0
    if _base(words[0].text) == "env":
        k = 1
        while k < len(words) and (_ASSIGN.match(words[k].text) or words[k].text.startswith("-")):
            k += 1
    if k >= len(words) or _base(words[k].text) not in ("sh", "bash", "dash", "ash", "zsh"):
        return None
    for j in range(k + 1, len(words)):
        t = words[j].text
        if not t.startswith("-") or t == "--":
            return None
        if "c" in t[1:] and not t.startswith("--"):
            return j + 1 if j + 1 < len(words) else None
    return None


_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{[A-Za-z_][\w.]*\}|%\{[^}]*\}|\$\{[A-Za-z_][\w.]*\}")


def mark_placeholders(tokens: list[Token], unknowns: list[str]) -> None:
    """Template placeholders left in argv words (Go/Helm ``{{ .x }}``, Python ``{model}``,
    Terraform ``%{ }``/``${var}``) make the word symbolic: its value is filled in by a tool the
    linter does not run."""
    for t in tokens:
        if t.style == "synthetic" or t.symbolic:
            continue
        if _PLACEHOLDER.search(t.text):
            t.symbolic = True
            unknowns.append(f"{t.text!r} is a template placeholder filled in by another tool")


_EXEC_VALUE_OPTS = frozenset({"-e", "--env", "--env-file", "-u", "--user", "-w", "--workdir", "--detach-keys"})


def _container_exec(words: list[Token]) -> Invocation | None:
    """``docker|podman exec [OPTIONS] CONTAINER COMMAND...``: the command runs in an existing
    container (its GPUs are whatever that container was given)."""
    i = 1
    n = len(words)
    if i < n and words[i].text == "container":
        i += 1
    if i >= n or words[i].text != "exec":
        return None
    i += 1
    while i < n and words[i].text.startswith("-"):
        t = words[i].text
        i += 2 if (t in _EXEC_VALUE_OPTS and "=" not in t) else 1
    if i + 1 >= n:
        return None
    got = find_vllm_invocation(list(words[i + 1:]))
    if got is None:
        return None
    entrypoint, program, args, facts = got
    facts = facts.merged(LaunchFacts(container_exec=words[i].text))
    return entrypoint, program, args, facts


# apptainer/singularity run options that take a value
_APPTAINER_VALUE_OPTS = frozenset("-B --bind --env --env-file -H --home -o --overlay --pwd -W --workdir --network "
                                  "--network-args --security -S --scratch --mount --app --hostname --dns --fusemount "
                                  "--apply-cgroups --cpus --memory --pem-path --passphrase".split())
# the name `apptainer pull docker://vllm/vllm-openai:v0.8.5` gives the image by default
_PULLED_SIF = re.compile(r"(?:^|/)vllm-openai_([\w.\-]+)\.sif$")


def _apptainer_run(words: list[Token]) -> Invocation | None:
    """``apptainer run [options] IMAGE [args]`` and ``apptainer instance run [options] IMAGE NAME
    [args]`` run the image's runscript, which for an image built from a Docker image is its
    ENTRYPOINT with the args. The image is ``docker://vllm/vllm-openai:TAG`` or the file
    ``apptainer pull`` names ``vllm-openai_TAG.sif``; ``exec`` names its program (read as any
    command)."""
    i = 1
    instance = words[i].text == "instance"
    if instance:
        if len(words) < 3 or words[2].text != "run":
            return None
        i += 1
    i += 1
    n = len(words)
    while i < n and (words[i].text.startswith("-") or (words[i].text.startswith("{{") and i + 1 < n
                                                        and words[i + 1].text.startswith("-"))):
        t = words[i].text  # (a template placeholder among the options is more options)
        i += 2 if t in _APPTAINER_VALUE_OPTS else 1
    if i >= n:
        return None
    image = words[i].text
    args = list(words[i + 2 if instance else i + 1:])
    pulled = _PULLED_SIF.search(image)
    ref = image[len("docker://"):] if image.startswith("docker://") else \
        f"vllm/vllm-openai:{pulled.group(1)}" if pulled else None
    ep = image_entrypoint(ref)
    if ep is None:
        return None
    got = find_vllm_invocation(ep.tokens() + args)
    if got is None:
        return None
    entrypoint, program, rest, facts = got
    facts.runs_in_image = ref
    if pulled or ep.uncertain:
        facts.image_entrypoint_uncertain = ep.reason or f"{image} taken as pulled from docker://{ref}"
    return entrypoint, program, rest, facts


def docker_run_invocation(run: DockerRun) -> Invocation | None:
    """What a ``docker run`` starts: its ``--entrypoint`` or the image's ENTRYPOINT followed by the
    words after the image, as (entrypoint, program, args, facts) like ``find_vllm_invocation``."""
    facts = run.facts()
    if run.entrypoint is not None:
        got = find_vllm_invocation(run.entrypoint + run.args)
    else:
        got = find_vllm_invocation(run.args) if run.args else None
        ep = image_entrypoint(run.image.text if run.image else None)
        if ep is not None:
            combined = ep.tokens() + run.args
            got = find_vllm_invocation(combined)
            if got is not None and ep.uncertain:
                got[3].image_entrypoint_uncertain = ep.reason
    if got is None and run.entrypoint is None and image_entrypoint(run.image.text if run.image else None) is None:
        if run.image is not None and is_vllm_image(run.image.text) and run.args \
                and not starts_with_program([t.text for t in run.args]):
            program = [Token(text="vllm", style="synthetic", origin="assumed-image"),
                       Token(text="serve", style="synthetic", origin="assumed-image")]
            facts.image_entrypoint_assumed = True
            return "serve", program, list(run.args), facts
    if got is None:
        return None
    entrypoint, program, args, more = got
    return entrypoint, program, args, facts.merged(more)
