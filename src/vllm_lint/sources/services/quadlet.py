"""Podman Quadlet ``*.container`` units -> the ``podman run`` they generate (podman-systemd.unit(5)).

``[Container]`` keys read: ``Image=``, ``Exec=`` (arguments after the image, split like an
``ExecStart=`` line), ``Environment=``, ``AddDevice=`` (``nvidia.com/gpu=all`` with CDI, or
``/dev/kfd``), ``PodmanArgs=`` (extra ``podman run`` options such as ``--gpus all``),
``ShmSize=``, ``PublishPort=``, ``Volume=``, ``ContainerName=``. Quadlet writes them as
``podman run`` options before the image; the words that are not in the file carry no span.
"""

from __future__ import annotations

from vllm_lint.launch import Launch
from vllm_lint.sources.base import SourceFile
from vllm_lint.sources.shell.syntax import Command, Script, Val, Word
from vllm_lint.sources.services.unit_file import Entry, environment, exec_commands, split_words

_OPTION = {"AddDevice": "--device", "ShmSize": "--shm-size", "PublishPort": "-p", "Volume": "-v",
           "ContainerName": "--name", "Network": "--network", "IPC": "--ipc"}


def _synthetic(text: str, at: int) -> Word:
    return Word(text=text, start=at, end=at, starts=[], ends=[])


def _value_word(entry: Entry) -> Word | None:
    raws = [r for r in split_words(entry.value) if r is not None]
    if not raws:
        return None
    r = raws[0]
    start, end = r.inner if r.inner is not None else (r.lo, r.hi)
    return Word(text=r.text, start=start, end=end, quoted=r.quoted, starts=[c.start for c in r.chars],
                ends=[c.end for c in r.chars], raw_end=r.hi)


def quadlet_launches(src: SourceFile, entries: list[Entry]) -> list[Launch]:
    from vllm_lint.sources.shell.scripts import command_launch

    section = [e for e in entries if e.section == "Container"]
    image = next((e for e in reversed(section) if e.key == "Image"), None)
    if image is None:
        return []
    at = image.key_start
    words = [_synthetic("podman", at), _synthetic("run", at)]
    env: dict[str, Val] = {}
    spans: dict[str, tuple[int, int]] = {}
    unit_name = src.path.name
    for e in section:
        if e.key == "Environment":
            environment(e, env, spans)
        elif e.key == "AddDevice" and (w := _value_word(e)) is not None and w.text.startswith("nvidia.com/gpu="):
            # a CDI device (the NVIDIA Container Toolkit's): the GPUs it names, as --gpus says them
            which = w.text.split("=", 1)[1]
            words += [_synthetic("--gpus", w.start),
                      Word(text="all" if which == "all" else f"device={which}", start=w.start, end=w.end,
                           expanded=True, starts=[], ends=[], raw_end=w.raw_end)]
        elif e.key in _OPTION:
            w = _value_word(e)
            if w is not None:
                words += [_synthetic(_OPTION[e.key], w.start), w]
        elif e.key == "PodmanArgs":
            for cmd in exec_commands(e.value, {}, unit_name, prefixes=False):
                words.extend(cmd)
    for name, val in env.items():
        lo, hi = spans[name]
        words += [_synthetic("-e", lo), Word(text=f"{name}={val.text}", start=lo, end=hi, expanded=True,
                                             starts=[lo] * (len(name) + 1 + len(val.text)),
                                             ends=[hi] * (len(name) + 1 + len(val.text)))]
    image_word = _value_word(image)
    if image_word is None:
        return []
    words.append(image_word)
    exec_entry = next((e for e in reversed(section) if e.key == "Exec"), None)
    if exec_entry is not None:
        for cmd in exec_commands(exec_entry.value, {}, unit_name, prefixes=False):
            words.extend(cmd)
    cmd = Command(words=words, start=image_word.start, end=words[-1].end)
    launch = command_launch(src, cmd, Script([cmd], {}, []), depth=0)
    if launch is None:
        return []
    launch.source = "quadlet"
    launch.name = f"[Container] {launch.name}"
    return [launch]
