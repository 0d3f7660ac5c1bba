"""Glue between the Kubernetes-family readers and the shared argv/shell/image helpers.

Finds the vLLM invocation in a container's argv (list form) or inside a ``sh -c`` script held
in a YAML scalar (spans mapped through the scalar to the file), and supplies an image's
ENTRYPOINT/CMD as synthetic tokens.
"""

from __future__ import annotations

from yaml.nodes import Node

from vllm_lint.launch import EnvValue, LaunchFacts, Token
from vllm_lint.sources.argv import Invocation, find_vllm_invocation
from vllm_lint.sources.argv import shell_script_index as argv_script_index
from vllm_lint.sources.base import SourceFile
from vllm_lint.sources.containers import images
from vllm_lint.sources.shell import commands
from vllm_lint.sources.yaml import lookup, spans
from vllm_lint.span import Span

Found = Invocation  # (entrypoint, program, args, facts)


def _synthetic(words: list[str]) -> list[Token]:
    return [Token(text=w, span=None, style="synthetic", origin="image") for w in words]


def image_entrypoint(image: str | None) -> list[Token]:
    """The image's ENTRYPOINT as synthetic tokens ([] when unknown)."""
    if not image:
        return []
    return _synthetic(images.entrypoint_words(image) or [])


def image_cmd(image: str | None) -> list[Token]:
    if not image:
        return []
    return _synthetic(images.cmd_words(image) or [])


def image_runs_vllm(image: str | None) -> bool | None:
    """True when the image's ENTRYPOINT starts vLLM, False when it is known not to, None unknown."""
    if not image:
        return None
    words = images.entrypoint_words(image)
    if words is None:
        return None
    return bool(words)


def looks_like_vllm_image(image: str | None) -> bool:
    return images.is_vllm_image(image)


def entrypoint_facts(image: str | None) -> LaunchFacts:
    """Facts about an image ENTRYPOINT that was assumed (uncertain release window)."""
    ep = images.image_entrypoint(image)
    if ep is not None and ep.uncertain:
        return LaunchFacts(image_entrypoint_uncertain=ep.reason or "the image's ENTRYPOINT is uncertain")
    return LaunchFacts()


# Flags distinctive enough of vLLM to tell its args from another program's.
VLLM_FLAGS = frozenset({
    "--model", "--max-model-len", "--tensor-parallel-size", "--gpu-memory-utilization", "--served-model-name",
    "--max-num-seqs", "--max-num-batched-tokens", "--pipeline-parallel-size", "--enforce-eager", "--kv-cache-dtype",
    "--enable-prefix-caching", "--enable-chunked-prefill", "--trust-remote-code", "--quantization",
    "--tool-call-parser", "--enable-auto-tool-choice", "--reasoning-parser", "--block-size", "--swap-space",
    "--max-lora-rank", "--enable-lora", "--load-format", "--data-parallel-size", "--dtype"})


def has_vllm_flag(words: list[Token]) -> bool:
    return any(t.text.split("=", 1)[0].replace("_", "-") in VLLM_FLAGS for t in words)


def assumed_entrypoint() -> list[Token]:
    return [Token(text="vllm", style="synthetic", origin="assumed-image"),
            Token(text="serve", style="synthetic", origin="assumed-image")]


def find_vllm(argv: list[Token]) -> Found | None:
    """(entrypoint, program, args, facts) of the vLLM invocation in an argv, or None."""
    got = find_vllm_invocation(argv)
    if got is None:
        return None
    entrypoint, program, args, facts = got
    return entrypoint, list(program), list(args), facts.merged(LaunchFacts())


def shell_script_index(argv: list[Token]) -> int | None:
    """Index of SCRIPT in ``sh -c SCRIPT``; also ``bash -lc -- SCRIPT`` (``--`` ends options,
    the next word is still the command string)."""
    got = argv_script_index(argv)
    if got is not None:
        if argv[got].text == "--":  # `bash -lc -- SCRIPT`: the script follows `--`
            return got + 1 if got + 1 < len(argv) else None
        return got
    if not argv or argv[0].text.rsplit("/", 1)[-1] not in ("sh", "bash", "dash", "ash", "zsh", "ksh"):
        return None
    seen_c = False
    for j in range(1, len(argv)):
        t = argv[j].text
        if t == "--":
            return j + 1 if seen_c and j + 1 < len(argv) else None
        if not t.startswith("-") or t.startswith("--"):
            return j if seen_c else None
        if "c" in t[1:]:
            seen_c = True
    return None


def find_in_shell(src: SourceFile, node: Node | None, tok: Token, env: dict[str, EnvValue]) -> tuple[Found, Span | None] | None:
    """The vLLM command inside a shell script held by a YAML scalar, spans mapped to the file."""
    if node is not None and lookup.is_null(node):
        return None
    s = node.value if node is not None and hasattr(node, "value") and isinstance(node.value, str) else tok.text
    offs = spans.scalar_offset_map(node, src.text) if node is not None else None
    shell_env: dict[str, object] = {k: (None if v.symbolic else v.value) for k, v in env.items()}
    script = commands.parse_script(s, offs, shell_env, k8s=True)
    for cmd in script.commands:
        if offs is None:
            tokens = [Token(text=w.text, span=None, raw=w.text, symbolic=w.symbolic) for w in cmd.words]
        else:
            tokens = [w.token(src.text, src.index) for w in cmd.words]
        found = find_vllm(tokens)
        if found is not None:
            last = src.index.span(cmd.end, cmd.end) if offs is not None and cmd.end else None
            if cmd.assigns:  # `NAME=value vllm serve ...`: the process's own environment
                found[3].shell_assigns = {k: EnvValue(v.text, None, v.symbolic) for k, v in cmd.assigns.items()
                                          if v.items is None}
            return found, last
    return None
