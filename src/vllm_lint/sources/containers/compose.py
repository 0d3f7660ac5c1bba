"""Docker Compose files -> one Launch per service that starts vLLM.

Modelled on the Compose Specification: ``command``/``entrypoint`` as a list or a string (a
string is split with shell-like quoting, without a shell: compose-go uses go-shellwords),
``entrypoint`` replaces the image ENTRYPOINT and clears its CMD, ``command`` replaces the CMD;
interpolation of ``${VAR}``/``${VAR:-d}``/``${VAR-d}``/``${VAR:+alt}``/``$$`` from the ``.env``
file beside the compose file (``interpolate``); ``environment`` (list or map) over ``env_file``;
YAML anchors and ``<<`` merge keys; ``profiles``; GPUs from ``deploy.resources.reservations.devices``
(``count`` N/all, ``device_ids``, neither = all), service ``gpus:``, ``runtime: nvidia``, AMD
``devices``, narrowed by ``NVIDIA_VISIBLE_DEVICES``/``CUDA_VISIBLE_DEVICES`` (``containers``).
A ``sh -c``/``bash -c`` script is tokenized statically (``shell.commands``) with spans inside the
YAML scalar, after compose interpolation, using the container's environment.
"""

from __future__ import annotations

import re

from dataclasses import dataclass

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from vllm_lint.launch import EnvValue, GpuRequest, Launch, LaunchFacts, Token
from vllm_lint.sources.argv import find_vllm_invocation, mark_placeholders, shell_script_index
from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile
from vllm_lint.sources.containers.dotenv import parse_dotenv
from vllm_lint.sources.containers.images import image_entrypoint, is_vllm_image, starts_with_program
from vllm_lint.sources.containers.interpolate import Interp, interpolate
from vllm_lint.sources.containers.visible_gpus import container_gpu
from vllm_lint.sources.insertion import mapping_key_insertion, shell_insertion, yaml_list_insertion
from vllm_lint.sources.readfile import load_sibling
from vllm_lint.sources.shell.commands import parse_script, words_end
from vllm_lint.sources.shell.syntax import MAX_COMMAND_WORDS
from vllm_lint.sources.yaml import loader, lookup, spans
from vllm_lint.vllm.versions import version_from_image


@dataclass(slots=True)
class _Word:
    """An argv word plus, for every character of its text, the file offsets it came from."""

    token: Token
    starts: list[int] | None = None
    ends: list[int] | None = None
    node: Node | None = None
    folded: bool = False
    raw_end: int | None = None  # file offset after the word's source (closing quote included)


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    opts = opts or ExtractOptions()
    docs = loader.load_documents(src)
    result = ExtractResult(diagnostics=list(docs.diagnostics))
    project_env = _project_env(src, opts)
    for doc in docs.documents:
        services = lookup.get(doc, "services")
        if not isinstance(services, MappingNode):
            continue
        for key, svc in lookup.mapping_pairs(services):
            if not isinstance(svc, MappingNode) or not isinstance(key, ScalarNode):
                continue
            launch = service_launch(src, key, _extended(svc, services), project_env, own=svc)
            if launch is not None:
                _value_origins(launch, project_env)
                result.launches.append(launch)
    return result


_REF = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def _value_origins(launch, project_env: dict[str, EnvValue]) -> None:
    """A word whose value comes from the ``.env`` file says so (``value: MAX_LEN from .env:2``),
    so a finding on it can name the line to change."""
    for t in launch.program + launch.args:
        names = [n for n in _REF.findall(t.raw or "") if n in project_env and project_env[n].span is not None]
        if names and t.origin == "file":
            t.origin = "value: " + ", ".join(
                f"{n} from {project_env[n].span.path}:{project_env[n].span.line}" for n in dict.fromkeys(names))


def _project_env(src: SourceFile, opts: ExtractOptions) -> dict[str, EnvValue]:
    """Variables for interpolation: the ``.env`` beside the compose file, then stated ones."""
    env: dict[str, EnvValue] = {}
    dot = load_sibling(src, ".env", "env")
    if dot is not None:
        env.update(parse_dotenv(dot.text, dot.index))
    for k, v in opts.env.items():
        env[k] = EnvValue(v)
    return env


# ----------------------------------------------------------------------------- scalars


def _interp(node: ScalarNode, src: SourceFile, env: dict[str, EnvValue]) -> Interp:
    offs = spans.scalar_offset_map(node, src.text)
    return interpolate(node.value, offs, node.start_mark.index, env)


