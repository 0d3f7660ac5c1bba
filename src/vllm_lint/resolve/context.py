"""Everything the rules may ask about one launch, resolved lazily so cheap rules stay cheap.

Resolution order (first that says wins):
  vLLM version: image tag > ``# vllm-lint: vllm-version=`` in the file > --vllm-version >
                config file > newest known release.
  GPU:          ``# vllm-lint: gpu=`` > a hint in the launch itself (k8s product label, GKE
                accelerator, instance type, SkyPilot accelerators) > --gpu > config file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from vllm_lint.launch import Launch, Token
from vllm_lint.paths import display_path
from vllm_lint.vllm import versions

if TYPE_CHECKING:
    from vllm_lint.config import FileConfig
    from vllm_lint.hardware.gpus import GpuSpec
    from vllm_lint.memory.estimate import Capacity
    from vllm_lint.memory.settings import EngineSettings
    from vllm_lint.models.arch import ModelArch
    from vllm_lint.models.resolve import ModelResolution
    from vllm_lint.sources.base import SourceFile
    from vllm_lint.vllm.parsed import ParsedArgs


def _shown(path: str | None) -> str:
    """A config file's path as users see it (relative to the working directory when below it)."""
    return display_path(Path(path)) if path else "file"


@dataclass(frozen=True)
class RunOptions:
    """Command-line choices that reach the rules."""

    gpu: str | None = None
    vllm_version: str | None = None
    online: bool = False
    compile_cache: str | None = None  # --compile-cache; wins over the configuration's


