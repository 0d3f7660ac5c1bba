"""CI and workflow definitions -> the vLLM launches their steps run.

* **GitHub Actions** (``.github/workflows/*.yml``): ``jobs.<id>.steps[].run`` is a script for
  the step's shell (``bash`` by default; ``pwsh``/``powershell`` are read as PowerShell); ``env:``
  of the workflow, the job and the step are its environment (later levels win); ``${{ expr }}``
  is substituted by Actions before the shell runs, so its value is unknown here. A job's
  ``container.image`` is the image the steps run in. A ``uses: docker://IMAGE`` step runs the
  image with ``with.args`` as its arguments (``with.entrypoint`` replacing its ENTRYPOINT).
* **GitLab CI** (``.gitlab-ci.yml``): every job's ``before_script``, ``script`` and
  ``after_script`` (a string or a list of lines, one shell session) with ``variables:`` (global,
  then the job's); the job's ``image:``. A ``services:`` entry whose image is vLLM runs that
  image with its ``command:`` as the container's arguments and ``entrypoint:`` replacing the
  image's.
* **Argo Workflows** (``Workflow``, ``WorkflowTemplate``, ``ClusterWorkflowTemplate``,
  ``CronWorkflow``): a template's ``container`` is a Kubernetes container (read by the Kubernetes
  source), a ``script`` template runs ``source`` with its ``command`` (a shell), and
  ``containerSet``/``sidecars`` containers too. ``{{inputs.parameters.x}}`` is unknown.
"""

from __future__ import annotations

import re
from typing import Iterator

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from vllm_lint.launch import Launch
from vllm_lint.sources.yaml import loader, lookup, spans
from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile
from vllm_lint.sources.mapped import script_launches
from vllm_lint.sources.mapped_text import MappedText
from vllm_lint.sources.shell.syntax import Command, Script, Word
from vllm_lint.vllm.versions import version_from_image

_GHA_EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_GITLAB_RESERVED = frozenset({"image", "services", "stages", "types", "before_script", "after_script", "variables",
                              "cache", "include", "workflow", "default", "spec"})


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    opts = opts or ExtractOptions()
    docs = loader.load_documents(src)
    result = ExtractResult(diagnostics=list(docs.diagnostics))
    for doc in docs.documents:
        if not isinstance(doc, MappingNode):
            continue
        runs = lookup.get(doc, "runs")
        if src.kind == "github-actions" and isinstance(runs, MappingNode) \
                and (lookup.get_str(runs, "using") or "").strip().lower() != "composite":
            # a Docker or JavaScript action: its strings are read as any YAML file's are
            from vllm_lint.sources.embedded.strings import extract as strings_extract

            return strings_extract(src, opts)
        if src.kind == "github-actions" and isinstance(runs, MappingNode):
            result.launches.extend(_composite(src, doc, opts))
        elif src.kind == "github-actions":
            result.launches.extend(_github(src, doc, opts))
        elif src.kind == "gitlab-ci":
            result.launches.extend(_gitlab(src, doc, opts))
        else:
            result.launches.extend(_argo(src, doc, opts))
    return result


def scalar_text(src: SourceFile, node: Node | None) -> MappedText | None:
    """A string scalar's value with the file offset of each character."""
    if not isinstance(node, ScalarNode) or lookup.is_null(node):
        return None
    offs = spans.scalar_offset_map(node, src.text)
    if offs is None:
        return None
    return MappedText(list(node.value), list(offs), [o + 1 for o in offs])


def _env_map(node: Node | None, into: dict[str, object]) -> None:
    """``env:``/``variables:`` mapping -> shell variables (expressions and nulls unknown)."""
    for k, v in lookup.mapping_pairs(node):
        if not isinstance(k, ScalarNode):
            continue
        if isinstance(v, MappingNode):  # GitLab ``VAR: {value: x, description: ...}``
            v = lookup.get(v, "value")
        val = lookup.to_python(v) if isinstance(v, ScalarNode) else None
        if val is None or isinstance(val, (dict, list)):
            into[k.value] = None
            continue
        text = "true" if val is True else "false" if val is False else str(val)
        into[k.value] = None if "${{" in text or "$" in text else text


