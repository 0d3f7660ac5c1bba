"""Fill the generated sections of README.md from their sources, so the README cannot drift.

    python tools/update_readme.py          rewrite README.md
    python tools/update_readme.py --check  exit 1 when README.md is out of date

Sections (between ``<!-- begin:NAME -->`` and ``<!-- end:NAME -->``):
  output    `vllm-lint examples/` as plain text (run from the repository root)
  capacity  `vllm-lint capacity --gpu A10G --vllm-version 0.4.0 -- Qwen/Qwen1.5-7B-Chat`
  github    the pre-commit, GitHub Actions, SARIF and suppression snippets of docs/github.md
  rules     the rule table of docs/rules/README.md
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str]) -> str:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "120"}
    env.pop("GITHUB_ACTIONS", None)
    out = subprocess.run([sys.executable, "-m", "vllm_lint", *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=False).stdout
    return "\n".join(line.rstrip() for line in out.rstrip().splitlines())


def sections() -> dict[str, str]:
    github = (ROOT / "docs" / "github.md").read_text(encoding="utf-8")
    github = github[github.index("## pre-commit"):].replace("\n## ", "\n### ").replace("## pre-commit", "### pre-commit", 1)
    rules = (ROOT / "docs" / "rules" / "README.md").read_text(encoding="utf-8")
    table = rules[rules.index("| Id |"):].strip().replace("](VL", "](docs/rules/VL")
    return {
        "output": "```console\n$ vllm-lint examples/\n" + _run(["examples/"]) + "\n```",
        "capacity": "```console\n$ vllm-lint capacity --gpu A10G --vllm-version 0.4.0 -- Qwen/Qwen1.5-7B-Chat\n"
        + _run(["capacity", "--gpu", "A10G", "--vllm-version", "0.4.0", "--", "Qwen/Qwen1.5-7B-Chat"]) + "\n```",
        "github": github.strip(),
        "rules": table,
    }


def render(text: str) -> str:
    for name, body in sections().items():
        pattern = re.compile(rf"(<!-- begin:{name} -->\n).*?(<!-- end:{name} -->)", re.S)
        text = pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text)
    return text


def main() -> int:
    path = ROOT / "README.md"
    old = path.read_text(encoding="utf-8")
    new = render(old)
    if "--check" in sys.argv:
        return 0 if new == old else 1
    path.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