@dataclass
class LaunchContext:
    """One launch with its file and configuration; version, flags, GPU, model and capacity are
    resolved on first use and cached, so a rule pays only for what it reads."""

    launch: Launch
    src: "SourceFile"
    config: "FileConfig"
    options: RunOptions = field(default_factory=RunOptions)
    file_gpu: str | None = None  # from a `# vllm-lint: gpu=` directive
    file_version: str | None = None

    # -- version ---------------------------------------------------------------------------
    @cached_property
    def _version(self) -> tuple[str, str]:
        for value, source in (
            (self.launch.vllm_version, f"image {self.launch.image}"),
            (self.file_version, "file directive"),
            (self.options.vllm_version, "--vllm-version"),
            (self.config.vllm_version, f"config {_shown(self.config.source)}"),
        ):
            if value and versions.parse_version(value):
                return value, source
        return versions.NEWEST, "newest known release"

    @property
    def version(self) -> str:
        return self._version[0]

    @property
    def version_source(self) -> str:
        return self._version[1]

    # -- flags -----------------------------------------------------------------------------
    @cached_property
    def args(self) -> "ParsedArgs":
        from vllm_lint.vllm.args import parse_args

        from vllm_lint.vllm.args import is_symbolic

        # a token a source marked unknown (a Python expression, a batch %VAR%) whose text does not
        # look like a template is still unknown to the parser
        return parse_args(
            [t.text if not t.symbolic or is_symbolic(t.text) else "${" + t.text + "}" for t in self.launch.args],
            version=self.version,
            entrypoint=self.launch.entrypoint,
            config_loader=self._load_config_file,
        )

    def _load_config_file(self, name: str) -> dict | None:
        """Read a ``--config file.yaml`` referenced by the launch, relative to the linted file."""
        from vllm_lint.sources.containers.docker_run import host_path
        from vllm_lint.sources.vllm_config import load_config_mapping

        base = self.src.path.parent
        # A path inside the container (`--config /workspace/config.yaml`) is read from the
        # project file that a bind mount puts there; a relative one from beside the linted file.
        mounted = host_path(self.launch.facts.get("mounts"), base, name) if name.startswith("/") else None
        for candidate in (mounted, base / name):
            if candidate is not None and candidate.is_file():
                return load_config_mapping(candidate)
        return None

    def token(self, index: int | None) -> Token | None:
        """The argv token at ``index`` (as ``ParsedArgs`` counts), None when out of range."""
        if index is None or not (0 <= index < len(self.launch.args)):
            return None
        return self.launch.args[index]

    def flag_token(self, dest: str) -> Token | None:
        """The token naming the option that sets ``dest``, None when the launch does not set it."""
        use = self.args.uses.get(dest)
        return self.token(use.flag_index) if use else None

    def value_token(self, dest: str) -> Token | None:
        """The token holding ``dest``'s value; the flag token itself for ``--flag=value`` and switches."""
        use = self.args.uses.get(dest)
        if use is None:
            return None
        return self.token(use.value_index if use.value_index is not None else use.flag_index)

    # -- GPU -------------------------------------------------------------------------------
    @cached_property
    def _gpu(self) -> tuple["GpuSpec | None", int | None, str | None, str | None]:
        from vllm_lint.hardware.gpus import GpuNameError, parse_gpu_option, parse_gpu_strict

        count = self.launch.gpu.count
        req_count = int(count) if count is not None and count >= 1 and float(count).is_integer() else None
        for value, source in (
            (self.file_gpu, "file directive"),
            (self._launch_gpu_hint(), "launch"),
            (self.options.gpu, "--gpu"),
            (self.config.gpu, f"config {_shown(self.config.source)}"),
        ):
            if not value:
                continue
            if source == "launch":  # a deployment file's label: tolerant, and assumed when ambiguous
                spec, n = parse_gpu_option(value)
            else:  # typed by the user: exactly one card (VL007 reports a directive that is not)
                try:
                    spec, n = parse_gpu_strict(value)
                except GpuNameError:
                    continue
            if spec is not None:
                return spec, req_count or n, source, value
        return None, req_count, None, None

    def _launch_gpu_hint(self) -> str | None:
        """The launch's own GPU hint; a MIG slice is named with its profile (``A100-80GB:mig-3g.40gb``)
        so that the budget is the slice's memory, not the whole card's."""
        req = self.launch.gpu
        if req.mig_profile:
            return f"{req.product}:{req.mig_profile}" if req.product else req.mig_profile
        return req.product

    @property
    def gpu(self) -> "GpuSpec | None":
        return self._gpu[0]

    @property
    def gpu_count(self) -> int | None:
        return self._gpu[1]

    @property
    def gpu_source(self) -> str | None:
        return self._gpu[2]

    @property
    def gpu_assumption(self) -> str | None:
        """Said when the GPU's name does not fix its memory (``Tesla-V100``: 16 or 32 GB): the
        estimate assumes the smaller card, and the user should know it."""
        spec, text = self._gpu[0], self._gpu[3]
        if spec is None or text is None:
            return None
        from vllm_lint.hardware.gpus import memory_variants

        others = memory_variants(spec, text.split(":")[0])
        if not others:
            return None
        sizes = ", ".join(sorted({f"{g.total_gib:.0f} GiB ({g.key})" for g in others}))
        return (f"`{text}` does not say how much memory the card has: assuming {spec.key} "
                f"({spec.total_gib:.2f} GiB); it could also be {sizes}. Name the exact card with --gpu "
                f"or a `# vllm-lint: gpu=` comment")

    # -- model -----------------------------------------------------------------------------
    @property
    def model_name(self) -> str | None:
        return self.args.model

    @cached_property
    def model_resolution(self) -> "ModelResolution | None":
        name = self.model_name
        if not name or self._is_symbolic(name):
            return None
        from vllm_lint.models.hints import download_hints
        from vllm_lint.models.resolve import resolve_model

        served = getattr(self.args, "served_model_name", None)
        served = served if isinstance(served, list) else [served] if isinstance(served, str) else []
        return resolve_model(
            name,
            base_dir=self.src.path.parent,
            aliases=dict(self.config.models) or None,
            online=self.options.online,
            served=[s for s in served if isinstance(s, str) and not self._is_symbolic(s)],
            downloads=download_hints(self.src.text),
        )

    @cached_property
    def model(self) -> "ModelArch | None":
        """The model's architecture (the resolution also tries --served-model-name: deployments
        often serve under the Hub id)."""
        res = self.model_resolution
        return res.arch if res else None

    @staticmethod
    def _is_symbolic(text: str) -> bool:
        return "$" in text or "{{" in text

    # -- settings and capacity -------------------------------------------------------------
    @cached_property
    def settings(self) -> "EngineSettings":
        from vllm_lint.memory.settings import settings_from_args

        env = {k: v.value for k, v in self.launch.env.items() if not v.symbolic}
        settings = settings_from_args(self.args.values, env)
        if self.launch.facts.get("usage_context") == "llm":
            settings.usage_context = "llm"  # the offline LLM class (python_launch)
        settings.compile_cache = self.options.compile_cache or self.config.compile_cache or "cold"
        return settings

    @cached_property
    def capacity(self) -> "Capacity | None":
        if self.model is None or self.gpu is None or self.model.unsupported:
            return None  # unsupported layout: VL106 says capacity was not checked
        from vllm_lint.memory.estimate import estimate

        return estimate(self.model, self.gpu, self.settings, self.version, gpu_count=self.gpu_count)

    @property
    def path(self) -> Path:
        return self.src.path