def without_expressions(mapped: MappedText, known: dict[str, str] | None = None) -> MappedText:
    """``${{ expr }}`` -> ``{{expr}}`` over the same source range: a placeholder the shell reader
    keeps as one unknown word; an expression in ``known`` (a composite action's input with its
    default) becomes that text."""
    text = mapped.text
    out = MappedText()
    last = 0
    for m in _GHA_EXPR.finditer(text):
        out.extend(mapped.slice(last, m.start()))
        expr = re.sub(r"\s+", "", m.group(1))
        value = (known or {}).get(expr)
        out.add(value if value is not None else "{{" + expr + "}}", mapped.starts[m.start()], mapped.ends[m.end() - 1])
        last = m.end()
    out.extend(mapped.slice(last, len(mapped)))
    return out


def _with_image(launches: list[Launch], image: str | None, image_node: Node | None, src: SourceFile) -> list[Launch]:
    if image:
        for launch in launches:
            if launch.image is None:
                launch.image = image
                launch.image_span = spans.node_span(image_node, src) if image_node is not None else None
                launch.vllm_version = version_from_image(image) if "$" not in image and "{{" not in image else None
                launch.facts.runs_in_image = image
    return launches


# ----------------------------------------------------------------------------- GitHub Actions


def _github(src: SourceFile, doc: MappingNode, opts: ExtractOptions) -> list[Launch]:
    out: list[Launch] = []
    base_env: dict[str, object] = dict(opts.env)
    _env_map(lookup.get(doc, "env"), base_env)
    default_shell = lookup.get_str(lookup.get(lookup.get(doc, "defaults"), "run"), "shell")
    for jk, job in lookup.mapping_pairs(lookup.get(doc, "jobs")):
        if not isinstance(job, MappingNode) or not isinstance(jk, ScalarNode):
            continue
        job_env = dict(base_env)
        _env_map(lookup.get(job, "env"), job_env)
        job_shell = lookup.get_str(lookup.get(lookup.get(job, "defaults"), "run"), "shell") or default_shell
        container = lookup.get(job, "container")
        image_node = lookup.get(container, "image") if isinstance(container, MappingNode) else container
        image = image_node.value if isinstance(image_node, ScalarNode) else None
        steps = lookup.get(job, "steps")
        for i, step in enumerate(steps.value if isinstance(steps, SequenceNode) else []):
            label = lookup.get_str(step, "name") or lookup.get_str(step, "id") or f"steps[{i}]"
            run = scalar_text(src, lookup.get(step, "run"))
            if run is None:
                launch = _docker_step(src, step, job_env, f"jobs.{jk.value} {label}")
                if launch is not None:
                    out.append(launch)
                continue
            env = dict(job_env)
            _env_map(lookup.get(step, "env"), env)
            shell = (lookup.get_str(step, "shell") or job_shell or "bash").split()[0]
            prefix = f"jobs.{jk.value} {label}: "
            launches = _script(src, without_expressions(run), shell, env, prefix, "github-actions")
            out.extend(_with_image(launches, image, image_node, src))
    return out


