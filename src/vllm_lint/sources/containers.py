"""Container-engine semantics shared by compose and shell sources: ``docker run`` options and
the GPUs a container can see.

GPU visibility follows the NVIDIA Container Toolkit and CUDA documentation: ``--gpus all`` /
``count: all`` / ``runtime: nvidia`` expose every GPU unless ``NVIDIA_VISIBLE_DEVICES`` names a
subset (``none``/``void`` expose none); inside the container ``CUDA_VISIBLE_DEVICES`` narrows
further, and a value CUDA cannot parse (``all``) hides every device. AMD containers get GPUs
through ``--device /dev/kfd --device /dev/dri``, narrowed by ``HIP_VISIBLE_DEVICES`` /
``ROCR_VISIBLE_DEVICES``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vllm_lint.launch import EnvValue, GpuRequest, Token
from vllm_lint.span import Span

if TYPE_CHECKING:
    import os
    from pathlib import Path

    from vllm_lint.sources.argv import Invocation

# docker run options that take a value (the next word, or "=value"); others are booleans
_VALUE_OPTS = frozenset("""
-a --attach --add-host --annotation --blkio-weight --blkio-weight-device --cap-add --cap-drop --cgroup-parent
--cgroupns --cidfile --cpu-count --cpu-percent --cpu-period --cpu-quota --cpu-rt-period --cpu-rt-runtime -c
--cpu-shares --cpus --cpuset-cpus --cpuset-mems --device --device-cgroup-rule --device-read-bps
--device-read-iops --device-write-bps --device-write-iops --dns --dns-option --dns-search --domainname
--entrypoint -e --env --env-file --expose --gpus --group-add --health-cmd --health-interval --health-retries
--health-start-period --health-timeout -h --hostname --ip --ip6 --ipc --isolation --kernel-memory -l --label
--label-file --link --link-local-ip --log-driver --log-opt --mac-address -m --memory --memory-reservation
--memory-swap --memory-swappiness --mount --name --network --net --network-alias --pid --pids-limit --platform
-p --publish --pull --restart --runtime --security-opt --shm-size --stop-signal --stop-timeout --storage-opt
--sysctl --tmpfs --ulimit -u --user --userns --uts -v --volume --volume-driver --volumes-from -w --workdir
--annotation --arch --authfile --cgroups --conmon-pidfile --hooks-dir --pod --secret --subgidname --subuidname
--uidmap --gidmap --variant --tz --umask --init-path --pidfile --chrootdirs --preserve-fds --personality
""".split())


@dataclass(slots=True)
class DockerRun:
    """The parts of ``docker|podman|nerdctl run [OPTIONS] IMAGE [ARG...]`` that matter here."""

    image: Token | None = None
    args: list[Token] = field(default_factory=list)  # after the image (replace the CMD)
    entrypoint: list[Token] | None = None  # --entrypoint
    env: dict[str, EnvValue] = field(default_factory=dict)
    env_files: list[Token] = field(default_factory=list)
    gpus: Token | None = None
    runtime: str | None = None
    ipc: str | None = None
    shm_size: str | None = None
    ports: list[str] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    name: str | None = None

    def facts(self) -> dict:
        out: dict = {"container_cli": True}
        if self.ipc:
            out["ipc_host"] = self.ipc == "host"
            out["ipc"] = self.ipc
        if self.shm_size:
            out["shm_size"] = self.shm_size
        if self.ports:
            out["ports"] = list(self.ports)
        if any(v.split(":")[1:2] == ["/dev/shm"] for v in self.volumes):
            out["dev_shm_volume"] = True
        mounts = local_mounts(self.volumes)
        if mounts:
            out["mounts"] = mounts
        if self.runtime == "nvidia":
            out["runtime_nvidia"] = True
        if self.name:
            out["container_name"] = self.name
        return out

    def gpu(self) -> GpuRequest:
        return container_gpu(gpus=self.gpus, runtime=self.runtime, devices=self.devices, env=self.env)

    def invocation(self) -> Invocation | None:
        """(entrypoint, program, args, facts) as ``argv.find_vllm_invocation`` returns it."""
        from vllm_lint.sources.argv import find_vllm_invocation
        from vllm_lint.sources.images import image_entrypoint

        facts = self.facts()
        if self.entrypoint is not None:
            got = find_vllm_invocation(self.entrypoint + self.args)
        else:
            got = find_vllm_invocation(self.args) if self.args else None
            ep = image_entrypoint(self.image.text if self.image else None)
            if ep is not None:
                combined = ep.tokens() + self.args
                got = find_vllm_invocation(combined)
                if got is not None and ep.uncertain:
                    got[3]["image_entrypoint_uncertain"] = ep.reason
        if got is None and self.entrypoint is None and image_entrypoint(self.image.text if self.image else None) is None:
            from vllm_lint.sources.images import is_vllm_image

            if self.image is not None and is_vllm_image(self.image.text) and self.args:
                program = [Token(text="vllm", style="synthetic", origin="assumed-image"),
                           Token(text="serve", style="synthetic", origin="assumed-image")]
                facts["image_entrypoint_assumed"] = True
                return "serve", program, list(self.args), facts
        if got is None:
            return None
        entrypoint, program, args, more = got
        facts.update(more)
        return entrypoint, program, args, facts


def parse_docker_run(words: list[Token]) -> DockerRun | None:
    """Parse ``docker run`` words (also ``docker container run``, ``podman run``); None otherwise."""
    i = 1
    n = len(words)
    # global options before the subcommand (docker --context x run ...)
    while i < n and words[i].text.startswith("-"):
        i += 1 if "=" in words[i].text else 2
    if i < n and words[i].text == "container":
        i += 1
    if i >= n or words[i].text not in ("run", "create"):
        return None
    i += 1
    run = DockerRun()
    while i < n:
        tok = words[i]
        t = tok.text
        if t == "--":
            i += 1
            break
        if not t.startswith("-") or t == "-":
            break
        if t.startswith("--"):
            name, eq, value = t.partition("=")
            if eq:
                _apply(run, name, value, tok, tok)
                i += 1
                continue
            if name in _VALUE_OPTS:
                if i + 1 < n:
                    _apply(run, name, words[i + 1].text, words[i + 1], tok)
                i += 2
                continue
            i += 1
            continue
        # short options: -e X, -eX, -it, -dit, -p8000:8000
        letters = t[1:]
        k = 0
        consumed = 1
        while k < len(letters):
            opt = "-" + letters[k]
            if opt in _VALUE_OPTS:
                rest = letters[k + 1:]
                if rest:
                    _apply(run, opt, rest.lstrip("="), tok, tok)
                elif i + 1 < n:
                    _apply(run, opt, words[i + 1].text, words[i + 1], tok)
                    consumed = 2
                break
            k += 1
        i += consumed
    if i < n:
        run.image = words[i]
        run.args = list(words[i + 1:])
    return run


def _apply(run: DockerRun, name: str, value: str, value_tok: Token, flag_tok: Token) -> None:
    if name in ("-e", "--env"):
        key, eq, val = value.partition("=")
        if eq:
            run.env[key] = EnvValue(val, value_tok.span, value_tok.symbolic)
        else:  # -e NAME passes the caller's value through: unknown statically
            run.env[key] = EnvValue(f"${{{key}}}", value_tok.span, True)
    elif name == "--env-file":
        run.env_files.append(value_tok)
    elif name == "--gpus":
        run.gpus = Token(text=value, span=value_tok.span, raw=value_tok.raw, symbolic=value_tok.symbolic)
    elif name == "--runtime":
        run.runtime = value
    elif name == "--ipc":
        run.ipc = value
    elif name == "--shm-size":
        run.shm_size = value
    elif name in ("-p", "--publish"):
        run.ports.append(value)
    elif name == "--device":
        run.devices.append(value)
    elif name in ("-v", "--volume", "--mount", "--tmpfs"):
        run.volumes.append(value if name != "--tmpfs" else value + ":/dev/shm" if value.startswith("/dev/shm") else value)
    elif name == "--entrypoint":
        run.entrypoint = [Token(text=value, span=value_tok.span, raw=value_tok.raw, symbolic=value_tok.symbolic)] if value else []
    elif name == "--name":
        run.name = value


def local_mounts(volumes: list[str]) -> dict[str, str]:
    """Container path -> host path (relative to the linted file) for bind mounts of project
    files (``./config.yaml:/workspace/config.yaml``), so a ``--config`` path can be found."""
    out: dict[str, str] = {}
    for v in volumes:
        parts = v.split(":")
        if len(parts) < 2:
            continue
        host, target = parts[0], parts[1]
        for prefix in ("$PWD/", "${PWD}/", "$(pwd)/"):
            if host.startswith(prefix):
                host = "./" + host[len(prefix):]
        if host.startswith(("./", "../")) or (host and not host.startswith(("/", "~", "$")) and "/" in host):
            out[target] = host
    return out


# ------------------------------------------------------------------------------------- GPUs

_DEVICE_LIST = re.compile(r"^\"?device=([^\"]*)\"?$")


def container_gpu(*, gpus: Token | None = None, runtime: str | None = None, devices: list[str] | None = None,
                  env: dict[str, EnvValue] | None = None, count: str | None = None, count_span: Span | None = None,
                  device_ids: list[str] | None = None, reserved: bool = False, mechanism: str | None = None) -> GpuRequest:
    """What GPUs a container sees from its engine options and environment.

    ``gpus`` is a ``--gpus``/compose ``gpus:`` value; ``count``/``device_ids``/``reserved`` come
    from a compose ``deploy.resources.reservations.devices`` entry (reserved with neither count
    nor ids means all GPUs).
    """
    env = env or {}
    req = GpuRequest()
    if gpus is not None:
        _from_gpus_value(req, gpus.text.strip(), gpus.span, gpus.symbolic)
        req.mechanism = mechanism or "--gpus"
    elif reserved:
        req.mechanism = mechanism or "deploy.resources.reservations.devices"
        if device_ids:
            req.device_ids = list(device_ids)
            req.count = float(len(device_ids))
            req.count_span = count_span
        elif count is not None:
            _from_count(req, count, count_span)
        else:
            req.all_visible = True
    elif runtime == "nvidia":
        req.mechanism = mechanism or "runtime: nvidia"
        req.all_visible = True
    amd = [d for d in (devices or []) if d.split(":")[0] in ("/dev/kfd", "/dev/dri")]
    if amd and req.mechanism is None:
        req.mechanism = "devices /dev/kfd /dev/dri"
        req.all_visible = True
        req.product = req.product or "AMD"
        req.notes.append("AMD GPUs passed through as /dev/kfd and /dev/dri")
    if req.mechanism is None:
        req.notes.append("no GPU request found (no --gpus, deploy.resources.reservations.devices, gpus: or runtime: nvidia)")
        return req
    narrow_by_env(req, env, nvidia_runtime=req.mechanism is not None and not amd)
    return req


def _from_gpus_value(req: GpuRequest, value: str, span: Span | None, symbolic: bool) -> None:
    value = value.strip("'\"")
    if symbolic or "$" in value:
        req.notes.append(f"GPU request {value!r} is not known statically")
        return
    m = _DEVICE_LIST.match(value)
    if m:
        ids = [x for x in m.group(1).split(",") if x]
        req.device_ids = ids
        req.count = float(len(ids))
        req.count_span = span
        return
    _from_count(req, value, span)


def _from_count(req: GpuRequest, value: str, span: Span | None) -> None:
    value = str(value).strip().strip("'\"")
    req.count_span = span
    if value.lower() in ("all", "-1"):
        req.all_visible = True
        return
    try:
        req.count = float(int(value))
    except ValueError:
        req.notes.append(f"GPU count {value!r} is not a number")


def _ids(value: str) -> list[str]:
    return [x.strip() for x in value.split(",") if x.strip()]


def narrow_by_env(req: GpuRequest, env: dict[str, EnvValue], *, nvidia_runtime: bool = True) -> None:
    """Apply NVIDIA_VISIBLE_DEVICES, CUDA_VISIBLE_DEVICES and HIP/ROCR_VISIBLE_DEVICES."""
    nv = env.get("NVIDIA_VISIBLE_DEVICES")
    if nv is not None and nvidia_runtime:
        if nv.symbolic:
            req.notes.append("NVIDIA_VISIBLE_DEVICES is not known statically")
        else:
            v = nv.value.strip()
            if v in ("none", "void", ""):
                _set_count(req, 0, nv.span)
                req.notes.append(f"NVIDIA_VISIBLE_DEVICES={v!r} exposes no GPU")
            elif v != "all":
                ids = _ids(v)
                _set_count(req, len(ids), nv.span, ids)
    for name in ("CUDA_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES"):
        ev = env.get(name)
        if ev is None:
            continue
        if ev.symbolic:
            req.notes.append(f"{name} is not known statically")
            continue
        v = ev.value.strip()
        ids = _ids(v)
        if v.lower() == "all" or any(not re.fullmatch(r"\d+|GPU-[\w-]+|MIG-[\w/-]+", x) for x in ids):
            _set_count(req, 0, ev.span)
            req.notes.append(f"{name}={v!r} is not a device list CUDA/ROCm understands: no GPU is visible")
            continue
        _set_count(req, len(ids), ev.span, ids)
        req.mechanism = f"{req.mechanism or 'container'} + {name}"


def _set_count(req: GpuRequest, n: int, span: Span | None, ids: list[str] | None = None) -> None:
    if req.count is None or req.all_visible or n < req.count:
        req.count = float(n)
        req.count_span = span
        req.all_visible = False
        if ids is not None:
            req.device_ids = ids


def host_path(mounts: dict[str, str] | None, base_dir: str | os.PathLike[str], container_path: str) -> Path | None:
    """The file on disk that a path inside the container comes from, through the bind mounts
    recorded in ``launch.facts["mounts"]`` (container path -> host path relative to the linted
    file's folder ``base_dir``); None when no mount covers it. Longest mount prefix wins, as in
    the container's mount table."""
    from pathlib import Path, PurePosixPath

    if not mounts or not container_path.startswith("/"):
        return None
    target = PurePosixPath(container_path)
    best: tuple[int, Path] | None = None
    for inside, host in mounts.items():
        inside_p = PurePosixPath(inside.rstrip("/") or "/")
        if target == inside_p or inside_p in target.parents:
            rest = target.relative_to(inside_p)
            candidate = Path(base_dir) / host / rest if str(rest) != "." else Path(base_dir) / host
            depth = len(inside_p.parts)
            if best is None or depth > best[0]:
                best = (depth, candidate)
    return best[1] if best else None
