"""Ansible playbooks and task files -> the vLLM launches their tasks run.

Tasks are found wherever Ansible reads them (a play's ``tasks``/``pre_tasks``/``post_tasks``/
``handlers``, ``block``/``rescue``/``always``, a role's task list) and read by module:

* ``command`` (``ansible.builtin.command``): free-form words, ``cmd:``, or an ``argv:`` list;
  no shell runs, so ``|``, ``&&`` and ``$VAR`` are plain text to the program;
* ``shell`` (``ansible.builtin.shell``): a shell script (free form or ``cmd:``);
* ``docker_container`` / ``community.docker.docker_container`` / ``containers.podman.
  podman_container``: ``image``, ``command`` (a string or a list: the container's arguments),
  ``entrypoint``, ``env``, ``device_requests`` (``count: -1`` or ``driver: nvidia`` -> GPUs),
  ``ipc_mode``, ``shm_size``, ``published_ports``, ``volumes``.

Jinja ``{{ name }}`` is filled in from the play's and the task's ``vars:`` when the variable is a
plain literal (``-e`` extra vars can still override it, as a shell ``${X:-default}`` can);
``{{ name | default('x') }}`` uses the default when the name is not set there. Anything else
(inventory variables, facts, lookups) stays an unknown placeholder. ``environment:`` of the play
and the task is the command's environment.
"""

from __future__ import annotations

import re
from typing import Iterator

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from vllm_lint.launch import Launch
from vllm_lint.sources.yaml import loader, lookup
from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile
from vllm_lint.sources.mapped import script_launches
from vllm_lint.sources.mapped_text import MappedText
from vllm_lint.sources.shell.syntax import Command, Script, Word
from vllm_lint.sources.ci.workflows import scalar_text

_COMMAND = frozenset({"command", "ansible.builtin.command", "ansible.legacy.command", "raw", "ansible.builtin.raw"})
_SHELL = frozenset({"shell", "ansible.builtin.shell", "ansible.legacy.shell"})
_CONTAINER = frozenset({"docker_container", "community.docker.docker_container", "podman_container",
                        "containers.podman.podman_container"})
_TASK_LISTS = ("tasks", "pre_tasks", "post_tasks", "handlers", "block", "rescue", "always")
_JINJA = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*default\(\s*(?:'([^']*)'|\"([^\"]*)\"|([\w.\-]+))\s*\)\s*)?\}\}")
# free-form ``command``/``shell`` parameters Ansible takes out of the command line
_FREE_FORM_PARAMS = re.compile(r"(?:^|\s)(?:chdir|creates|removes|executable|stdin|warn)=\S+")


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    docs = loader.load_documents(src, templated_ok=True)
    result = ExtractResult(diagnostics=list(docs.diagnostics))
    for doc in docs.documents:
        for task, vars_, env, label in _tasks(doc, {}, {}, ""):
            result.launches.extend(_task_launches(src, task, vars_, env, label))
    if not result.launches and not result.diagnostics:
        result.notes.append("no command, shell or docker_container task starts vLLM")
    return result


def _literals(node: Node | None, into: dict[str, str], env: bool = False) -> dict[str, object]:
    out: dict[str, object] = dict(into)
    for k, v in lookup.mapping_pairs(node):
        if isinstance(k, ScalarNode) and isinstance(v, ScalarNode):
            val = lookup.to_python(v)
            if isinstance(val, (str, int, float)) and not isinstance(val, bool):
                out[k.value] = None if env and "{{" in str(val) else str(val)
            elif env:
                out[k.value] = None
    return out


def _tasks(node: Node, vars_: dict, env: dict, label: str) -> Iterator[tuple[MappingNode, dict, dict, str]]:
    """(task, variables, environment, label) for every task under ``node``."""
    if isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            yield from _tasks(item, vars_, env, label or f"[{i}]")
        return
    if not isinstance(node, MappingNode):
        return
    vars_ = _literals(lookup.get(node, "vars"), vars_)
    env = _literals(lookup.get(node, "environment"), env, env=True)
    name = lookup.get_str(node, "name")
    here = f"{label} {name}".strip() if name else label
    if any(lookup.get(node, k) is not None for k in _COMMAND | _SHELL | _CONTAINER):
        yield node, vars_, env, here
    for key in _TASK_LISTS:
        child = lookup.get(node, key)
        if child is not None:
            yield from _tasks(child, vars_, env, here)