def _composite(src: SourceFile, doc: MappingNode, opts: ExtractOptions) -> list[Launch]:
    """A composite action (``action.yml`` with ``runs.using: composite``): its ``runs.steps`` run
    like a job's, ``${{ inputs.NAME }}`` being the input's ``default`` unless the caller passes one."""
    runs = lookup.get(doc, "runs")
    defaults: dict[str, str] = {}
    for k, v in lookup.mapping_pairs(lookup.get(doc, "inputs")):
        default = lookup.get(v, "default") if isinstance(v, MappingNode) else None
        if isinstance(k, ScalarNode) and isinstance(default, ScalarNode) and not lookup.is_null(default) \
                and "${{" not in default.value:
            defaults[f"inputs.{k.value}"] = default.value
    out: list[Launch] = []
    steps = lookup.get(runs, "steps")
    for i, step in enumerate(steps.value if isinstance(steps, SequenceNode) else []):
        run = scalar_text(src, lookup.get(step, "run"))
        if run is None:
            continue
        env: dict[str, object] = dict(opts.env)
        _env_map(lookup.get(step, "env"), env)
        label = lookup.get_str(step, "name") or lookup.get_str(step, "id") or f"steps[{i}]"
        shell = (lookup.get_str(step, "shell") or "bash").split()[0]
        out.extend(_script(src, without_expressions(run, defaults), shell, env, f"runs.steps {label}: ", "github-actions"))
    return out


def _docker_step(src: SourceFile, step: Node, job_env: dict[str, object], label: str) -> Launch | None:
    """``uses: docker://IMAGE`` with ``with.args``/``with.entrypoint``: the runner starts the
    image as ``docker run [--entrypoint E] -e ... IMAGE ARGS``. ``args`` is one string the runner
    splits at blanks outside double quotes (an array is not accepted); ``entrypoint`` is one
    executable; the step's ``env`` (not the job's) becomes the container's environment."""
    from vllm_lint.sources.shell.scripts import command_launch

    uses = lookup.get(step, "uses")
    if not isinstance(uses, ScalarNode) or not uses.value.startswith("docker://"):
        return None
    image = scalar_text(src, uses)
    if image is None or len(image) <= len("docker://"):
        return None
    at = uses.start_mark.index
    image_word = _mapped_word(image.slice(len("docker://"), len(image)))
    words = [_synthetic("docker", at), _synthetic("run", at)]
    step_env: dict[str, object] = {}
    _env_map(lookup.get(step, "env"), step_env)
    for k, v in step_env.items():
        if v is not None:
            words += [_synthetic("-e", at), _synthetic(f"{k}={v}", at)]
    with_ = lookup.get(step, "with")
    entry = scalar_text(src, lookup.get(with_, "entrypoint"))
    if entry is not None and entry.text.strip():
        words += [_synthetic("--entrypoint", at), _mapped_word(without_expressions(entry))]
    words.append(image_word)
    args = scalar_text(src, lookup.get(with_, "args"))
    if args is not None:
        words += _split_args(without_expressions(args))
    cmd = Command(words=words, start=at, end=words[-1].end)
    launch = command_launch(src, cmd, Script([cmd], {}, []), depth=0)
    if launch is None:
        return None
    launch.source = "github-actions"
    launch.name = f"{label}: {image_word.text}"
    launch.insertion = None  # args is one string whose quoting the runner, not a shell, decides
    return launch


def _mapped_word(m: MappedText) -> Word:
    text = m.text
    return Word(text=text, start=m.starts[0] if len(m) else 0, end=m.ends[-1] if len(m) else 0,
                symbolic="{{" in text, starts=list(m.starts), ends=list(m.ends), raw_end=m.ends[-1] if len(m) else 0)


def _split_args(m: MappedText) -> list[Word]:
    """The runner's split of ``with.args``: blanks separate words outside double quotes, which
    are removed."""
    words: list[Word] = []
    cur = MappedText()
    quoted = in_q = False
    lo = hi = 0

    def flush() -> None:
        nonlocal cur, quoted
        if len(cur) or quoted:
            w = _mapped_word(cur) if len(cur) else Word(text="", start=lo, end=lo, starts=[], ends=[])
            if quoted and m.text[lo] == '"' and m.text[hi - 1] == '"' and '"' not in m.text[lo + 1:hi - 1]:
                w.quoted = True  # the span is the text inside the quotes, as for a shell word
            w.raw_end = m.ends[hi - 1] if hi else w.end
            words.append(w)
        cur, quoted = MappedText(), False

    for i, ch in enumerate(m.chars):
        if ch == '"':
            if not len(cur) and not quoted:
                lo = i
            in_q, quoted = not in_q, True
            hi = i + 1
            continue
        if ch in " \t\r\n" and not in_q:
            flush()
            continue
        if not len(cur) and not quoted:
            lo = i
        cur.add(ch, m.starts[i], m.ends[i])
        hi = i + 1
    flush()
    return words


