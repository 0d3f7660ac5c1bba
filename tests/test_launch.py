"""launch.is_editable: which tokens an edit at their span can rewrite."""

from __future__ import annotations

import pytest

from vllm_lint.launch import Token, is_editable
from vllm_lint.span import Span

SPAN = Span("f", 0, 4, 1, 1, 1, 5)


@pytest.mark.parametrize(("tok", "styles", "as_written", "expected"), [
    (None, ("argv",), False, False),
    (Token("4096", SPAN), ("argv",), False, True),
    (Token("4096", None), ("argv",), False, False),  # not written in a file
    (Token("4096", SPAN, symbolic=True), ("argv",), False, False),
    (Token("4096", SPAN, style="helm-key"), ("argv",), False, False),
    (Token("4096", SPAN, style="helm-key"), ("argv", "helm-key"), False, True),
    (Token("4096", SPAN, style="synthetic"), ("argv", "argv-eq", "config-key", "helm-key"), False, False),
    (Token("4096", SPAN, raw='"4096"'), ("argv",), True, True),  # quotes aside, as written
    (Token("4096", SPAN, raw="${LEN:-4096}"), ("argv",), True, False),  # a default was expanded
    (Token("4096", SPAN, raw="${LEN:-4096}"), ("argv",), False, True),
])
def test_is_editable(tok, styles, as_written, expected):
    assert is_editable(tok, styles, as_written=as_written) is expected


def test_default_styles_are_every_written_style():
    assert is_editable(Token("--x", SPAN, style="argv-eq"))
    assert is_editable(Token("x", SPAN, style="config-key"))
    assert not is_editable(Token("x", SPAN, style="synthetic"))
