"""Value converters of vLLM's server options, as argparse calls them per release.

Each converter returns the typed value or raises ``ConvertError`` carrying the text argparse
prints after ``argument --flag:``. Two shapes exist, as in argparse itself:
  * a type function raising ``ValueError``/``TypeError`` -> ``invalid <type name> value: '<s>'``
  * a type function raising ``ArgumentTypeError`` -> that exception's own message
"""

from __future__ import annotations

import json
import re


class ConvertError(Exception):
    """A value vLLM's parser rejects; ``str(err)`` is argparse's message after ``argument X: ``."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


_HR_RE = re.compile(r"(\d+(?:\.\d+)?)([kKmMgGtT])")
_DEC = {"k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}
_BIN = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def human_readable_int(value: str, type_name: str = "human_readable_int") -> int:
    """vLLM's ``human_readable_int`` (0.8.5+): ``25.6k`` = 25600, ``1K`` = 1024, ``1.5K`` an error."""
    s = value.strip()
    m = _HR_RE.fullmatch(s)
    if m:
        number, suffix = m.groups()
        if suffix in _DEC:
            return int(float(number) * _DEC[suffix])
        if "." in number:
            raise ConvertError(
                f"Decimals are not allowed with binary suffixes like {suffix}. "
                f"Did you mean to use {number}{suffix.lower()} instead?",
                "invalid-int",
            )
        return int(number) * _BIN[suffix]
    try:
        return int(s)
    except ValueError:
        raise ConvertError(f"invalid {type_name} value: {value!r}", "invalid-int") from None


def _plain_int(value: str, type_name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ConvertError(f"invalid {type_name} value: {value!r}", "invalid-int") from None


def _plain_float(value: str, type_name: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ConvertError(f"invalid {type_name} value: {value!r}", "invalid-float") from None


def _json(value: str, type_name: str) -> object:
    try:
        return json.loads(value)
    except ValueError:
        raise ConvertError(f"invalid {type_name} value: {value!r}", "invalid-json") from None


def _json_or_str(value: str) -> object:
    # vLLM's union_dict_and_str: a JSON object when it looks like one, else the plain string.
    if value.strip().startswith("{"):
        try:
            return json.loads(value)
        except ValueError:
            raise ConvertError(f"invalid union_dict_and_str value: {value!r}", "invalid-json") from None
    return value


def _kvs(value: str) -> dict:
    # 0.5-0.8 --limit-mm-per-prompt syntax: image=2,video=1 (values int).
    out: dict = {}
    for item in value.split(","):
        if not item:
            continue
        key, sep, num = item.partition("=")
        if not sep:
            raise ConvertError(f"invalid nullable_kvs value: {value!r}", "invalid-value")
        try:
            out[key] = int(num)
        except ValueError:
            raise ConvertError(f"invalid nullable_kvs value: {value!r}", "invalid-value") from None
    return out


def _level_or_json(value: str) -> object:
    # 0.6-0.11 CompilationConfig.from_cli: a bare digit is the optimisation level, else JSON.
    if re.fullmatch(r"[0-9]", value):
        return {"level": int(value)}
    try:
        return json.loads(value)
    except ValueError:
        raise ConvertError(f"invalid from_cli value: {value!r}", "invalid-json") from None


def convert(value: str, type_: str, type_name: str | None = None) -> object:
    """Convert one argv string with the named converter (``int``, ``float?``, ``hr_int`` ...).

    A trailing ``?`` means vLLM's optional wrapper: ``''`` and ``'None'`` give ``None``.
    """
    if type_.endswith("?"):
        if value in ("", "None"):
            return None
        type_ = type_[:-1]
    if type_ == "int":
        return _plain_int(value, type_name or "int")
    if type_ == "float":
        return _plain_float(value, type_name or "float")
    if type_ == "hr_int":
        return human_readable_int(value, type_name or "human_readable_int")
    if type_ == "hr_int_auto":
        if value.strip().lower() == "auto":
            return -1
        return human_readable_int(value, type_name or "human_readable_int")
    if type_ == "json":
        return _json(value, type_name or "loads")
    if type_ == "json_parse":
        # vLLM's parse_type(json.loads): ArgumentTypeError naming the function (its address varies)
        try:
            return json.loads(value)
        except ValueError:
            raise ConvertError(f"Value {value} cannot be converted to <function loads>.", "invalid-json") from None
    if type_ == "json_dataclass":
        # 0.10+: pydantic TypeAdapter(<Config>).validate_json; only JSON syntax is checked here
        try:
            return json.loads(value)
        except ValueError:
            raise ConvertError(f"1 validation error for {type_name or 'config'}", "invalid-json") from None
    if type_ == "json_or_str":
        return _json_or_str(value)
    if type_ == "json_or_level":
        return _level_or_json(value)
    if type_ == "kvs":
        return _kvs(value)
    if type_ == "pybool":
        return bool(value)
    if type_ == "str_lower":
        return value.lower().replace("-", "_")
    return value


def store_boolean(value: str) -> bool:
    """vLLM's StoreBoolean action (0.5-0.8): only 'true'/'false', any case."""
    low = value.lower()
    if low == "true":
        return True
    if low == "false":
        return False
    raise ConvertError(f"Invalid boolean value: {value}. Expected 'true' or 'false'.", "invalid-bool")