def jinja(mapped: MappedText, vars_: dict) -> MappedText:
    """``{{ name }}`` filled in from ``vars_`` (or its ``default(...)``); others become a
    ``{{name}}`` placeholder without blanks, one unknown word to the shell reader."""
    text = mapped.text
    out = MappedText()
    last = 0
    for m in re.finditer(r"\{\{.*?\}\}", text, re.S):
        out.extend(mapped.slice(last, m.start()))
        got = _JINJA.fullmatch(m.group(0))
        value = None
        if got is not None:
            value = vars_.get(got.group(1))
            if value is None:
                value = next((g for g in got.group(2, 3, 4) if g is not None), None)
        s, e = mapped.starts[m.start()], mapped.ends[m.end() - 1]
        out.add(str(value) if value is not None else re.sub(r"\s+", "", m.group(0)), s, e)
        last = m.end()
    out.extend(mapped.slice(last, len(mapped)))
    return out


def _task_launches(src: SourceFile, task: MappingNode, vars_: dict, env: dict, label: str) -> list[Launch]:
    for key, value in lookup.mapping_pairs(task):
        if not isinstance(key, ScalarNode):
            continue
        module = key.value
        if module in _SHELL or module in _COMMAND:
            if isinstance(value, MappingNode):
                argv = lookup.get(value, "argv")
                if isinstance(argv, SequenceNode):
                    return _argv_launch(src, argv, vars_, label)
                value = lookup.get(value, "cmd")
            if lookup.get(task, "cmd") is not None and not isinstance(value, ScalarNode):
                value = lookup.get(task, "cmd")
            if lookup.get(lookup.get(task, "args"), "cmd") is not None:
                value = lookup.get(lookup.get(task, "args"), "cmd")
            mapped = scalar_text(src, value)
            if mapped is None:
                return []
            mapped = _without_params(jinja(mapped, vars_))
            if module in _COMMAND:
                mapped = _quote_metachars(mapped)
            launches = script_launches(src, mapped, source="ansible", env=env, prefix=f"{label}: " if label else "")
            return launches
        if module in _CONTAINER and isinstance(value, MappingNode):
            return _container(src, value, vars_, label)
    return []


def _without_params(m: MappedText) -> MappedText:
    """Drop free-form ``chdir=``/``creates=`` parameters (Ansible's, not the command's)."""
    text = m.text
    keep = [True] * len(text)
    for x in _FREE_FORM_PARAMS.finditer(text):
        for i in range(x.start(), x.end()):
            keep[i] = False
    if all(keep):
        return m
    return MappedText([c for c, k in zip(m.chars, keep) if k], [s for s, k in zip(m.starts, keep) if k],
                      [e for e, k in zip(m.ends, keep) if k])


def _quote_metachars(m: MappedText) -> MappedText:
    """``command`` runs no shell: make ``|``, ``&``, ``;``, ``<``, ``>`` and ``$`` plain characters
    (a backslash before each, mapped to the character itself) so the shell reader keeps them."""
    out = MappedText()
    quote = ""
    for c, s, e in zip(m.chars, m.starts, m.ends):
        if c in "'\"" and (not quote or quote == c):
            quote = "" if quote else c
        elif c in "$`" and quote == '"' or c in "|&;<>$`()" and not quote:
            out.add("\\", s, e)
        out.add(c, s, e)
    return out


def _word(src: SourceFile, node: ScalarNode, vars_: dict) -> Word:
    from vllm_lint.sources.embedded.strings import _yaml_word

    w = _yaml_word(src, node)
    if "{{" in node.value:
        mapped = scalar_text(src, node)
        if mapped is not None:
            filled = jinja(mapped, vars_)
            w = Word(text=filled.text, start=w.start, end=w.end, quoted=w.quoted, expanded=True,
                     symbolic="{{" in filled.text, starts=list(filled.starts), ends=list(filled.ends), raw_end=w.raw_end)
    return w


