"""Import a vLLM wheel's Python sources without torch, CUDA or any heavy dependency.

Used by tools/extract_flags.py and tools/differential.py, inside a throwaway venv that has only
pydantic, pyyaml, typing_extensions and packaging installed, with PYTHONPATH pointing at the .py files
unzipped from a vLLM wheel (never vLLM code in this repository).

Every module that is listed in FORCE_STUB, or that cannot be found, is replaced by a stub module
whose attributes are stub *classes*: they can be called, subclassed, indexed, compared, used as
decorators and in type annotations, which is all that vLLM's import-time code does with torch &
co. argparse definitions do not depend on any of it.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.metadata
import sys
import types
import typing

FORCE_STUB = {
    "torch", "torchvision", "torchaudio", "triton", "xformers", "flashinfer", "vllm_flash_attn",
    "transformers", "tokenizers", "sentencepiece", "tiktoken", "ray", "numba", "cupy", "pynvml",
    "numpy", "fastapi", "starlette", "uvicorn", "uvloop", "aiohttp", "prometheus_client",
    "prometheus_fastapi_instrumentator", "openai", "PIL", "cv2", "outlines", "lm_format_enforcer",
    "xgrammar", "gguf", "mistral_common", "compressed_tensors", "huggingface_hub", "safetensors",
    "msgspec", "zmq", "psutil", "requests", "cloudpickle", "blake3", "cbor2", "llguidance",
    "depyf", "einops", "scipy", "pybase64", "partial_json_parser", "watchfiles", "setproctitle",
    "opentelemetry", "nvtx", "py_cpuinfo", "cpuinfo", "diskcache", "lark", "interegular", "tqdm",
    "filelock", "jinja2", "protobuf", "google", "grpc", "anthropic", "sse_starlette",
    "pyzmq", "soundfile", "librosa", "av", "decord", "timm", "peft", "accelerate", "bitsandbytes",
    "deep_gemm", "deep_ep", "pplx_kernels", "nixl", "lmcache", "aiter", "quack", "cuda", "nvidia",
    "flash_attn", "tilelang", "humming", "helion", "apache_tvm_ffi", "tvm_ffi", "model_hosting_container_standards",
    "ijson", "setuptools_scm", "importlib_metadata", "pydantic_settings", "typer", "rich", "click",
    "httpx", "mcp", "openai_harmony", "kaldi_native_fbank", "python_multipart", "multipart",
    "pillow", "smg", "fastsafetensors", "runai_model_streamer", "tensorizer", "boto3", "modelscope",
}


# vLLM's own modules that run torch code at import time (custom-op registration); nothing in them
# defines command-line options.
FORCE_STUB_VLLM = ("vllm.ir.op", "vllm.ir.ops", "vllm.third_party.pynvml")

# Modules vLLM only probes for (platform detection: TPU, ROCm, XPU, Neuron, HPU...): they must stay
# missing, or several platforms would activate at once. CUDA is selected explicitly by force_cuda().
PROBE_MISSING = {
    "libtpu", "tpu_info", "tpu_commons", "tpu_inference", "torch_xla", "jax", "amdsmi",
    "intel_extension_for_pytorch", "oneccl_bindings_for_pytorch", "transformers_neuronx", "neuronxcc",
    "libneuronxla", "neuronx_distributed", "neuronx_distributed_inference", "habana_frameworks", "vllm_hpu_extension", "torch_npu", "zentorch", "vllm_omni",
    "optimum", "vllm_tpu", "vllm_ascend", "vllm_gaudi", "vllm_spyre",
}


def _any_schema(cls, source, handler):
    from pydantic_core import core_schema

    return core_schema.any_schema()


# Stub classes get mixed with ABCs and Protocols (class Attention(nn.Module, AttentionLayerBase)), so
# their metaclass derives from typing's protocol metaclass (itself an ABCMeta).
_BaseMeta = getattr(typing, "_ProtocolMeta", type)


class _StubMeta(_BaseMeta):
    def __new__(mcs, name, bases, ns, **kwargs):
        ns.setdefault("__init_subclass__", classmethod(lambda cls, **kw: None))
        ns.setdefault("__init__", lambda self, *a, **k: None)
        ns.setdefault("__get_pydantic_core_schema__", classmethod(_any_schema))
        return super().__new__(mcs, name, bases, ns)

    def __init__(cls, name, bases, ns, **kwargs):
        super().__init__(name, bases, ns)

    def register(cls, *args, **kwargs):  # AutoConfig.register(name, cls) -- not ABCMeta.register
        return args[-1] if args else None

    def __setitem__(cls, key, value):
        pass

    def __delitem__(cls, key):
        pass

    def __getattr__(cls, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return stub_class(f"{cls.__name__}.{name}")

    def __call__(cls, *args, **kwargs):
        # used as a decorator (@torch.inference_mode(), @torch.compile): hand the function back
        if len(args) == 1 and not kwargs and callable(args[0]) and not isinstance(args[0], _StubMeta):
            return _as_custom_op(args[0])
        return stub_class(f"{cls.__name__}()")

    def __getitem__(cls, item):
        return cls

    def __or__(cls, other):
        return typing.Union[cls, other]

    def __ror__(cls, other):
        return typing.Union[other, cls]

    def __iter__(cls):
        return iter(())

    def __len__(cls):
        return 0

    def __bool__(cls):
        return True

    def __int__(cls):
        return 0

    def __float__(cls):
        return 0.0

    def __index__(cls):
        return 0

    def __gt__(cls, other):
        return True

    def __ge__(cls, other):
        return True

    def __lt__(cls, other):
        return False

    def __le__(cls, other):
        return False

    def __add__(cls, other):
        return cls

    __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __floordiv__ = __mod__ = __pow__ = __add__
    __and__ = __rand__ = __lshift__ = __rshift__ = __add__

    def __neg__(cls):
        return cls

    def __contains__(cls, item):
        return False

    def __enter__(cls):
        return cls

    def __exit__(cls, *exc):
        return False

    def __instancecheck__(cls, obj):
        return False

    def __subclasscheck__(cls, sub):
        return sub is cls

    def __hash__(cls):
        return id(cls)

    def __eq__(cls, other):
        return isinstance(other, _StubMeta)

    def __ne__(cls, other):
        return not isinstance(other, _StubMeta)

    def __repr__(cls):
        return f"<stub {cls.__name__}>"

    def __str__(cls):
        return cls.__name__


def _decorator_or_identity(*args, **kwargs):
    if len(args) == 1 and not kwargs and callable(args[0]):
        return args[0]
    return lambda fn: fn


def _as_custom_op(fn):
    """A function decorated by a stub (``@torch.library.custom_op(...)``) keeps the registration
    hooks vLLM 0.6.2-0.6.3 calls on it at import time (``@op.register_fake``)."""
    for hook in ("register_fake", "register_kernel", "register_autograd", "register_torch_dispatch"):
        if not hasattr(fn, hook):
            try:
                setattr(fn, hook, _decorator_or_identity)
            except (AttributeError, TypeError):
                break
    return fn


def stub_class(name: str) -> type:
    return _StubMeta(name.rsplit(".", 1)[-1] or "Stub", (), {"__module__": "stub", "__qualname__": name})


class StubModule(types.ModuleType):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__path__ = []  # a package, so submodules import through the finder
        self.__version__ = "2.9.0"
        self.__file__ = f"<stub {name}>"
        self.__all__ = []

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        value = stub_class(f"{self.__name__}.{name}")
        setattr(self, name, value)
        return value


def _iinfo(dtype=None):
    return types.SimpleNamespace(min=-(2**63), max=2**63 - 1, bits=64)


def _finfo(dtype=None):
    return types.SimpleNamespace(min=-3.4e38, max=3.4e38, bits=32, eps=1.2e-7, tiny=1.2e-38)


class _Loader(importlib.abc.Loader):
    def create_module(self, spec):
        mod = StubModule(spec.name)
        if spec.name == "torch":
            mod.iinfo, mod.finfo = _iinfo, _finfo
            # other accelerators must look absent, whether reached as torch.xpu or imported
            for dev in ("xpu", "npu", "mps", "hpu"):
                setattr(mod, dev, types.SimpleNamespace(is_available=lambda *a, **k: False, device_count=lambda *a, **k: 0))
            dist = StubModule("torch.distributed")
            dist.is_xccl_available = lambda *a, **k: False
            sys.modules["torch.distributed"] = dist
            mod.distributed = dist
        if spec.name == "torch.cuda":  # one Hopper GPU, so CUDA code paths take their usual branch
            mod.get_device_capability = lambda *a, **k: (9, 0)
            mod.device_count = lambda *a, **k: 1
            mod.is_available = lambda *a, **k: True
            mod.get_device_name = lambda *a, **k: "NVIDIA H100 80GB HBM3"
        if spec.name in ("torch.xpu", "torch.npu", "torch.mps", "torch.backends.mps"):
            mod.is_available = lambda *a, **k: False  # only CUDA may look present
        if spec.name == "torch.distributed":
            mod.is_xccl_available = lambda *a, **k: False
        if spec.name in ("pynvml", "vllm.third_party.pynvml"):
            mod.nvmlDeviceGetCudaComputeCapability = lambda *a, **k: (9, 0)
            mod.nvmlDeviceGetCount = lambda *a, **k: 1
            mod.nvmlDeviceGetName = lambda *a, **k: "NVIDIA H100 80GB HBM3"
        return mod

    def exec_module(self, module):
        pass


class _ForceFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname.split(".", 1)[0] in FORCE_STUB or any(
            fullname == m or fullname.startswith(m + ".") for m in FORCE_STUB_VLLM
        ):
            return importlib.machinery.ModuleSpec(fullname, _Loader(), is_package=True)
        return None


class _FallbackFinder(importlib.abc.MetaPathFinder):
    """Last resort: anything not found (compiled vllm._C, optional deps) becomes a stub."""

    def find_spec(self, fullname, path, target=None):
        top = fullname.split(".", 1)[0]
        if top in PROBE_MISSING or top in sys.stdlib_module_names or top.startswith("_"):
            return None
        if top == "vllm":
            # only vLLM's compiled extensions are missing on purpose; a missing pure-Python module
            # means this release does not have it, and callers probe for that.
            parts = fullname.split(".")[1:]
            if not any(p.startswith("_") or p in ("cumem_allocator", "vllm_flash_attn") for p in parts):
                return None
        return importlib.machinery.ModuleSpec(fullname, _Loader(), is_package=True)


def install() -> None:
    import re

    # vLLM does `import regex as re` and relies on it for argv preprocessing: the stdlib module
    # behaves the same for every pattern vLLM's parser uses.
    sys.modules.setdefault("regex", re)
    sys.meta_path.insert(0, _ForceFinder())
    sys.meta_path.append(_FallbackFinder())
    real_version = importlib.metadata.version

    def version(name: str) -> str:
        try:
            return real_version(name)
        except importlib.metadata.PackageNotFoundError:
            return "99.0.0" if name != "vllm" else _VLLM_VERSION[0]

    importlib.metadata.version = version  # type: ignore[assignment]


def force_cuda() -> None:
    """Make vLLM's platform detection pick CUDA (0.6.4+ resolve it lazily through plugins)."""
    try:
        import vllm.platforms as platforms
    except Exception:  # noqa: BLE001
        return
    plugins = getattr(platforms, "builtin_platform_plugins", None)
    if isinstance(plugins, dict):
        for name in list(plugins):
            plugins[name] = (lambda: "vllm.platforms.cuda.CudaPlatform") if name == "cuda" else (lambda: None)


_VLLM_VERSION = ["0.0.0"]


def set_vllm_version(v: str) -> None:
    _VLLM_VERSION[0] = v
