"""Run the CLI in a real pseudo-terminal of a given size and read the screen a user would see,
through pyte's VT100 emulation (what tmux or xterm would show, wrapping included)."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pyte

ROOT = Path(__file__).resolve().parents[2]


def run_in_terminal(args: list[str], columns: int, *, cwd: Path, rows: int = 400, color: bool = True) -> list[str]:
    """The screen's rows (trailing blanks removed) after ``vllm-lint *args`` ran in a ``columns``-wide terminal."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS", "CI")}
    env.update(TERM="xterm-256color", PYTHONPATH=str(ROOT / "src"))
    if not color:
        env["NO_COLOR"] = "1"
    proc = subprocess.Popen([sys.executable, "-m", "vllm_lint", *args], stdin=slave, stdout=slave, stderr=slave,
                            cwd=cwd, env=env, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    screen = pyte.Screen(columns, rows)
    stream = pyte.ByteStream(screen)
    stream.feed(b"".join(chunks))
    lines = [line.rstrip() for line in screen.display]
    while lines and not lines[-1]:
        lines.pop()
    return lines