def _scalar_word(node: Node, src: SourceFile, env: dict[str, EnvValue]) -> _Word:
    if not isinstance(node, ScalarNode):
        tok = spans.scalar_token(node, src)
        return _Word(tok)
    it = _interp(node, src, env)
    span = spans.scalar_span(node, src)
    tok = Token(text=it.text, span=span, raw=span.slice(src.text), symbolic=it.is_symbolic)
    return _Word(tok, it.starts, it.ends, node, folded=_folds(node, src))


def _folds(node: ScalarNode, src: SourceFile) -> bool:
    """True when a new line inside the scalar reads back as a space (folded ``>`` or a
    multi-line plain/quoted flow scalar), so an insertion can go on its own line."""
    if node.style == ">":
        return True
    if node.style in (None, "'", '"'):
        return "\n" in src.text[node.start_mark.index:node.end_mark.index]
    return False


def split_compose_string(text: str) -> list[tuple[str, list[int], int, int]]:
    """Split a compose ``command``/``entrypoint`` string like go-shellwords (no expansion):
    (word, index in ``text`` of each of its characters, raw start, raw end)."""
    words: list[tuple[str, list[int], int, int]] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n or len(words) >= MAX_COMMAND_WORDS:  # bounded, like shell.commands.parse_script
            break
        lo = i
        buf: list[str] = []
        idx: list[int] = []
        quote = None
        while i < n:
            c = text[i]
            if quote is None:
                if c in " \t\r\n":
                    break
                if c in "'\"":
                    quote = c
                    i += 1
                    continue
                if c == "\\" and i + 1 < n:
                    buf.append(text[i + 1])
                    idx.append(i + 1)
                    i += 2
                    continue
            elif c == quote:
                quote = None
                i += 1
                continue
            elif quote == '"' and c == "\\" and i + 1 < n and text[i + 1] in '"\\$`':
                buf.append(text[i + 1])
                idx.append(i + 1)
                i += 2
                continue
            buf.append(c)
            idx.append(i)
            i += 1
        words.append(("".join(buf), idx, lo, i))
    return words


def _string_words(node: ScalarNode, src: SourceFile, env: dict[str, EnvValue]) -> list[_Word]:
    it = _interp(node, src, env)
    folded = _folds(node, src)
    out: list[_Word] = []
    for text, idx, lo, hi in split_compose_string(it.text):
        a, b = lo, hi
        if hi - lo >= 2 and it.text[lo] in "'\"" and it.text[hi - 1] == it.text[lo] and len(idx) == hi - lo - 2:
            a, b = lo + 1, hi - 1
        if b > a:
            start, end = min(it.starts[a:b]), max(it.ends[a:b])
        else:
            start = end = it.starts[a] if a < len(it.starts) else node.end_mark.index
        span = src.index.span(start, max(start, end))
        symbolic = any(it.symbolic[k] for k in idx)
        tok = Token(text=text, span=span, raw=span.slice(src.text), symbolic=symbolic)
        out.append(_Word(tok, [it.starts[k] for k in idx], [it.ends[k] for k in idx], node, folded,
                         raw_end=max(it.ends[lo:hi]) if hi > lo else None))
    return out


def _argv_words(node: Node | None, src: SourceFile, env: dict[str, EnvValue]) -> list[_Word] | None:
    """Words of a ``command``/``entrypoint`` value; None when the key is absent or null."""
    if node is None or lookup.is_null(node):
        return None
    if isinstance(node, SequenceNode):
        return [_scalar_word(item, src, env) for item in node.value if not lookup.is_null(item)]
    if isinstance(node, ScalarNode):
        return _string_words(node, src, env)
    return []


# ----------------------------------------------------------------------------- environment


