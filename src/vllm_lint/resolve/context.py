"""Everything the rules may ask about one launch, resolved lazily so cheap rules stay cheap.

Resolution order (first that says wins):
  vLLM version: image tag of a vLLM release > ``# vllm-lint: vllm-version=`` in the file >
                --vllm-version > config file > not known (the newest release, *assumed*).
  GPU:          ``# vllm-lint: gpu=`` > a hint in the launch itself (k8s product label, GKE
                accelerator, instance type, SkyPilot accelerators) > --gpu > config file.

Every fact a finding can rest on is also a ``Fact`` with its provenance (``version_fact``,
``entrypoint_fact``, ``gpu_fact``, ``model_fact``, ``condition_facts``); the accessors rules use
(``version``, ``gpu``, ``model``, ``capacity``, ``token``...) record the uncertain facts they hand
out in ``reads`` while a check runs, and ``rules.certainty`` caps what a finding resting on them
may say. ``in_world`` gives the same launch under another plausible reading (another release,
the other image ENTRYPOINT, the other memory variant of a GPU, a guard that fails).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from vllm_lint.launch import Launch, Token
from vllm_lint.paths import display_path
from vllm_lint.resolve.facts import (
    ENTRYPOINT,
    GPU,
    MODEL,
    TOKEN,
    VERSION,
    Certainty,
    Fact,
    Reads,
    World,
)
from vllm_lint.resolve.version import ReleaseReading, read_release, requirement_files, version_fact

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
    world: World = field(default_factory=World)  # a hypothetical reading of uncertain facts
    reads: Reads | None = field(default=None, repr=False, compare=False)  # facts the running check read
    # what every reading of this launch shares (model resolutions by name): filled on first use
    shared: dict = field(default_factory=dict, repr=False, compare=False)
    # fact kind -> plausible values: treat that fact as assumed with these alternatives (what-if)
    doubt: dict = field(default_factory=dict, repr=False, compare=False)

    def _doubted(self, fact: Fact | None) -> Fact | None:
        """``fact`` as an assumption when this reading doubts its kind (``doubt``: what-if analysis
        and the property test: no error may rest on a fact marked uncertain)."""
        if fact is None or fact.kind not in self.doubt or (fact.kind, fact.key) in self.world:
            return fact
        others = tuple(v for v in self.doubt[fact.kind] if v != fact.value)
        return dataclasses.replace(fact, certainty=Certainty.ASSUMED, alternatives=others,
                                   assumption=fact.assumption or f"assuming {fact.source or fact.value}")

    def note(self, *facts: Fact | None) -> None:
        """Record facts a check is reading (no-op outside a check)."""
        if self.reads is not None:
            for f in facts:
                self.reads.add(f)

    @property
    def trial(self) -> bool:
        """A reading under another world (``in_world``), run by ``rules.certainty`` only to see which
        findings appear there and how severe: checks may leave out what only a finding's words need
        (other ways to make it fit)."""
        return bool(self.world.values)

    def in_world(self, world: World) -> "LaunchContext":
        """This launch read under ``world``: tokens behind a guard the world fails are dropped,
        the ENTRYPOINT it names is used; release and GPU are read from it by their facts."""
        cached = self.shared.get(("world", world))
        if cached is not None:
            return cached
        launch = self.launch
        failed = {key for (kind, key), value in world.values if kind == TOKEN and value is False}
        entry = world.get(ENTRYPOINT)
        if failed or entry is not None:
            launch = dataclasses.replace(
                launch,
                args=[t for t in launch.args if t.condition not in failed] if failed else launch.args,
                entrypoint=str(entry) if entry is not None else launch.entrypoint,
            )
        variant = type(self)(launch, self.src, self.config, self.options, self.file_gpu, self.file_version,
                             world=world, shared=self.shared, doubt=self.doubt)
        self.shared[("world", world)] = variant  # every rule group's trials read this reading alike
        return variant

    # -- version ---------------------------------------------------------------------------
    @cached_property
    def release(self) -> ReleaseReading:
        """The releases the launch may run and the one checks read (resolve.version)."""
        key = ("release", self.launch.entrypoint)  # a reading changes only the args and the program
        got = self.shared.get(key)
        if got is None:
            got = self.shared[key] = self._read_release()
        return got

    def _read_release(self) -> ReleaseReading:
        env = {k: v.value for k, v in self.launch.env.items() if not v.symbolic}
        return read_release(
            image=self.launch.image,
            stated=[(self.file_version, "file directive"), (self.options.vllm_version, "--vllm-version"),
                    (self.config.vllm_version, f"config {_shown(self.config.source)}")],
            texts=[(self.src.text, self.src.display), *requirement_files(self.src.path.parent)],
            env=env,
            runs_vllm_serve=self.launch.entrypoint == "serve" and any(
                t.style != "synthetic" and t.text.rsplit("/", 1)[-1] == "vllm" for t in self.launch.program),
        )

    @cached_property  # facts of one reading never change; checks read them often
    def version_fact(self) -> Fact | None:
        return self._doubted(self._version_fact)

    @cached_property
    def _version_fact(self) -> Fact[str]:
        hypothetical = self.world.get(VERSION)
        if hypothetical is not None:
            return Fact(VERSION, str(hypothetical), Certainty.STATED, f"vLLM {hypothetical}")
        return version_fact(self.release)

    @property
    def version(self) -> str:
        fact = self.version_fact
        self.note(fact)
        return str(fact.value)

    @property
    def vllm(self) -> str:
        """The release as a message names it: "vLLM 0.9.2" when known; plain "vLLM" when assumed
        (the settled finding then says which releases it holds for)."""
        fact = self.version_fact
        self.note(fact)
        return f"vLLM {fact.value}" if fact is not None and fact.certain else "vLLM"

    @property
    def version_source(self) -> str:
        fact = self.version_fact
        self.note(fact)
        return fact.source if fact.certain else f"assumed: {fact.source}"

    # -- image ENTRYPOINT ------------------------------------------------------------------
    @cached_property  # facts of one reading never change; checks read them often
    def entrypoint_fact(self) -> Fact | None:
        return self._doubted(self._entrypoint_fact)

    @cached_property
    def _entrypoint_fact(self) -> Fact[str]:
        """What starts vLLM: stated when the file writes the program, trusted for an image whose
        ENTRYPOINT is known, assumed when the image's ENTRYPOINT is a guess (a custom image, a
        release whose image may have either)."""
        launch = self.launch
        ep = launch.entrypoint
        if (ENTRYPOINT, "") in self.world:
            return Fact(ENTRYPOINT, ep, Certainty.STATED, "hypothetical")
        if any(t.style != "synthetic" for t in launch.program) or not launch.program:
            return Fact(ENTRYPOINT, ep, Certainty.STATED, "the file")
        other = {"serve": "api_server", "api_server": "serve"}.get(ep)
        image = launch.image or "the image"
        guessed = launch.facts.image_entrypoint_assumed or launch.program[0].origin == "assumed-image"
        if launch.facts.image_entrypoint_uncertain or guessed:
            why = launch.facts.image_entrypoint_uncertain or "its ENTRYPOINT is not known"
            program = " ".join(t.text for t in launch.program)
            return Fact(ENTRYPOINT, ep, Certainty.ASSUMED, why,
                        assumption=f"if the image runs `{program}`: {why}",
                        alternatives=(other,) if other else ())
        origin = launch.program[0].origin
        return Fact(ENTRYPOINT, ep, Certainty.TRUSTED if origin == "image" else Certainty.DERIVED,
                    f"the ENTRYPOINT of {image}" if origin == "image" else origin)

    @property
    def entrypoint(self) -> str:
        fact = self.entrypoint_fact
        self.note(fact)
        return str(fact.value)

    # -- flags behind guards ---------------------------------------------------------------
    @cached_property
    def condition_facts(self) -> dict[str, Fact[bool]]:
        """One fact per guard that argv words are added under (``[ -n "$X" ] && ARGS+=(...)``
        with X not known): assumed to pass, the alternative is that it fails."""
        out: dict[str, Fact[bool]] = {}
        for t in self.launch.args:
            cond = t.condition
            if cond is None or cond in out:
                continue
            if (TOKEN, cond) in self.world:
                out[cond] = Fact(TOKEN, True, Certainty.STATED, cond, key=cond)
            else:
                out[cond] = Fact(TOKEN, True, Certainty.ASSUMED, cond, t.span, key=cond,
                                 assumption=f"passed only {cond}", alternatives=(False,))
        return out

    def token_facts(self, tok: Token | None) -> list[Fact]:
        """The facts a token's value rests on (its guard, when it has one)."""
        if tok is None or tok.condition is None:
            return []
        fact = self.condition_facts.get(tok.condition)
        return [fact] if fact is not None else []

    def note_dest(self, dest: str) -> None:
        """Record the facts behind the tokens that set option ``dest``."""
        use = self.args.uses.get(dest)
        if use is None or self.reads is None:
            return
        for i in (use.flag_index, use.value_index):
            if i is not None and 0 <= i < len(self.launch.args):
                self.note(*self.token_facts(self.launch.args[i]))

    def note_all_tokens(self) -> None:
        """Record every guard of the launch (for what depends on the whole argv: settings, capacity)."""
        if self.reads is not None:
            self.note(*self.condition_facts.values())

    # -- flags -----------------------------------------------------------------------------
    @property
    def args(self) -> "ParsedArgs":
        """The argv as vLLM's parser reads it: it rests on the release and the program that parses it."""
        reads = self.reads
        if reads is not None:  # the hottest path of the checks: both facts recorded without a call each
            seen = reads.facts
            for ident, fact in self._parse_facts:
                if ident not in seen:
                    seen[ident] = fact
        return self._args

    @cached_property
    def _parse_facts(self) -> tuple[tuple[tuple[str, str], Fact], ...]:
        return tuple((f.ident, f) for f in (self.version_fact, self.entrypoint_fact) if f is not None)

    @cached_property
    def _args(self) -> "ParsedArgs":
        from vllm_lint.vllm.args import parse_args

        from vllm_lint.vllm.args import is_symbolic

        # a token a source marked unknown (a Python expression, a batch %VAR%) whose text does not
        # look like a template is still unknown to the parser
        words = tuple(t.text if not t.symbolic or is_symbolic(t.text) else "${" + t.text + "}" for t in self.launch.args)
        version = str(self.version_fact.value)
        if any(w.startswith("--config") for w in words):  # reads a file beside this launch
            return parse_args(words, version=version, entrypoint=self.launch.entrypoint,
                              config_loader=self._load_config_file)
        return _parse_words(words, version, self.launch.entrypoint)

    def _load_config_file(self, name: str) -> dict | None:
        """Read a ``--config file.yaml`` referenced by the launch, relative to the linted file."""
        from vllm_lint.sources.containers.docker_run import host_path
        from vllm_lint.sources.vllm_config import load_config_mapping

        base = self.src.path.parent
        # A path inside the container (`--config /workspace/config.yaml`) is read from the
        # project file that a bind mount puts there; a relative one from beside the linted file.
        mounted = host_path(self.launch.facts.mounts, base, name) if name.startswith("/") else None
        for candidate in (mounted, base / name):
            if candidate is not None and candidate.is_file():
                return load_config_mapping(candidate)
        return None

    def token(self, index: int | None) -> Token | None:
        """The argv token at ``index`` (as ``ParsedArgs`` counts), None when out of range."""
        if index is None or not (0 <= index < len(self.launch.args)):
            return None
        tok = self.launch.args[index]
        if self.reads is not None and tok.condition is not None:
            self.note(*self.token_facts(tok))
        return tok

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
        from vllm_lint.hardware.gpus import (
            GpuNameError,
            parse_gpu_option,
            parse_gpu_strict,
        )

        hypothetical = self.world.get(GPU)
        count = self.launch.gpu.count
        if hypothetical is not None:
            req = int(count) if count is not None and count >= 1 and float(count).is_integer() else None
            return hypothetical, req, "hypothetical", None  # type: ignore[return-value]
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

    @cached_property  # facts of one reading never change; checks read them often
    def gpu_fact(self) -> Fact | None:
        return self._doubted(self._gpu_fact)

    @cached_property
    def _gpu_fact(self) -> Fact["GpuSpec"] | None:
        """The target GPU: stated when the file, the command line or the configuration names it,
        derived from the launch's own hint (a node label), assumed when that hint names a family
        of cards with different memory (``Tesla-V100``: the other variants are its alternatives)."""
        spec, _, source, text = self._gpu
        if spec is None:
            return None
        if source == "hypothetical":
            return Fact(GPU, spec, Certainty.STATED, spec.key)
        others = self._gpu_variants()
        if others:
            return Fact(GPU, spec, Certainty.ASSUMED, f"{text} ({source})",
                        assumption=f"if the GPU is {spec.key} (`{text}` does not say which variant)",
                        alternatives=tuple(others))
        where = source or "launch"
        return Fact(GPU, spec, Certainty.STATED if where != "launch" else Certainty.DERIVED, f"{text} ({where})")

    def _gpu_variants(self) -> list["GpuSpec"]:
        spec, text = self._gpu[0], self._gpu[3]
        if spec is None or text is None:
            return []
        from vllm_lint.hardware.gpus import memory_variants

        return list(memory_variants(spec, text.split(":")[0]))

    @property
    def gpu(self) -> "GpuSpec | None":
        self.note(self.gpu_fact)
        return self._gpu[0]

    @property
    def gpu_count(self) -> int | None:
        self.note(self.gpu_fact)
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
        others = self._gpu_variants()
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

    @cached_property  # facts of one reading never change; checks read them often
    def model_fact(self) -> Fact | None:
        return self._doubted(self._model_fact)

    @cached_property
    def _model_fact(self) -> Fact[str] | None:
        """The model's identity and geometry: trusted when read from the named checkpoint's own
        config.json (catalog, a local folder, the Hugging Face cache); assumed when resolved from
        what the name likely means (a repack, a flavour, a served name, a size read from the name)."""
        res = self._model_resolution
        facts = res.model_facts if res is not None else None
        if facts is None:
            return None
        if facts.certain:
            return Fact(MODEL, facts.id, Certainty.TRUSTED, res.describe())
        return Fact(MODEL, facts.id, Certainty.ASSUMED, res.describe(), assumption=f"model: {res.describe()}")

    @property
    def model_resolution(self) -> "ModelResolution | None":
        """How the model name resolved (reading it makes a finding rest on the model fact)."""
        self.note(self.model_fact)
        return self._model_resolution

    @cached_property
    def _model_resolution(self) -> "ModelResolution | None":
        name = self.world.get(MODEL) or self.model_name
        named = self.launch.facts.model_id
        if named and (not name or name.rstrip("/") == "/mnt/models"):
            name = named  # KServe mounts the storageUri's model there
        if name and self._is_symbolic(name):
            name = self._literal_tail(name)
        if not name:
            return None
        from vllm_lint.models.hints import download_hints
        from vllm_lint.models.resolve import resolve_model

        served = getattr(self.args, "served_model_name", None)
        served = served if isinstance(served, list) else [served] if isinstance(served, str) else []
        served = [s for s in served if isinstance(s, str) and not self._is_symbolic(s)]
        key = ("model", name, tuple(served))
        if key not in self.shared:  # every reading of the launch that names this model resolves it alike
            self.shared[key] = resolve_model(
                name,
                base_dir=self.src.path.parent,
                aliases=dict(self.config.models) or None,
                online=self.options.online,
                served=served,
                downloads=download_hints(self.src.text),
            )
        return self.shared[key]

    @property
    def model(self) -> "ModelArch | None":
        arch = self._model
        if arch is not None:
            self.note(self.model_fact)
        return arch

    @cached_property
    def _model(self) -> "ModelArch | None":
        """The model's architecture (the resolution also tries --served-model-name: deployments
        often serve under the Hub id)."""
        res = self._model_resolution
        return res.arch if res else None

    @staticmethod
    def _is_symbolic(text: str) -> bool:
        return "$" in text or "{{" in text

    @staticmethod
    def _literal_tail(path: str) -> str | None:
        """The folders after the last unexpanded part of a path (``$(pwd)/models/Qwen3-8B`` ->
        ``/models/Qwen3-8B``): a checkpoint folder named after its model, resolved as a local path."""
        cut = max(path.rfind("$"), path.rfind("{{"), path.rfind("}}"), path.rfind(")"))
        slash = path.find("/", cut)
        tail = path[slash:] if slash != -1 else ""
        return tail if len(tail) > 1 and "$" not in tail and "{" not in tail and "}" not in tail else None

    # -- settings and capacity -------------------------------------------------------------
    @property
    def settings(self) -> "EngineSettings":
        self.note_all_tokens()
        return self._settings

    @cached_property
    def _settings(self) -> "EngineSettings":
        from vllm_lint.memory.settings import settings_from_args

        env = {k: v.value for k, v in self.launch.env.items() if not v.symbolic}
        settings = settings_from_args(self.args.values, env)
        if self.launch.facts.usage_context == "llm":
            settings.usage_context = "llm"  # the offline LLM class (python_launch)
        settings.compile_cache = self.options.compile_cache or self.config.compile_cache or "cold"
        return settings

    @property
    def capacity(self) -> "Capacity | None":
        """The memory estimate; it rests on the release, the GPU, the model and every flag."""
        self.note(self.version_fact, self.gpu_fact, self.model_fact)
        self.note_all_tokens()
        return self._capacity

    @cached_property
    def _capacity(self) -> "Capacity | None":
        if self.model is None or self.gpu is None or self.model.unsupported:
            return None  # unsupported layout: VL106 says capacity was not checked
        from vllm_lint.memory.estimate import estimate

        return estimate(self.model, self.gpu, self.settings, self.version, gpu_count=self.gpu_count)

    @property
    def path(self) -> Path:
        return self.src.path


@lru_cache(maxsize=4096)
def _parse_words(words: tuple[str, ...], version: str, entrypoint: str) -> "ParsedArgs":
    """vLLM's parse of an argv that reads no file: the same for every launch and reading that
    passes these words to this release (readings of one launch, overlays of one chart). The
    result is shared, so nothing may change it after parsing."""
    from vllm_lint.vllm.args import parse_args

    return parse_args(words, version=version, entrypoint=entrypoint)
