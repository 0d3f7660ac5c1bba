"""The README's generated sections (example output, capacity table, snippets, rule list) match
what the code prints today: regenerate with `python tools/update_readme.py`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_is_up_to_date():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "update_readme.py"), "--check"], cwd=ROOT)
    assert proc.returncode == 0, "README.md is stale: run python tools/update_readme.py"