def service_env(src: SourceFile, svc: Node, project_env: dict[str, EnvValue]) -> tuple[dict[str, EnvValue], list[str]]:
    """The container environment: ``env_file`` entries, then ``environment`` (which wins)."""
    env: dict[str, EnvValue] = {}
    notes: list[str] = []
    ef = lookup.get(svc, "env_file")
    files: list[tuple[str, bool]] = []
    if isinstance(ef, ScalarNode) and not lookup.is_null(ef):
        files.append((_interp(ef, src, project_env).text, True))
    elif isinstance(ef, SequenceNode):
        for item in ef.value:
            if isinstance(item, ScalarNode):
                files.append((_interp(item, src, project_env).text, True))
            elif isinstance(item, MappingNode):
                path = lookup.get(item, "path")
                required = lookup.get_str(item, "required")
                if isinstance(path, ScalarNode):
                    files.append((_interp(path, src, project_env).text, required not in ("false", "False")))
    for rel, required in files:
        sib = load_sibling(src, rel, "env")
        if sib is None:
            if required:
                notes.append(f"env_file {rel} is not present beside the compose file; its values are unknown")
            continue
        env.update(parse_dotenv(sib.text, sib.index))
    envnode = lookup.get(svc, "environment")
    if isinstance(envnode, MappingNode):
        for k, v in lookup.mapping_pairs(envnode):
            if not isinstance(k, ScalarNode):
                continue
            if lookup.is_null(v):
                pv = project_env.get(k.value)
                env[k.value] = EnvValue(pv.value, pv.span, pv.symbolic) if pv else EnvValue(f"${{{k.value}}}", spans.key_span(k, src), True)
                continue
            if isinstance(v, ScalarNode):
                it = _interp(v, src, project_env)
                env[k.value] = EnvValue(it.text, spans.scalar_span(v, src), it.is_symbolic)
    elif isinstance(envnode, SequenceNode):
        for item in envnode.value:
            if not isinstance(item, ScalarNode):
                continue
            it = _interp(item, src, project_env)
            name, eq, value = it.text.partition("=")
            name = name.strip()
            if not name:
                continue
            if not eq:
                pv = project_env.get(name)
                env[name] = EnvValue(pv.value, pv.span, pv.symbolic) if pv else EnvValue(f"${{{name}}}", spans.scalar_span(item, src), True)
                continue
            eq_at = len(name) + 1
            span = spans.scalar_span(item, src)
            if eq_at < len(it.starts):
                span = src.index.span(min(it.starts[eq_at:]), max(it.ends[eq_at:]))
            else:
                span = src.index.span(span.end, span.end)
            env[name] = EnvValue(value, span, any(it.symbolic[eq_at:]))
    return env, notes


# ----------------------------------------------------------------------------- GPUs


def service_gpu(src: SourceFile, svc: Node, env: dict[str, EnvValue], project_env: dict[str, EnvValue]) -> GpuRequest:
    devices_node = lookup.get(lookup.get(lookup.get(lookup.get(svc, "deploy"), "resources"), "reservations"), "devices")
    count: str | None = None
    count_span = None
    ids: list[str] | None = None
    reserved = False
    if isinstance(devices_node, SequenceNode):
        for dev in devices_node.value:
            if not isinstance(dev, MappingNode):
                continue
            caps = lookup.to_python(lookup.get(dev, "capabilities")) or []
            driver = lookup.get_str(dev, "driver") or ""
            caps_list = caps if isinstance(caps, list) else [caps]
            flat = [str(c) for c in caps_list for c in (c if isinstance(c, list) else [c])]
            if "gpu" not in flat and driver != "nvidia":
                continue
            reserved = True
            cnode = lookup.get(dev, "count")
            if isinstance(cnode, ScalarNode) and not lookup.is_null(cnode):
                it = _interp(cnode, src, project_env)
                count = it.text if not it.is_symbolic else None
                count_span = spans.scalar_span(cnode, src)
                if it.is_symbolic:
                    count = "$unknown"
            inode = lookup.get(dev, "device_ids")
            if isinstance(inode, SequenceNode):
                ids = [_interp(x, src, project_env).text for x in inode.value if isinstance(x, ScalarNode)]
                count_span = spans.node_span(inode, src)
            break
    gpus_node = lookup.get(svc, "gpus")
    gpus_tok = None
    if isinstance(gpus_node, ScalarNode) and not lookup.is_null(gpus_node):
        it = _interp(gpus_node, src, project_env)
        gpus_tok = Token(text=it.text, span=spans.scalar_span(gpus_node, src), symbolic=it.is_symbolic)
    elif isinstance(gpus_node, SequenceNode) and not reserved:
        for dev in gpus_node.value:
            if isinstance(dev, MappingNode):
                reserved = True
                cnode = lookup.get(dev, "count")
                if isinstance(cnode, ScalarNode):
                    count = _interp(cnode, src, project_env).text
                    count_span = spans.scalar_span(cnode, src)
                inode = lookup.get(dev, "device_ids")
                if isinstance(inode, SequenceNode):
                    ids = [_interp(x, src, project_env).text for x in inode.value if isinstance(x, ScalarNode)]
                break
    runtime = lookup.get_str(svc, "runtime")
    devices = [d for d in (lookup.to_python(lookup.get(svc, "devices")) or []) if isinstance(d, str)] \
        if isinstance(lookup.get(svc, "devices"), SequenceNode) else []
    mech = None
    if gpus_tok is not None:
        mech = "gpus:"
    elif reserved and isinstance(gpus_node, SequenceNode) and not isinstance(devices_node, SequenceNode):
        mech = "gpus:"
    req = container_gpu(gpus=gpus_tok, runtime=runtime, devices=devices, env=env,
                        count=None if count == "$unknown" else count, count_span=count_span,
                        device_ids=ids, reserved=reserved and gpus_tok is None and count != "$unknown",
                        mechanism=mech)
    if count == "$unknown":
        req.mechanism = "deploy.resources.reservations.devices"
        req.count_span = count_span
        req.notes.append("GPU count in deploy.resources.reservations.devices is not known statically")
    return req


