"""``docker|podman|nerdctl run`` command lines: the options that matter for a vLLM launch (image,
entrypoint, environment, GPUs, IPC, shared memory, ports, bind mounts).
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vllm_lint.launch import EnvValue, GpuRequest, LaunchFacts, Token

if TYPE_CHECKING:
    import os
    from pathlib import Path
from vllm_lint.sources.containers.visible_gpus import container_gpu

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

    def facts(self) -> LaunchFacts:
        out = LaunchFacts(container_cli=True)
        if self.ipc:
            out.ipc_host = self.ipc == "host"
            out.ipc = self.ipc
        if self.shm_size:
            out.shm_size = self.shm_size
        if self.ports:
            out.ports = list(self.ports)
        if any(v.split(":")[1:2] == ["/dev/shm"] for v in self.volumes):
            out.dev_shm_volume = True
        mounts = local_mounts(self.volumes)
        if mounts:
            out.mounts = mounts
        if self.runtime == "nvidia":
            out.runtime_nvidia = True
        if self.name:
            out.container_name = self.name
        return out

    def gpu(self) -> GpuRequest:
        return container_gpu(gpus=self.gpus, runtime=self.runtime, devices=self.devices, env=self.env)


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
        if t.startswith("{{") and t.endswith("}}") and i + 1 < n \
                and _is_docker_option(words[i + 1].text):
            i += 1  # `{{ '--gpus all' if gpu else '' }}`: a template's options, not the image
            continue
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


# docker/podman run switches (options without a value)
_SWITCHES = frozenset("--rm -d --detach -i --interactive -t --tty --privileged --init --read-only -P --publish-all "
                      "--oom-kill-disable --sig-proxy --no-healthcheck --replace".split())


def _is_docker_option(text: str) -> bool:
    """An option of ``docker run`` itself (``-p``, ``--gpus=all``, ``-dit``), not of the program."""
    name = text.split("=", 1)[0]
    if name in _VALUE_OPTS or name in _SWITCHES:
        return True
    return bool(re.fullmatch(r"-[dit]{2,3}", name))


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


def host_path(mounts: dict[str, str] | None, base_dir: str | os.PathLike[str], container_path: str) -> Path | None:
    """The file on disk that a path inside the container comes from, through the bind mounts
    recorded in ``launch.facts.mounts`` (container path -> host path relative to the linted
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
