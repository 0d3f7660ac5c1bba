"""Value converters of vLLM's server options, as argparse calls them per release.

Each converter returns the typed value or raises ``ConvertError`` carrying the text argparse
prints after ``argument --flag:``. Two shapes exist, as in argparse itself:
  * a type function raising ``ValueError``/``TypeError`` -> ``invalid <type name> value: '<s>'``
  * a type function raising ``ArgumentTypeError`` -> that exception's own message
"""

from __future__ import annotations

import ast
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
    return _plain_int(value, type_name)


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


def _kvs(value: str) -> dict | None:
    # 0.5-0.8 --limit-mm-per-prompt syntax: image=2,video=1 (values int); '' means None. Its
    # ValueErrors surface as argparse's "invalid nullable_kvs value" (0.8-0.9 wrap it: see err).
    if value == "":
        return None
    out: dict = {}
    for item in value.split(","):
        key, sep, num = item.partition("=")
        if not sep or "=" in num:
            raise ConvertError(f"invalid nullable_kvs value: {value!r}", "invalid-value")
        try:
            out[key] = int(num)
        except ValueError:
            raise ConvertError(f"invalid nullable_kvs value: {value!r}", "invalid-value") from None
    return out


def _level_or_json(value: str) -> object:
    # 0.6-0.8 CompilationConfig.from_cli: '0'..'3' is the level, anything else goes through
    # ast.literal_eval, whose SyntaxError escapes argparse as a traceback.
    if value in ("0", "1", "2", "3"):
        return {"level": int(value)}
    try:
        return ast.literal_eval(value)
    except SyntaxError as e:
        raise ConvertError(f"SyntaxError: {e}", "invalid-json") from None
    except ValueError:
        raise ConvertError(f"invalid from_cli value: {value!r}", "invalid-json") from None


def _json_object(value: str, type_name: str) -> dict:
    # <Config>.from_cli / from_json (0.6-0.9): model_validate_json of a JSON object
    try:
        data = json.loads(value)
    except ValueError:
        raise ConvertError(f"invalid {type_name} value: {value!r}", "invalid-json") from None
    if not isinstance(data, dict):
        raise ConvertError(f"invalid {type_name} value: {value!r}", "invalid-json")
    return data


def convert(value: str, type_: str, type_name: str | None = None, err: str | None = None) -> object:
    """Convert one argv string with the named converter (``int``, ``float?``, ``hr_int`` ...).

    A trailing ``?`` means vLLM's optional wrapper: ``''`` and ``'None'`` give ``None``.
    ``err`` is the release's own ArgumentTypeError text for a rejected value (read from the wheel by
    tools/extract_flags.py); without it argparse's ``invalid <type_name> value: '<s>'`` is used.
    """
    try:
        return _convert(value, type_, type_name)
    except ConvertError as e:
        if e.code == "invalid-int" and "Decimals are not allowed" in str(e):
            raise
        if err:
            raise ConvertError(err.format(value=value), e.code) from None
        if type_name and str(e).startswith("invalid ") and " value: " in str(e):
            raise ConvertError(f"invalid {type_name} value: {value!r}", e.code) from None
        raise


def _convert(value: str, type_: str, type_name: str | None = None) -> object:
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
        # 0.10+: pydantic TypeAdapter(<Config>).validate_json; JSON syntax and "is an object" are
        # checked here, the config's own fields are not
        try:
            data = json.loads(value)
        except ValueError:
            raise ConvertError(f"1 validation error for {type_name or 'config'}", "invalid-json") from None
        if not isinstance(data, dict):
            raise ConvertError(f"1 validation error for {type_name or 'config'}", "invalid-json")
        return data
    if type_ == "json_or_str":
        return _json_or_str(value)
    if type_ == "json_obj":
        return _json_object(value, type_name or "from_cli")
    if type_ == "json_or_level":
        return _level_or_json(value)
    if type_ == "kvs":
        return _kvs(value)
    if type_ == "csv_int_or_str":
        return [int(x) if x.isdigit() else x for x in value.split(",")]
    if type_ == "json_or_kvs":
        if re.match(r"(?s)^\s*\{.*\}\s*$", value):
            return _json(value, "loads")
        return _kvs(value)
    if type_ == "pybool":
        return bool(value)
    if type_ == "str_lower":
        return value.lower().replace("-", "_")
    return value


def store_boolean(value: str) -> bool:
    """vLLM's StoreBoolean action (0.5-0.8): only 'true'/'false', any case. Anything else raises a
    plain ValueError out of argparse (a traceback, not a usage error)."""
    low = value.lower()
    if low == "true":
        return True
    if low == "false":
        return False
    raise ConvertError(f"ValueError: Invalid boolean value: {value}. Expected 'true' or 'false'.", "invalid-bool")
