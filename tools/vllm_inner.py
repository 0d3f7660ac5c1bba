"""Run inside a throwaway venv against one vLLM wheel's unzipped sources (see tools/extract_flags.py).

  python vllm_inner.py dump <version> <entrypoint>          -> JSON list of argparse actions on stdout
  python vllm_inner.py run  <version> <entrypoint> < cases  -> one JSON verdict per input line

Input lines for ``run``: {"id": ..., "argv": [...]} ; output: {"id", "verdict": "ok"|"error",
"values" | "error", "phase"}. ``phase`` is "parse" for argparse / FlexibleArgumentParser errors and
"validate" for vLLM's own checks right after parsing (``cmd.validate``), "exception" otherwise.
The serve command itself is never run: its dispatch function is replaced by one that stops.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vllm_stub  # noqa: E402

_PARSERS: list[argparse.ArgumentParser] = []


class _Done(Exception):
    def __init__(self, args: argparse.Namespace) -> None:
        self.ns = args


def _done(args):
    raise _Done(args)


def _patch_argparse() -> None:
    orig = argparse.ArgumentParser.parse_args

    def parse_args(self, *a, **k):
        _PARSERS.append(self)
        return orig(self, *a, **k)

    argparse.ArgumentParser.parse_args = parse_args  # type: ignore[method-assign]


def _flexible_parser_class():
    for mod in ("vllm.utils.argparse_utils", "vllm.utils"):
        try:
            m = __import__(mod, fromlist=["FlexibleArgumentParser"])
            return m.FlexibleArgumentParser
        except (ImportError, AttributeError):
            continue
    return argparse.ArgumentParser


def _make_arg_parser():
    for mod in ("vllm.entrypoints.common.cli_args", "vllm.entrypoints.launchers.cli_args", "vllm.entrypoints.openai.cli_args"):
        try:
            m = __import__(mod, fromlist=["make_arg_parser"])
            return m.make_arg_parser
        except (ImportError, AttributeError):
            continue
    raise ImportError("make_arg_parser not found")


def _serve_main(argv: list[str]) -> None:
    """Run vLLM's own `vllm` console script with the serve dispatch replaced."""
    sys.argv = ["vllm", "serve", *argv]
    try:
        import vllm.entrypoints.cli.serve as serve_mod  # 0.7+
        import vllm.entrypoints.cli.main as main_mod
    except ImportError:
        import vllm.scripts as scripts  # 0.5.2-0.6.x: serve() checks --model, then run_server

        scripts.run_server = _done
        scripts.main()
        return
    if hasattr(serve_mod, "run_server") and "args.model != EngineArgs.model" in _source(serve_mod.ServeSubcommand.cmd):
        serve_mod.run_server = _done  # 0.7.x: keep cmd's own --model check, stop before the server
    else:
        serve_mod.ServeSubcommand.cmd = staticmethod(_done)
    main_mod.main()


def _source(fn) -> str:
    import inspect

    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        return ""


def _api_server_parse(argv: list[str]):
    cls = _flexible_parser_class()
    parser = cls(description="vLLM OpenAI-Compatible RESTful API server.", prog="api_server.py")
    try:
        parser = _make_arg_parser()(parser)
    except TypeError:  # 0.4.x: make_arg_parser() builds its own plain argparse parser
        parser = _make_arg_parser()()
        parser.prog = "api_server.py"
    _PARSERS.append(parser)
    return parser.parse_args(argv)


def _serve_parser() -> argparse.ArgumentParser:
    try:
        _serve_main(["dummy-model"])
    except _Done:
        pass
    top = _PARSERS[0]
    for action in top._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices["serve"]
    raise RuntimeError("no serve subparser")


def _jsonable(x):
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if hasattr(x, "value") and isinstance(getattr(x, "value"), (int, str)):  # enums
        return x.value
    if hasattr(x, "__dataclass_fields__"):
        return {"__dataclass__": type(x).__name__}
    return {"__repr__": repr(x)[:200]}


def _type_info(t) -> dict:
    info: dict = {"name": getattr(t, "__name__", None) or type(t).__name__}
    # vLLM wraps converters (optional_type, parse_type): name the wrapped one too
    cells = getattr(t, "__closure__", None) or ()
    inner = [getattr(c.cell_contents, "__name__", None) for c in cells if callable(getattr(c, "cell_contents", None))]
    if inner:
        info["inner"] = inner
    probes = {}
    for probe in ("None", "", "8", "8k", "1.5", '{"a": 1}', "true", "auto", "-1", "{bad", "{bad}", "image=2"):
        try:
            v = t(probe)
            probes[probe] = ["ok", _jsonable(v)]
        except argparse.ArgumentTypeError as e:
            probes[probe] = ["ate", str(e)]
        except (TypeError, ValueError) as e:
            probes[probe] = ["err", type(e).__name__]
        except Exception as e:  # noqa: BLE001
            probes[probe] = ["exc", f"{type(e).__name__}: {e}"]
    info["probes"] = probes
    return info


def post_choices() -> dict:
    """Values vLLM checks after parsing against a registry (ModelConfig: 'Unknown quantization method')."""
    out = {}
    try:
        from vllm.model_executor.layers.quantization import QUANTIZATION_METHODS

        out["quantization"] = [str(m) for m in QUANTIZATION_METHODS]
    except Exception:  # noqa: BLE001
        pass
    return out