def _script(src: SourceFile, script: MappedText, shell: str, env: dict[str, object], prefix: str,
            source: str) -> list[Launch]:
    if shell in ("pwsh", "powershell"):
        from vllm_lint.sources.shell.powershell import mapped_launches

        return mapped_launches(src, script, env, prefix, source)
    if shell.startswith("python"):
        from vllm_lint.sources.python.launches import mapped_python_launches

        return mapped_python_launches(src, script, prefix, source)
    return script_launches(src, script, source=source, env=env, prefix=prefix)


# ----------------------------------------------------------------------------- GitLab CI


def _gitlab(src: SourceFile, doc: MappingNode, opts: ExtractOptions) -> list[Launch]:
    out: list[Launch] = []
    base_env: dict[str, object] = dict(opts.env)
    _env_map(lookup.get(doc, "variables"), base_env)
    default = lookup.get(doc, "default")
    for key in ("before_script", "after_script", "image", "services"):
        if lookup.get(default, key) is None and lookup.get(doc, key) is not None:
            default = doc  # the old top-level form of the defaults
            break
    for jk, job in lookup.mapping_pairs(doc):
        if not isinstance(jk, ScalarNode) or jk.value in _GITLAB_RESERVED or not isinstance(job, MappingNode):
            continue
        env = dict(base_env)
        _env_map(lookup.get(job, "variables"), env)
        image_node = _image_node(lookup.get(job, "image") or lookup.get(default, "image"))
        image = image_node.value if image_node is not None else None
        lines = MappedText()
        for key in ("before_script", "script", "after_script"):
            node = lookup.get(job, key) if lookup.get(job, key) is not None else lookup.get(default, key) if key != "script" else None
            for item in _lines(node):
                mapped = scalar_text(src, item)
                if mapped is None:
                    continue
                if len(lines):
                    lines.add("\n", mapped.starts[0] if len(mapped) else 0)
                lines.extend(mapped)
        launches = script_launches(src, lines, source="gitlab-ci", env=env, prefix=f"{jk.value}: ")
        out.extend(_with_image(launches, image, image_node, src))
        services = lookup.get(job, "services") if lookup.get(job, "services") is not None else lookup.get(default, "services")
        out.extend(_services(src, services, f"{jk.value} services", env))
    return out


def _image_node(node: Node | None) -> ScalarNode | None:
    if isinstance(node, MappingNode):
        node = lookup.get(node, "name")
    return node if isinstance(node, ScalarNode) and not lookup.is_null(node) else None


def _lines(node: Node | None) -> Iterator[Node]:
    if isinstance(node, SequenceNode):
        for item in node.value:
            yield from _lines(item)
    elif isinstance(node, ScalarNode):
        yield node


def _word(src: SourceFile, node: ScalarNode) -> Word:
    from vllm_lint.sources.embedded.strings import _yaml_word

    return _yaml_word(src, node)


def _synthetic(text: str, at: int) -> Word:
    return Word(text=text, start=at, end=at, starts=[], ends=[])


