"""README's Usage block and every command's --help name the same options: an option the code has
is documented on its command's line, and an option the README names exists in that command."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from vllm_lint.cli import SUBCOMMANDS, main

ROOT = Path(__file__).resolve().parents[1]
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])")


def _usage_lines() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text[text.index("## Usage"):]
    return block.split("```")[1].strip("\n").splitlines()


def _readme_options(command: str) -> set[str]:
    """Options README's Usage block gives ``command`` ("" = the lint command): on its lines (up to
    their description, set off by three spaces) and on the line every command shares."""
    lines = _usage_lines()
    found: set[str] = set()
    current = None
    for line in lines:
        if line.startswith("every command:"):
            found |= set(OPTION.findall(line))
            continue
        if line.startswith("     "):  # a description's continuation
            continue
        for segment in re.split(r"(?=vllm-lint )", line):
            if segment.startswith("vllm-lint "):
                word = segment.split()[1]
                current = word if word in SUBCOMMANDS else ""
            if current == command:
                found |= set(OPTION.findall(re.split(r"\s{3,}", segment.strip())[0]))
    assert found, f"README's Usage block has no line for `vllm-lint {command}`"
    return found


def _help_options(command: str) -> set[str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main([command, "--help"] if command else ["--help"])
    found: set[str] = set()
    text = out.getvalue()
    listing = text[text.index("\noptions:\n"):].split("\n\n", 1)[0]  # not the epilog
    for line in listing.splitlines():
        if re.match(r"^  -", line):  # an option's own line in argparse's listing
            found |= set(OPTION.findall(re.split(r"\s{2,}", line.strip())[0]))
    return found - {"-h"}


COMMANDS = ["", *(c for c in SUBCOMMANDS if c != "check")]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_of_help_is_in_the_readme(command):
    missing = _help_options(command) - _readme_options(command)
    assert not missing, f"vllm-lint {command} --help has {sorted(missing)}, README's Usage block does not"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_of_the_readme_exists(command):
    unknown = {o for o in _readme_options(command) if o.startswith("--")} - _help_options(command) - {"--help"}
    assert not unknown, f"README's Usage block gives vllm-lint {command} {sorted(unknown)}, which --help does not know"
