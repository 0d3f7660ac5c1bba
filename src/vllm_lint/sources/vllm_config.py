"""vLLM ``--config file.yaml`` files: flag names (without ``--``) as keys.

Conversion follows vLLM's FlexibleArgumentParser (``_pull_args_from_config``, see corpus NOTES
"Parser semantics"): ``key: value`` -> ``--key value``; ``true`` -> bare ``--key``; ``false`` ->
``--no-key`` when that negative flag exists, otherwise dropped; a list -> the values repeated
after one ``--key``; a mapping -> its JSON string. The ``model`` key becomes the positional
model (inserted after ``serve``).

A standalone config file is one launch (program ``vllm serve``, synthetic); each key is a Token
with ``style="config-key"`` and the span of the key, each value a Token with the span of the
value. ``load_config_tokens`` gives the same tokens for a file referenced by ``--config``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from vllm_lint.launch import GpuRequest, Insertion, Launch, LaunchFacts, Token
from vllm_lint.sources.base import ExtractOptions, ExtractResult, Limits, SourceFile
from vllm_lint.sources.insertion import yaml_quote
from vllm_lint.sources.yaml import loader, lookup, spans


@lru_cache(maxsize=1)
def _options() -> frozenset[str]:
    try:
        from vllm_lint.vllm.flags import all_known_options

        return frozenset(all_known_options())
    except Exception:  # flag tables unavailable: keep false booleans as --no-key
        return frozenset()


def config_tokens(src: SourceFile, doc: Node) -> tuple[list[Token], list[str]]:
    """(argv tokens, notes) for a config mapping; the model (if any) comes first, positional."""
    tokens: list[Token] = []
    model: list[Token] = []
    notes: list[str] = []
    for k, v in lookup.mapping_pairs(doc):
        if not isinstance(k, ScalarNode):
            continue
        key = k.value
        key_span = spans.key_span(k, src)
        flag = Token(text="--" + key, span=key_span, raw=key_span.slice(src.text), style="config-key", origin="config")
        if key == "model" and isinstance(v, ScalarNode) and not lookup.is_null(v):
            model.append(_value_token(src, v))
            continue
        if isinstance(v, ScalarNode):
            if v.tag == "tag:yaml.org,2002:bool":
                if lookup.to_python(v):
                    tokens.append(flag)
                else:
                    neg = "--no-" + key.replace("_", "-")
                    if not _options() or neg in _options():
                        tokens.append(Token(text="--no-" + key, span=key_span, raw=key_span.slice(src.text),
                                            style="config-key", origin="config"))
                    else:
                        notes.append(f"{key}: false is dropped (vLLM has no --no-{key})")
                continue
            if lookup.is_null(v):
                notes.append(f"{key} has no value")
                tokens.append(flag)
                continue
            tokens.append(flag)
            tokens.append(_value_token(src, v))
        elif isinstance(v, SequenceNode):
            tokens.append(flag)
            for item in v.value:
                tokens.append(_value_token(src, item))
        elif isinstance(v, MappingNode):
            tokens.append(flag)
            span = spans.node_span(v, src)
            tokens.append(Token(text=json.dumps(lookup.to_python(v)), span=span, raw=span.slice(src.text), origin="config"))
    return model + tokens, notes


def _value_token(src: SourceFile, node: Node) -> Token:
    tok = spans.scalar_token(node, src)
    tok.origin = "config"
    if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:bool":
        tok.text = "true" if lookup.to_python(node) else "false"
    return tok


def _insertion(src: SourceFile, doc: MappingNode) -> Insertion | None:
    if not doc.value:
        return None
    dashed = any("-" in k.value for k, _ in doc.value if isinstance(k, ScalarNode))
    text = src.text
    last = doc.value[-1][1]
    end = last.end_mark.index
    while end > 0 and text[end - 1] in "\r\n":
        end -= 1
    nl = "\r\n" if "\r\n" in text else "\n"
    indent = " " * doc.value[0][0].start_mark.column

    def render(words: list[str]) -> str:
        return render_mapping_lines(words, nl + indent, dashed=dashed)

    return Insertion(src.display, end, render)


def render_mapping_lines(words: list[str], line_start: str, *, dashed: bool = False) -> str:
    """argv words (``["--max-model-len", "8192", "--enforce-eager"]``) as YAML mapping lines, each
    starting with ``line_start`` (newline + indentation): how a vLLM ``--config`` file or Ray
    Serve ``engine_kwargs`` writes options. A switch becomes ``key: true``; values that are not
    plain numbers are quoted so a ``:`` or ``#`` cannot break the YAML."""
    out = []
    i = 0
    while i < len(words):
        w = words[i]
        key = w[2:] if w.startswith("--") else w
        key = key.replace("_", "-") if dashed else key.replace("-", "_")
        if i + 1 < len(words) and not words[i + 1].startswith("--"):
            value = words[i + 1]
            plain = re.fullmatch(r"-?\d+(?:\.\d+)?", value) is not None
            out.append(f"{line_start}{key}: {value if plain else yaml_quote(value, None)}")
            i += 2
        else:
            out.append(f"{line_start}{key}: true")
            i += 1
    return "".join(out)


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    docs = loader.load_documents(src)
    result = ExtractResult(diagnostics=list(docs.diagnostics))
    for doc in docs.documents:
        if not isinstance(doc, MappingNode):
            continue
        args, notes = config_tokens(src, doc)
        program = [Token("vllm", style="synthetic", origin="config-file"),
                   Token("serve", style="synthetic", origin="config-file")]
        gpu = GpuRequest(notes=["a vLLM config file does not say which GPUs it runs on"])
        result.launches.append(Launch(
            path=src.display,
            name="config",
            source="vllm-config",
            span=spans.node_span(doc, src),
            entrypoint="serve",
            program=program,
            args=args,
            gpu=gpu,
            insertion=_insertion(src, doc),
            facts=LaunchFacts(config_file=True, config_notes=notes or None),
            unknowns=["GPU count is not known: a config file does not say"] + notes,
        ))
        break
    return result


def _load(path: Path, limits: Limits | None = None) -> tuple[SourceFile, Node] | None:
    from vllm_lint.sources.readfile import load_source

    src = load_source(path, str(path), "vllm-config", limits)
    if not isinstance(src, SourceFile):
        return None
    docs = loader.load_documents(src)
    if docs.diagnostics or not docs.documents or not isinstance(docs.documents[0], MappingNode):
        return None
    return src, docs.documents[0]


def load_config_tokens(path: Path, limits: Limits | None = None, display: str | None = None) -> list[Token]:
    """Tokens of a config file referenced by ``--config`` ([] when unreadable); spans point into it."""
    got = _load(path, limits)
    if got is None:
        return []
    src, doc = got
    if display:
        src = SourceFile.from_text(src.text, display, "vllm-config", path=path)
    return config_tokens(src, doc)[0]


def load_config_mapping(path: Path, limits: Limits | None = None) -> dict | None:
    """The config file as a plain mapping (what vLLM's parser reads), or None when unreadable."""
    got = _load(path, limits)
    if got is None:
        return None
    value = lookup.to_python(got[1])
    return value if isinstance(value, dict) else None
