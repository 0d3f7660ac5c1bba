"""systemd units (``*.service``) and Podman Quadlet ``*.container`` files -> vLLM launches.

In ``[Service]``, every ``ExecStart=`` (and ``ExecStartPre``/``ExecStartPost``/``ExecCondition``)
command is read as systemd runs it (syntax in ``unit_file``); an empty ``ExecStart=`` resets the
list, as in a drop-in. Variables come from ``Environment=`` (quoted ``"A=b c"`` items, later ones
win) and ``EnvironmentFile=`` (read on the host at start, so unknown here); a variable set
nowhere in the unit stays unknown. No shell runs the command: ``&&``, ``|`` or ``>`` are plain
words; ``/bin/sh -c '...'`` runs a shell on its argument, which the shell reader reads with spans
into the unit. A file with a ``[Container]`` section is a Quadlet unit (``quadlet``).
"""

from __future__ import annotations

from vllm_lint.launch import EnvValue, Launch
from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile
from vllm_lint.sources.services.quadlet import quadlet_launches
from vllm_lint.sources.services.unit_file import Entry, environment, exec_commands, parse_unit, split_words
from vllm_lint.sources.shell.syntax import Command, Script, Val

_EXEC_KEYS = ("ExecStart", "ExecStartPre", "ExecStartPost", "ExecCondition")


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    opts = opts or ExtractOptions()
    entries = parse_unit(src.text)
    result = ExtractResult()
    if any(e.section == "Container" for e in entries):
        result.launches.extend(quadlet_launches(src, entries))
        return result
    env: dict[str, Val] = {k: Val(v) for k, v in opts.env.items()}
    spans: dict[str, tuple[int, int]] = {}
    env_files: list[str] = []
    execs: list[Entry] = []
    for e in entries:
        if e.section != "Service":
            continue
        if e.key == "Environment":
            environment(e, env, spans)
        elif e.key == "EnvironmentFile":
            env_files.append(e.value.text)
        elif e.key == "UnsetEnvironment":
            for raw in split_words(e.value):
                if raw is not None:
                    env.pop(raw.text.partition("=")[0], None)
        elif e.key in _EXEC_KEYS:
            if not e.value.chars:
                execs = [x for x in execs if x.key != e.key]  # ``ExecStart=`` empty: reset the list
            else:
                execs.append(e)
    unit_name = src.path.name
    for e in execs:
        for launch in exec_launches(src, e, env, unit_name):
            for name, (lo, hi) in spans.items():
                if name in launch.env and launch.image is None:
                    launch.env[name] = EnvValue(launch.env[name].value, src.span(lo, hi), launch.env[name].symbolic)
            if env_files:
                launch.unknowns.append("EnvironmentFile " + ", ".join(f.lstrip("-") for f in env_files)
                                       + " is read on the host at start; its variables are not known here")
            result.launches.append(launch)
    return result


def exec_launches(src: SourceFile, entry: Entry, env: dict[str, Val], unit_name: str) -> list[Launch]:
    from vllm_lint.sources.shell.scripts import command_launch

    out: list[Launch] = []
    for words in exec_commands(entry.value, env, unit_name):
        cmd = Command(words=words, assigns=dict(env), env=dict(env), start=words[0].start, end=words[-1].end)
        launch = command_launch(src, cmd, Script([cmd], env, []), depth=0)
        if launch is None:
            continue
        launch.source = "systemd"
        launch.name = f"{entry.key}: {launch.name}"
        out.append(launch)
    return out
