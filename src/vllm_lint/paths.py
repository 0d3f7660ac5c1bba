"""Paths as users see them in reports: relative to the working directory when below it."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: Path) -> str:
    """The path as users see it: relative to the working directory when below it.

    A file name that is not valid UTF-8 (surrogate-escaped by Python) is shown with
    ``\\xNN`` escapes, so every reporter can write it to a strict UTF-8 stream."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        rel = str(path)
    shown = str(path) if rel.startswith("..") else rel
    try:
        shown.encode("utf-8")
    except UnicodeEncodeError:
        try:
            shown = shown.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:  # a surrogate that is not an escaped byte
            shown = shown.encode("utf-8", "backslashreplace").decode("utf-8")
    return shown