# ----------------------------------------------------------------------------- services


def _facts(src: SourceFile, svc: Node, project_env: dict[str, EnvValue]) -> LaunchFacts:
    facts = LaunchFacts()

    def s(key: str) -> str | None:
        n = lookup.get(svc, key)
        if isinstance(n, ScalarNode) and not lookup.is_null(n):
            return _interp(n, src, project_env).text
        return None

    ipc = s("ipc")
    if ipc is not None:
        facts.ipc_host = ipc == "host"
        facts.ipc = ipc
    shm = s("shm_size")
    if shm is not None:
        facts.shm_size = shm
    runtime = s("runtime")
    if runtime == "nvidia":
        facts.runtime_nvidia = True
    ports = lookup.get(svc, "ports")
    if isinstance(ports, SequenceNode):
        plist = []
        for p in ports.value:
            if isinstance(p, ScalarNode):
                plist.append(_interp(p, src, project_env).text)
            elif isinstance(p, MappingNode):
                plist.append(":".join(str(x) for x in (lookup.get_str(p, "published"), lookup.get_str(p, "target")) if x))
        facts.ports = plist
    profiles = lookup.to_python(lookup.get(svc, "profiles"))
    if isinstance(profiles, list) and profiles:
        facts.profiles = [str(p) for p in profiles]
    volumes = lookup.get(svc, "volumes")
    if isinstance(volumes, SequenceNode):
        for v in volumes.value:
            text = _interp(v, src, project_env).text if isinstance(v, ScalarNode) else str(lookup.get_str(v, "target") or "")
            if ":/dev/shm" in text or text == "/dev/shm":
                facts.dev_shm_volume = True
    network = s("network_mode")
    if network is not None:
        facts.network_mode = network
    name = s("container_name")
    if name:
        facts.container_name = name
    mounts = _mounts(src, svc, project_env)
    if mounts:
        facts.mounts = mounts
    return facts


def _extended(svc: MappingNode, services: MappingNode, depth: int = 0) -> MappingNode:
    """``extends: {service: base}`` (same file): keys the service does not set come from the
    base service (``environment`` maps are merged, the service's entries winning). A base in
    another file (``extends.file``) is not followed."""
    ext = lookup.get(svc, "extends")
    base_name = lookup.get_str(ext, "service") if isinstance(ext, MappingNode) else (
        ext.value if isinstance(ext, ScalarNode) and not lookup.is_null(ext) else None)
    if not base_name or depth > 10 or (isinstance(ext, MappingNode) and lookup.get(ext, "file") is not None):
        return svc
    base = lookup.get(services, base_name)
    if not isinstance(base, MappingNode) or base is svc:
        return svc
    base = _extended(base, services, depth + 1)
    own = lookup.mapping_pairs(svc)
    have = {k.value for k, _ in own if isinstance(k, ScalarNode)}
    pairs = list(own)
    for k, v in lookup.mapping_pairs(base):
        if not isinstance(k, ScalarNode) or k.value == "extends":
            continue
        if k.value not in have:
            pairs.append((k, v))
        elif k.value == "environment":
            mine = lookup.get(svc, "environment")
            if isinstance(mine, MappingNode) and isinstance(v, MappingNode):
                names = {mk.value for mk, _ in lookup.mapping_pairs(mine) if isinstance(mk, ScalarNode)}
                merged = lookup.mapping_pairs(mine) + [(bk, bv) for bk, bv in lookup.mapping_pairs(v)
                                                   if isinstance(bk, ScalarNode) and bk.value not in names]
                pairs = [(pk, MappingNode(mine.tag, merged, mine.start_mark, mine.end_mark))
                         if isinstance(pk, ScalarNode) and pk.value == "environment" else (pk, pv) for pk, pv in pairs]
    return MappingNode(svc.tag, pairs, svc.start_mark, svc.end_mark, svc.flow_style)