def _argv_launch(src: SourceFile, argv: SequenceNode, vars_: dict, label: str) -> list[Launch]:
    from vllm_lint.sources.insertion import yaml_list_insertion
    from vllm_lint.sources.shell.scripts import command_launch

    words = [_word(src, x, vars_) for x in argv.value if isinstance(x, ScalarNode)]
    if not words:
        return []
    cmd = Command(words=words, start=words[0].start, end=words[-1].end)
    launch = command_launch(src, cmd, Script([cmd], {}, []), depth=0)
    if launch is None:
        return []
    launch.source = "ansible"
    launch.name = f"{label}: {launch.name}" if label else launch.name
    launch.insertion = yaml_list_insertion(argv, src)
    return [launch]


def _synthetic(text: str, at: int) -> Word:
    return Word(text=text, start=at, end=at, starts=[], ends=[])


def _container(src: SourceFile, spec: MappingNode, vars_: dict, label: str) -> list[Launch]:
    """``docker_container`` as the ``docker run`` it amounts to."""
    from vllm_lint.sources.insertion import yaml_list_insertion
    from vllm_lint.sources.shell.scripts import command_launch
    from vllm_lint.sources.shell.commands import expand_words

    image = lookup.get(spec, "image")
    if not isinstance(image, ScalarNode) or lookup.is_null(image):
        return []
    at = image.start_mark.index
    words = [_synthetic("docker", at), _synthetic("run", at)]
    for req in lookup.get(spec, "device_requests").value if isinstance(lookup.get(spec, "device_requests"), SequenceNode) else []:
        count = lookup.get_str(req, "count")
        ids = lookup.get(req, "device_ids")
        if ids is not None:
            words += [_synthetic("--gpus", at), _synthetic('"device=' + ",".join(map(str, lookup.to_python(ids) or [])) + '"', at)]
        else:
            words += [_synthetic("--gpus", at), _synthetic("all" if count in (None, "-1") else str(count), at)]
    for key, opt in (("ipc_mode", "--ipc"), ("shm_size", "--shm-size"), ("runtime", "--runtime"), ("name", "--name")):
        v = lookup.get(spec, key)
        if isinstance(v, ScalarNode) and not lookup.is_null(v):
            words += [_synthetic(opt, at), _word(src, v, vars_)]
    for key, opt in (("published_ports", "-p"), ("volumes", "-v"), ("devices", "--device")):
        v = lookup.get(spec, key)
        for item in v.value if isinstance(v, SequenceNode) else []:
            if isinstance(item, ScalarNode):
                words += [_synthetic(opt, at), _word(src, item, vars_)]
    for k, v in lookup.mapping_pairs(lookup.get(spec, "env")):
        if isinstance(k, ScalarNode) and isinstance(v, ScalarNode):
            val = _word(src, v, vars_)
            words += [_synthetic("-e", at), Word(text=f"{k.value}={val.text}", start=val.start, end=val.end,
                                                 symbolic=val.symbolic, expanded=True, starts=[], ends=[])]
    entry = lookup.get(spec, "entrypoint")
    ep = [x for x in entry.value if isinstance(x, ScalarNode)] if isinstance(entry, SequenceNode) else []
    if isinstance(entry, ScalarNode) and not lookup.is_null(entry):
        ep = [entry]
    if ep:
        words += [_synthetic("--entrypoint", at), _word(src, ep[0], vars_)]
    words.append(_word(src, image, vars_))
    words += [_word(src, x, vars_) for x in ep[1:]]
    command = lookup.get(spec, "command")
    insertion = None
    if isinstance(command, SequenceNode):
        words += [_word(src, x, vars_) for x in command.value if isinstance(x, ScalarNode)]
        insertion = yaml_list_insertion(command, src)
    elif isinstance(command, ScalarNode) and not lookup.is_null(command):
        mapped = scalar_text(src, command)
        if mapped is not None:
            filled = jinja(mapped, vars_)
            words += expand_words(_quote_metachars(filled).text, _quote_metachars(filled).starts, {})
    cmd = Command(words=words, start=at, end=words[-1].end)
    launch = command_launch(src, cmd, Script([cmd], {}, []), depth=0)
    if launch is None:
        return []
    launch.source = "ansible"
    launch.name = f"{label}: docker_container {image.value}" if label else f"docker_container {image.value}"
    if insertion is not None:
        launch.insertion = insertion
    return [launch]
