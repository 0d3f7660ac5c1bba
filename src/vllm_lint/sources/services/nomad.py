"""HashiCorp Nomad job files (``*.nomad``, ``*.nomad.hcl``) -> the vLLM launch of each task.

Read from the HCL2 native syntax: blocks (``job "x" { group "g" { task "t" { ... } } }``),
attributes (``key = value``), strings with escapes and ``${...}`` interpolation, heredocs
(``<<EOF``/``<<-EOF``), lists, comments (``#``, ``//``, ``/* */``). Per task, by driver
(Nomad's docker/podman/exec/raw_exec task drivers):

* ``docker``/``podman``: ``config { image, args, entrypoint, command, ipc_mode, shm_size, ports }``
  is ``docker run [--entrypoint] IMAGE [command] args``; ``resources { device "nvidia/gpu" { count
  = N } }`` asks for N GPUs (``device "nvidia/gpu"`` alone: 1);
* ``exec``/``raw_exec``: ``config { command, args }`` runs on the host;
* ``env { ... }`` is the task's environment. ``${NOMAD_*}``, ``${var.x}`` and ``${meta.x}`` are
  filled in by Nomad at run time: unknown here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vllm_lint.launch import GpuRequest
from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile
from vllm_lint.sources.mapped_text import MappedText, RawLiteral, TextLiteral
from vllm_lint.sources.shell.syntax import Command, Script, Word

_ESC = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


@dataclass
class Block:
    kind: str
    labels: list[str]
    lo: int
    attrs: dict[str, object] = field(default_factory=dict)
    blocks: list["Block"] = field(default_factory=list)

    def block(self, kind: str) -> "Block | None":
        return next((b for b in self.blocks if b.kind == kind), None)


class _Parser:
    def __init__(self, s: str, max_depth: int) -> None:
        self.s = s
        self.n = len(s)
        self.i = 0
        self.max_depth = max_depth

    def ws(self, newlines: bool = True) -> None:
        s, n = self.s, self.n
        while self.i < n:
            c = s[self.i]
            if c in " \t\r" or (newlines and c == "\n"):
                self.i += 1
            elif c == "#" or s.startswith("//", self.i):
                j = s.find("\n", self.i)
                self.i = n if j == -1 else j
            elif s.startswith("/*", self.i):
                j = s.find("*/", self.i + 2)
                self.i = n if j == -1 else j + 2
            else:
                break

    def ident(self) -> str:
        lo = self.i
        while self.i < self.n and (self.s[self.i].isalnum() or self.s[self.i] in "_-."):
            self.i += 1
        return self.s[lo:self.i]

    def body(self, block: Block, depth: int) -> None:
        while self.i < self.n:
            self.ws()
            if self.i >= self.n:
                return
            if self.s[self.i] == "}":
                self.i += 1
                return
            start = self.i
            name = self.ident()
            if not name:
                self.i = start + 1
                continue
            self.ws(newlines=False)
            if self.i < self.n and self.s[self.i] == "=":
                self.i += 1
                self.ws(newlines=False)
                block.attrs[name] = self.value(depth)
                continue
            labels = []
            while self.i < self.n and self.s[self.i] == '"':
                lab = self.string()
                labels.append(lab.value.text if isinstance(lab, TextLiteral) else lab.raw)
                self.ws(newlines=False)
            if self.i < self.n and self.s[self.i] == "{" and depth < self.max_depth:
                self.i += 1
                child = Block(name, labels, start)
                self.body(child, depth + 1)
                block.blocks.append(child)
            else:
                j = self.s.find("\n", self.i)
                self.i = self.n if j == -1 else j + 1

    def value(self, depth: int) -> object:
        s = self.s
        if self.i >= self.n:
            return RawLiteral("", self.i, self.i)
        c = s[self.i]
        if c == '"':
            return self.string()
        if s.startswith("<<", self.i):
            return self.heredoc()
        if c == "[" and depth < self.max_depth:
            self.i += 1
            items: list[object] = []
            while self.i < self.n:
                self.ws()
                if self.i >= self.n:
                    break
                if s[self.i] == "]":
                    self.i += 1
                    break
                if s[self.i] == ",":
                    self.i += 1
                    continue
                before = self.i
                items.append(self.value(depth + 1))
                if self.i == before:
                    self.i += 1
            return items
        if c == "{" and depth < self.max_depth:
            self.i += 1
            inner = Block("{", [], self.i)
            self.body(inner, depth + 1)
            return inner
        lo = self.i
        while self.i < self.n and s[self.i] not in ",]}\n#":
            self.i += 1
        return RawLiteral(s[lo:self.i].strip(), lo, self.i)

    def string(self) -> TextLiteral | RawLiteral:
        s, n = self.s, self.n
        lo = self.i
        i = lo + 1
        out = MappedText()
        while i < n:
            c = s[i]
            if c == '"':
                self.i = i + 1
                return TextLiteral(out, lo, self.i)
            if c == "\n":
                break
            if c == "\\" and i + 1 < n:
                e = s[i + 1]
                if e in _ESC:
                    out.add(_ESC[e], i, i + 2)
                    i += 2
                    continue
            if c in "$%" and s.startswith("{", i + 1):
                j = s.find("}", i + 2)
                j = n - 1 if j == -1 else j
                out.copy(s, i, j + 1)  # ${...}/%{...}: an interpolation, kept as written
                i = j + 1
                continue
            out.add(c, i)
            i += 1
        self.i = i
        return RawLiteral(s[lo:i], lo, i)

    def heredoc(self) -> TextLiteral:
        s = self.s
        lo = self.i
        self.i += 2
        indent = s.startswith("-", self.i)
        if indent:
            self.i += 1
        marker = self.ident()
        j = s.find("\n", self.i)
        start = self.n if j == -1 else j + 1
        out = MappedText()
        k = start
        while k < self.n:
            e = s.find("\n", k)
            end = self.n if e == -1 else e + 1
            if s[k:end].strip() == marker:
                self.i = end
                return TextLiteral(out, lo, end)
            out.copy(s, k, end)
            k = end
        self.i = self.n
        return TextLiteral(out, lo, self.n)


def parse_hcl(text: str, max_depth: int = 200) -> Block:
    root = Block("", [], 0)
    _Parser(text, max_depth).body(root, 0)
    return root


def _tasks(block: Block, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Block, Block | None]]:
    """(job/group/task names, task, its group) for every task block."""
    out = []
    for b in block.blocks:
        here = path + tuple(b.labels[:1])
        if b.kind == "task":
            out.append((here, b, block if block.kind == "group" else None))
        else:
            out.extend(_tasks(b, here))
    return out


def _word(v: object) -> Word | None:
    if isinstance(v, TextLiteral):
        m = v.value
        symbolic = "${" in m.text or "%{" in m.text
        start, end = v.lo + 1, max(v.lo + 1, v.hi - 1)
        return Word(text=m.text, start=start, end=end, quoted=True, symbolic=symbolic, starts=list(m.starts),
                    ends=list(m.ends), raw_end=v.hi)
    if isinstance(v, RawLiteral) and v.raw:
        return Word(text=v.raw, start=v.lo, end=v.hi, symbolic=not v.raw.replace(".", "").isdigit(),
                    starts=list(range(v.lo, v.hi)), ends=list(range(v.lo + 1, v.hi + 1)), raw_end=v.hi)
    return None


def _synthetic(text: str, at: int) -> Word:
    return Word(text=text, start=at, end=at, starts=[], ends=[])


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    from vllm_lint.sources.shell.scripts import command_launch

    root = parse_hcl(src.text, src.limits.max_depth)
    result = ExtractResult()
    for names, task, group in _tasks(root):
        driver = task.attrs.get("driver")
        driver = driver.value.text if isinstance(driver, TextLiteral) else ""
        config = task.block("config")
        if config is None:
            continue
        at = config.lo
        args = [w for w in map(_word, config.attrs.get("args", []) if isinstance(config.attrs.get("args"), list) else [])
                if w is not None]
        env: dict[str, object] = {}
        env_block = task.block("env")
        for k, v in (env_block.attrs.items() if env_block else []):
            env[k] = v.value.text if isinstance(v, TextLiteral) and "${" not in v.value.text else None
        if driver in ("docker", "podman"):
            image = _word(config.attrs.get("image"))
            if image is None:
                continue
            words = [_synthetic(driver if driver == "podman" else "docker", at), _synthetic("run", at)]
            for key, opt in (("ipc_mode", "--ipc"), ("shm_size", "--shm-size"), ("runtime", "--runtime")):
                w = _word(config.attrs.get(key))
                if w is not None:
                    words += [_synthetic(opt, w.start), w]
            for k, v in env.items():
                if v is not None:
                    words += [_synthetic("-e", at), _synthetic(f"{k}={v}", at)]
            entry = config.attrs.get("entrypoint")
            ep = [w for w in map(_word, entry if isinstance(entry, list) else []) if w is not None]
            if ep:
                words += [_synthetic("--entrypoint", ep[0].start), ep[0]]
            words.append(image)
            words += ep[1:]
            command = _word(config.attrs.get("command"))
            if command is not None:
                words.append(command)
            words += args
        else:
            command = _word(config.attrs.get("command"))
            if command is None:
                continue
            words = [command] + args
        cmd = Command(words=words, env={}, start=words[0].start, end=words[-1].end)
        launch = command_launch(src, cmd, Script([cmd], {}, []), depth=0)
        if launch is None:
            continue
        launch.source = "nomad"
        launch.name = "task " + "/".join(names)
        gpu = _gpu(src, task)
        if gpu is not None:
            launch.gpu = gpu
            launch.unknowns = [u for u in launch.unknowns if "GPU" not in u]
        count = group.attrs.get("count") if group is not None else None
        if isinstance(count, RawLiteral) and count.raw.isdigit():
            launch.replicas = int(count.raw)
        result.launches.append(launch)
    return result


def _gpu(src: SourceFile, task: Block) -> GpuRequest | None:
    res = task.block("resources")
    for dev in (res.blocks if res else []):
        if dev.kind != "device" or not dev.labels:
            continue
        name = dev.labels[0]
        if "gpu" not in name:
            continue
        count = dev.attrs.get("count")
        req = GpuRequest(mechanism=f'resources.device "{name}"', count=1.0)
        if isinstance(count, RawLiteral) and count.raw.isdigit():
            req.count = float(count.raw)
            req.count_span = src.span(count.lo, count.hi)
        elif count is not None:
            req.count = None
            req.notes.append("device count is not a number")
        for c in dev.blocks:
            if c.kind == "constraint":
                value = c.attrs.get("value")
                if isinstance(value, TextLiteral):
                    req.product = value.value.text
                    req.product_span = src.span(value.lo, value.hi)
        return req
    return None