def service_launch(src: SourceFile, key: ScalarNode, svc: MappingNode, project_env: dict[str, EnvValue],
                   own: MappingNode | None = None) -> Launch | None:
    """The Launch for one compose service, or None when the service does not start vLLM.
    ``svc`` is the service with ``extends`` applied; ``own`` the mapping written for it.

    Long on purpose: it reads the service's keys in the compose specification's order (image,
    entrypoint and command, environment, GPUs, IPC and shared memory, ports, volumes) into one
    Launch; each key's reading is a helper, what remains is their wiring."""
    own = own if own is not None else svc
    name = f"services.{key.value}"
    image_node = lookup.get(svc, "image")
    image = None
    image_span = None
    unknowns: list[str] = []
    if isinstance(image_node, ScalarNode) and not lookup.is_null(image_node):
        it = _interp(image_node, src, project_env)
        image = it.text
        image_span = spans.scalar_span(image_node, src)
        if it.is_symbolic:
            unknowns.extend(it.unknowns)
    env, env_notes = service_env(src, svc, project_env)
    ep_node = lookup.get(svc, "entrypoint")
    cmd_node = lookup.get(svc, "command")
    ep_words = _argv_words(ep_node, src, project_env)
    cmd_words = _argv_words(cmd_node, src, project_env)
    facts = _facts(src, svc, project_env)
    img_ep = None
    if ep_words is None:
        img_ep = image_entrypoint(image if image and "$" not in image else None)
        argv: list[_Word] = ([_Word(t) for t in img_ep.tokens()] if img_ep else []) + (cmd_words or [])
    else:
        argv = ep_words + (cmd_words or [])
    tokens = [w.token for w in argv]

    entrypoint = program = args = None
    found_facts = LaunchFacts()
    insertion = None
    script_unknowns: list[str] = []
    si = shell_script_index(tokens)
    if si is not None:
        word = argv[si]
        shell_env = {k: (None if v.symbolic else v.value) for k, v in env.items()}
        script = parse_script(word.token.text, word.starts, shell_env, ends=word.ends)
        for cmd in script.commands:
            ctoks = [w.token(src.text, src.index) for w in cmd.words]
            got = find_vllm_invocation(ctoks)
            if got is not None:
                entrypoint, program, args, found_facts = got
                script_unknowns = list(cmd.unknowns)
                env.update({k: EnvValue(v.text, None, v.symbolic) for k, v in cmd.assigns.items() if v.items is None})
                end = words_end(cmd.words)
                if end is not None:
                    insertion = shell_insertion(src, end, folded_yaml=word.folded)
                facts.shell = tokens[0].text
                break
    if entrypoint is None:
        got = find_vllm_invocation(tokens)
        if got is not None:
            entrypoint, program, args, found_facts = got
    if entrypoint is None:
        followed = _follow_mounted_script(src, svc, tokens, env, project_env, name, key, image)
        if followed is not None:
            followed.facts = followed.facts.merged(facts)
            return followed
        if not is_vllm_image(image) or si is not None:
            return None
        if ep_words or not cmd_words:  # a custom entrypoint, or nothing that says vLLM runs
            return None
        if starts_with_program([w.token.text for w in cmd_words]):
            return None  # `command: ray start ...`: the image runs that program
        # a vLLM image whose ENTRYPOINT is not modelled: assume it runs the server
        program = [Token(text="vllm", style="synthetic", origin="assumed-image"),
                   Token(text="serve", style="synthetic", origin="assumed-image")]
        entrypoint, args = "serve", [w.token for w in (cmd_words or [])]
        facts.image_entrypoint_assumed = True
        unknowns.append(f"the ENTRYPOINT of image {image!r} is not known; assumed it runs `vllm serve`")
    facts = facts.merged(found_facts)
    if img_ep is not None and img_ep.uncertain and ep_words is None:
        facts.image_entrypoint_uncertain = img_ep.reason
    if insertion is None:
        insertion = _insertion(src, own, cmd_node, ep_node, cmd_words, ep_words)
    gpu = service_gpu(src, svc, env, project_env)
    if gpu.count is None and not gpu.all_visible:
        unknowns.append("GPU count is not known: " + ("; ".join(gpu.notes) or "no GPU request"))
    elif gpu.all_visible:
        unknowns.append("all GPUs of the host are visible; their number is not known from the file")
    unknowns.extend(env_notes)
    mark_placeholders(list(args or []), unknowns)
    for t in args or []:
        if t.symbolic and not any((t.text in u) or ((t.raw or "") in u) for u in unknowns):
            unknowns.append(f"argument {t.raw or t.text!r} is not known statically")
    unknowns.extend(u for u in script_unknowns if u not in unknowns)
    return Launch(
        path=src.display,
        name=name,
        source="compose",
        span=spans.key_span(key, src),
        entrypoint=entrypoint,
        program=list(program or []),
        args=list(args or []),
        env=env,
        image=image,
        image_span=image_span,
        vllm_version=version_from_image(image) if image and "$" not in image else None,
        gpu=gpu,
        replicas=_replicas(svc),
        insertion=insertion,
        facts=facts,
        unknowns=list(dict.fromkeys(unknowns)),
    )