def registry(parser: argparse.ArgumentParser) -> list[str]:
    """Every option string argparse matches prefixes against, in its (insertion) order."""
    return list(parser._option_string_actions)


def dump(parser: argparse.ArgumentParser) -> list[dict]:
    out = []
    for a in parser._actions:
        rec = {
            "option_strings": list(a.option_strings),
            "dest": a.dest,
            "action": type(a).__name__,
            "action_mro": [c.__name__ for c in type(a).__mro__],
            "nargs": a.nargs,
            "const": _jsonable(a.const),
            "default": _jsonable(a.default),
            "choices": _jsonable(list(a.choices)) if a.choices is not None and not isinstance(a, argparse._SubParsersAction) else None,
            "required": a.required,
            "help": (a.help or "")[:400] if isinstance(a.help, str) else None,
            "deprecated": bool(getattr(a, "deprecated", False)),
            "registered": [o for o, act in parser._option_string_actions.items() if act is a],
        }
        neg = getattr(a, "negative_option_strings", None)
        if neg is not None:
            rec["negative_option_strings"] = sorted(neg)
        if a.type is not None:
            rec["type"] = _type_info(a.type)
        out.append(rec)
    return out


def _defaults(entrypoint: str) -> dict:
    """dest -> default of the parser that just ran (only values that differ are recorded)."""
    parser = None
    for p in _PARSERS:
        for a in p._actions:
            if isinstance(a, argparse._SubParsersAction) and "serve" in a.choices:
                parser = a.choices["serve"]
    if parser is None and _PARSERS:
        parser = _PARSERS[-1]
    out = {}
    if parser is not None:
        for a in parser._actions:
            d = a.default
            if isinstance(d, str) and a.type is not None and callable(a.type):
                try:
                    d = a.type(d)
                except Exception:  # noqa: BLE001
                    pass
            out[a.dest] = _jsonable(d)
    return out


def run_case(entrypoint: str, argv: list[str]) -> dict:
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            if entrypoint == "serve":
                _serve_main(argv)
                return {"verdict": "error", "error": "dispatch not reached", "phase": "exception"}
            args = _api_server_parse(argv)
            raise _Done(args)
    except _Done as d:
        defaults = _defaults(entrypoint)
        values = {
            k: _jsonable(v)
            for k, v in vars(d.ns).items()
            if k not in ("dispatch_function", "subparser") and (k not in defaults or _jsonable(v) != defaults[k])
        }
        return {"verdict": "ok", "values": values}
    except SystemExit as e:
        lines = [ln for ln in err.getvalue().splitlines() if ": error: " in ln]
        if lines:
            return {"verdict": "error", "error": lines[-1], "phase": "parse"}
        return {"verdict": "error", "error": f"SystemExit({e.code})", "phase": "exception"}
    except Exception as e:  # noqa: BLE001
        tb = e.__traceback__
        frames = []
        while tb is not None:
            frames.append(f"{os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_frame.f_code.co_name}")
            tb = tb.tb_next
        phase = "parse" if any(f.startswith("argparse.py:") or f.endswith(":parse_args") for f in frames) else "exception"
        if any(":validate" in f or "validate_parsed_serve_args" in f for f in frames):
            phase = "validate"
        return {"verdict": "error", "error": f"{type(e).__name__}: {e}", "phase": phase, "where": frames[-3:]}


def _memoize_source_parsing() -> None:
    """vLLM (0.8-0.9) re-reads and re-parses config.py with inspect/ast for every option help text,
    every time a parser is built; the same source always gives the same tree, so cache it."""
    import ast
    import functools
    import inspect

    ast.parse = functools.lru_cache(maxsize=None)(ast.parse)  # type: ignore[assignment]
    orig_getsource = inspect.getsource
    cache: dict = {}

    def getsource(obj):
        key = id(obj)
        if key not in cache:
            cache[key] = (obj, orig_getsource(obj))
        return cache[key][1]

    inspect.getsource = getsource  # type: ignore[assignment]


def main() -> None:
    mode, version, entrypoint = sys.argv[1:4]
    _memoize_source_parsing()
    vllm_stub.set_vllm_version(version)
    vllm_stub.install()
    warnings.simplefilter("ignore")
    logging.disable(logging.CRITICAL)
    os.environ.setdefault("VLLM_CONFIGURE_LOGGING", "0")
    os.environ.setdefault("VLLM_TARGET_DEVICE", "cuda")
    _patch_argparse()
    vllm_stub.force_cuda()
    real_stdout = sys.stdout
    if mode == "dump":
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            if entrypoint == "serve":
                parser = _serve_parser()
            else:
                try:
                    _api_server_parse(["--help-not-a-flag-xyz"])
                except SystemExit:
                    pass
                parser = _PARSERS[-1]
        json.dump({"version": version, "entrypoint": entrypoint, "prog": parser.prog, "registry": registry(parser),
                   "actions": dump(parser), "post_choices": post_choices()}, real_stdout)
        return
    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        _PARSERS.clear()
        res = run_case(entrypoint, case["argv"])
        if "platform plugin" in res.get("error", ""):
            # the stubs let a second platform activate: the run says nothing about argv, stop
            sys.exit(f"stub failure, not a verdict: {res['error']}")
        res["id"] = case["id"]
        real_stdout.write(json.dumps(res, sort_keys=True) + "\n")
        real_stdout.flush()


if __name__ == "__main__":
    main()