def _services(src: SourceFile, services: Node | None, label: str, env: dict[str, object]) -> list[Launch]:
    """GitLab service containers: ``docker run [--entrypoint E] IMAGE COMMAND...`` in effect."""
    from vllm_lint.sources.insertion import yaml_list_insertion
    from vllm_lint.sources.shell.scripts import command_launch

    out: list[Launch] = []
    for item in services.value if isinstance(services, SequenceNode) else []:
        name = _image_node(item)
        if name is None:
            continue
        at = name.start_mark.index
        words = [_synthetic("docker", at), _synthetic("run", at)]
        svc_env: dict[str, object] = {}
        _env_map(lookup.get(item, "variables"), svc_env)
        for k, v in svc_env.items():
            if v is not None:
                words += [_synthetic("-e", at), _synthetic(f"{k}={v}", at)]
        entry = lookup.get(item, "entrypoint")
        ep_items = [x for x in entry.value if isinstance(x, ScalarNode)] if isinstance(entry, SequenceNode) else []
        if ep_items:
            words += [_synthetic("--entrypoint", at), _word(src, ep_items[0])]
        words.append(_word(src, name))
        words += [_word(src, x) for x in ep_items[1:]]
        command = lookup.get(item, "command")
        if isinstance(command, SequenceNode):
            words += [_word(src, x) for x in command.value if isinstance(x, ScalarNode)]
        cmd = Command(words=words, start=at, end=words[-1].end)
        launch = command_launch(src, cmd, Script([cmd], {}, []), depth=0)
        if launch is None:
            continue
        launch.source = "gitlab-ci"
        launch.name = f"{label}: {name.value}"
        launch.insertion = yaml_list_insertion(command, src) if isinstance(command, SequenceNode) else None
        out.append(launch)
    return out


# ----------------------------------------------------------------------------- Argo Workflows


def _argo(src: SourceFile, doc: MappingNode, opts: ExtractOptions) -> list[Launch]:
    from vllm_lint.sources.k8s.container import PodContext, container_launch

    kind = lookup.get_str(doc, "kind") or "Workflow"
    name = lookup.get_str(lookup.get(doc, "metadata"), "name") or lookup.get_str(lookup.get(doc, "metadata"), "generateName") or "?"
    spec = lookup.get(doc, "spec")
    if kind == "CronWorkflow":
        spec = lookup.get(spec, "workflowSpec")
    out: list[Launch] = []
    templates = lookup.get(spec, "templates")
    for tpl in templates.value if isinstance(templates, SequenceNode) else []:
        if not isinstance(tpl, MappingNode):
            continue
        tname = lookup.get_str(tpl, "name") or "?"
        ctx = PodContext(kind=kind, name=name, pod_spec=tpl, role=f"templates[{tname}]", source="argo")
        containers: list[Node] = []
        for key in ("container", "script"):
            node = lookup.get(tpl, key)
            if isinstance(node, MappingNode):
                containers.append(node)
        for key in ("sidecars", "initContainers"):
            node = lookup.get(tpl, key)
            containers.extend(x for x in (node.value if isinstance(node, SequenceNode) else []) if isinstance(x, MappingNode))
        cset = lookup.get(lookup.get(tpl, "containerSet"), "containers")
        containers.extend(x for x in (cset.value if isinstance(cset, SequenceNode) else []) if isinstance(x, MappingNode))
        for c in containers:
            launch = container_launch(src, ctx, c)
            if launch is not None:
                out.append(launch)
                continue
            source = scalar_text(src, lookup.get(c, "source"))
            if source is not None:
                out.extend(_argo_script(src, c, source, f"{kind}/{name} templates[{tname}] script: "))
    return out


def _argo_script(src: SourceFile, container: MappingNode, source: MappedText, prefix: str) -> list[Launch]:
    """A ``script`` template: Argo writes ``source`` to a file and runs ``command`` on it."""
    command = lookup.to_python(lookup.get(container, "command")) or ["sh"]
    shell = str(command[0]).rsplit("/", 1)[-1] if isinstance(command, list) and command else "sh"
    env: dict[str, object] = {}
    for item in lookup.get(container, "env").value if isinstance(lookup.get(container, "env"), SequenceNode) else []:
        k = lookup.get_str(item, "name")
        v = lookup.get(item, "value")
        if k:
            env[k] = v.value if isinstance(v, ScalarNode) and "{{" not in v.value else None
    image_node = lookup.get(container, "image")
    image = image_node.value if isinstance(image_node, ScalarNode) else None
    launches = _script(src, source, shell, env, prefix, "argo")
    return _with_image(launches, image, image_node, src)