def _replicas(svc: Node) -> int | None:
    r = lookup.get_str(lookup.get(svc, "deploy"), "replicas") or lookup.get_str(svc, "scale")
    try:
        return int(r) if r is not None else None
    except ValueError:
        return None


def _insertion(src: SourceFile, svc: MappingNode, cmd_node: Node | None, ep_node: Node | None,
               cmd_words: list[_Word] | None, ep_words: list[_Word] | None):
    node = cmd_node if cmd_node is not None and not lookup.is_null(cmd_node) else None
    if node is None and ep_node is not None and not lookup.is_null(ep_node):
        node, words = ep_node, ep_words
    else:
        words = cmd_words
    if isinstance(node, SequenceNode):
        return yaml_list_insertion(node, src)
    if isinstance(node, ScalarNode) and words:
        last = words[-1].raw_end if words[-1].raw_end is not None else (
            words[-1].token.span.end if words[-1].token.span else None)
        if last is not None:
            return shell_insertion(src, last, folded_yaml=_folds(node, src))
    if node is None:
        return mapping_key_insertion(svc, src, "command")
    return None


def _mounts(src: SourceFile, svc: Node, project_env: dict[str, EnvValue]) -> dict[str, str]:
    """Container path -> local path for bind mounts of files from the project folder."""
    out: dict[str, str] = {}
    volumes = lookup.get(svc, "volumes")
    if not isinstance(volumes, SequenceNode):
        return out
    for v in volumes.value:
        if isinstance(v, ScalarNode):
            parts = _interp(v, src, project_env).text.split(":")
            if len(parts) >= 2:
                local, target = parts[0], parts[1]
            else:
                continue
        elif isinstance(v, MappingNode):
            local, target = lookup.get_str(v, "source") or "", lookup.get_str(v, "target") or ""
        else:
            continue
        if local.startswith(("./", "../")) or (local and not local.startswith(("/", "~", "$")) and "/" in local):
            out[target] = local
    return out


def _follow_mounted_script(src: SourceFile, svc: Node, tokens: list[Token], env: dict[str, EnvValue],
                           project_env: dict[str, EnvValue], name: str, key: ScalarNode, image: str | None) -> Launch | None:
    """A service whose entrypoint/command runs a script bind-mounted from the project folder
    (``./entrypoint.sh:/entrypoint.sh``): read that script with the container environment."""
    mounts = _mounts(src, svc, project_env)
    if not mounts:
        return None
    text = " ".join(t.text for t in tokens)
    for target, local in mounts.items():
        if target and target in text:
            from vllm_lint.sources.shell.scripts import followed_script_launch

            gpu = service_gpu(src, svc, env, project_env)
            launch = followed_script_launch(src, local, env, via=f"{name} runs {target}", span=spans.key_span(key, src),
                                            image=image, source="compose", gpu=gpu)
            if launch is not None:
                launch.name = f"{name} ({target} -> {launch.facts.followed_script})"
                if gpu.count is None and gpu.all_visible:
                    launch.unknowns.append("all GPUs of the host are visible; their number is not known from the file")
                return launch
    return None
