"""Paths -> files with a kind (compose, shell, dockerfile, env, kubernetes, helm-values, ...).

Folders are walked without following directory symlinks (no loops), skipping VCS folders,
virtualenvs (``.venv``, ``venv``, any folder holding ``pyvenv.cfg``), ``node_modules`` and
``__pycache__``, and whatever ``.gitignore`` files exclude (git semantics via ``pathspec``:
nested ``.gitignore`` files apply to their folder, deeper files win, ``!`` re-includes). The
``.gitignore`` files between the git root and a walked folder apply too.

Classification looks at the file name first and reads at most ``HEAD_BYTES`` for content
sniffing. A file named explicitly on the command line is classified by content when its name
says nothing; files that are plainly not configs (``README.md``, ``*.py``) are skipped silently.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

if TYPE_CHECKING:
    import pathspec

HEAD_BYTES = 64 * 1024

SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".nox",
                       ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis", ".idea", ".vscode",
                       ".terraform", ".eggs"})
# never configs, even when named explicitly
_NEVER = frozenset({".rst", ".pyc", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".pdf",
                    ".zip", ".gz", ".tgz", ".tar", ".whl", ".so", ".o", ".a", ".lock", ".go", ".rs", ".js", ".ts",
                    ".html", ".css", ".csv", ".parquet", ".safetensors", ".bin", ".pt", ".gguf", ".onnx"})
_YAML_EXT = (".yaml", ".yml")
_SHELL_SHEBANG = re.compile(r"^#!\s*(?:/usr)?(?:/local)?/bin/(?:env\s+(?:-\S+\s+)*)?(?:ba|da|z|k|a)?sh\b")
_TOP_KEY = re.compile(r"^([A-Za-z_][\w.\-]*)\s*:(?:\s|$)", re.M)
_COMPOSE_NAME = re.compile(r"^(?:docker-)?compose(?:[.\-_][\w.\-]*)?\.ya?ml$", re.I)
# A vLLM command line written in some text: ``vllm serve``, the api_server modules, a vLLM image,
# or ``"vllm", "serve"`` as list items (JSON/TOML arrays, YAML flow and block lists).
VLLM_COMMAND = re.compile(
    r"""\bvllm\s+serve\b|\bvllm\.entrypoints\.|vllm-openai|\brocm/vllm\b|/vllm[:@]"""
    r"""|\bvllm["']?\s*,\s*["']?serve\b|-[ \t]+["']?vllm["']?[ \t]*\r?\n[ \t]*-[ \t]+["']?serve\b""")
_MAKEFILE_NAMES = frozenset({"makefile", "gnumakefile"})
# files whose text is the launch itself, in a syntax each source module reads
_BY_SUFFIX = {".service": "systemd", ".container": "systemd", ".mk": "makefile", ".make": "makefile",
              ".ps1": "powershell", ".psm1": "powershell", ".bat": "batch", ".cmd": "batch",
              ".ipynb": "notebook", ".nomad": "nomad"}
# shell scripts a template engine renders (Ansible's template module, a deployer's Jinja)
_SHELL_TEMPLATES = tuple(f".{ext}.{t}" for ext in ("sh", "bash") for t in ("j2", "jinja", "jinja2", "tpl", "tmpl"))
# a systemd unit shipped as an example or a template to install (vllm.service.example, .service.in)
_UNIT_TEMPLATE_SUFFIXES = frozenset({".example", ".sample", ".in", ".j2", ".jinja", ".jinja2", ".tpl", ".tmpl",
                                     ".template", ".dist"})
# formats read from a folder walk only when their text names a vLLM command (most are not deployments)
_SNIFFED = frozenset({"notebook", "python", "embedded", "markdown"})
# CI and automation files: linted from a folder only when they mention vLLM at all
_LOOSE_SNIFF = frozenset({"github-actions", "gitlab-ci", "ansible", "argo"})
_ARGO = re.compile(r"^apiVersion:\s*['\"]?argoproj\.io/", re.M)
_ARGO_KIND = re.compile(r"^kind:\s*['\"]?(?:Workflow|WorkflowTemplate|ClusterWorkflowTemplate|CronWorkflow)\b", re.M)
_ANSIBLE = re.compile(r"^-[ \t]+(?:hosts|import_playbook|import_tasks|include_tasks|ansible\.builtin\.\w+):"
                      r"|^[ \t]+(?:ansible\.builtin\.|community\.docker\.|containers\.podman\.)\w+:", re.M)


def _spec(lines: list[str]) -> pathspec.PathSpec:
    """A git-style pattern set (the ``gitignore`` factory in pathspec >= 0.12, else gitwildmatch).

    pathspec is imported here, when a folder is walked or ``exclude`` patterns are given: the
    pre-commit hook, which names files, needs none."""
    import pathspec

    try:
        return pathspec.PathSpec.from_lines("gitignore", lines)
    except (KeyError, LookupError):
        return pathspec.PathSpec.from_lines("gitwildmatch", lines)


def discover(
    paths: list[Path],
    *,
    exclude: Iterable[str] = (),
    force_exclude: bool = False,
    respect_gitignore: bool = True,
    max_bytes: int | None = None,
    include_docs: bool = False,
    values_chains: Callable[[Path], tuple[tuple[Path, ...], ...]] | None = None,
) -> list[tuple[Path, str]]:
    """Every lintable file under ``paths`` with its kind, in a stable order, without duplicates.

    ``exclude`` holds gitignore-style patterns matched against paths relative to each given
    folder (and the current folder); they apply to explicitly named files only with
    ``force_exclude`` (as in ruff). A file named explicitly is never dropped: when no format
    claims it, its kind is ``"unknown"`` (the pipeline says why it holds no launch). A file
    found in a folder that is larger than ``max_bytes`` is kept only when it mentions vLLM (a
    generated CRD bundle must not fail a run with VL002). Markdown is read from folders only
    with ``include_docs``. A named file that others read also brings them (pre-commit passes only
    the changed file): the compose files that read a ``.env``, the Helm values merges that read a
    values file (``values_readers``; ``values_chains`` gives the merges stated for a path).
    """
    exclude_spec = _spec(list(exclude)) if exclude else None
    seen: set[str] = set()
    out: list[tuple[Path, str]] = []

    def add(p: Path, kind: str | None) -> None:
        key = os.path.normcase(os.path.abspath(str(p)))
        if kind and key not in seen:
            seen.add(key)
            out.append((p, kind))

    for root in paths:
        root = Path(root)
        if root.is_dir():
            ignores = _GitIgnores(root) if respect_gitignore else None
            for f in _walk(root, ignores, exclude_spec):
                kind = classify_file(f, include_docs=include_docs)
                if kind is None and values_chains is not None and f.suffix.lower() in (".yaml", ".yml") \
                        and _stated_values(f, values_chains(f)):
                    kind = "helm-values"  # an overlay the configuration merges, whatever it holds
                if kind and max_bytes is not None and not _small_or_vllm(f, max_bytes):
                    continue
                add(f, kind)
        elif root.exists() or root.is_symlink():
            if force_exclude and exclude_spec is not None and _excluded(exclude_spec, root, Path.cwd()):
                continue
            if os.path.islink(root) and not (_link_inside(str(root), os.getcwd())
                                             or _link_inside(str(root), os.path.dirname(os.path.abspath(root)))):
                continue  # a committed link to a host file (~/.aws/credentials) must not be printed
            kind = classify_file(root, explicit=True, include_docs=include_docs) or "unknown"
            add(root, kind)
            readers: list[tuple[Path, str]] = []
            if kind == "env":
                readers = [(r, "compose") for r in _env_readers(root)]  # pre-commit passes the changed .env alone
            elif kind in _VALUES_KINDS:
                chains = values_chains(root) if values_chains is not None else ()
                readers = [(r, "helm-values") for r in values_readers(root, kind, chains)]
            for reader, reader_kind in readers:
                if not (force_exclude and exclude_spec is not None and _excluded(exclude_spec, reader, Path.cwd())):
                    add(reader, reader_kind)
        else:
            # a missing file is still reported by the reader (VL002), with the kind its name gives
            add(root, classify(root, "", explicit=True) or "unknown")
    return out


def _excluded(spec: pathspec.PathSpec, path: Path, base: Path) -> bool:
    try:
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(base))
    except ValueError:
        rel = str(path)
    rel = rel.replace(os.sep, "/")
    return spec.match_file(rel) or spec.match_file(path.name)


def _env_readers(env_file: Path) -> list[Path]:
    """Compose files beside an env file that read it: every compose file reads ``.env`` for
    interpolation; another name counts when a compose file names it (``env_file: vllm.env``)."""
    out: list[Path] = []
    try:
        names = sorted(os.listdir(env_file.parent or "."))
    except OSError:
        return out
    for name in names:
        if not _COMPOSE_NAME.match(name):
            continue
        path = env_file.parent / name
        if env_file.name != ".env":
            head = _read_head(path)
            if env_file.name not in head:
                continue
        out.append(path)
    return out


# kinds a values file of a stated merge may be classified as on its own (an overlay without a
# chart schema reads as plain YAML)
_VALUES_KINDS = frozenset({"helm-values", "kubernetes", "embedded", "unknown"})


def _stated_values(path: Path, chains: tuple[tuple[Path, ...], ...]) -> bool:
    here = os.path.abspath(path)
    return any(os.path.abspath(p) == here for c in chains for p in c)


def values_readers(path: Path, kind: str, chains: tuple[tuple[Path, ...], ...]) -> list[Path]:
    """The values files whose merge reads ``path``: the last file of each stated merge that has
    ``path`` before its end (``[tool.vllm-lint] values``, ``--values``); with none stated, for a
    chart's ``values.yaml``, the overlays beside it (each is merged over it)."""
    here = os.path.abspath(path)
    mine = [c for c in chains if any(os.path.abspath(p) == here for p in c)]
    if mine:
        return [c[-1] for c in mine if os.path.abspath(c[-1]) != here]
    if kind != "helm-values" or path.name != "values.yaml" or not (path.parent / "Chart.yaml").is_file():
        return []
    out = []
    try:
        names = sorted(os.listdir(path.parent))
    except OSError:
        return []
    for name in names:
        sib = path.parent / name
        if name != "values.yaml" and name.lower().endswith((".yaml", ".yml")) and sib.is_file() \
                and classify_file(sib) == "helm-values":
            out.append(sib)
    return out


def _small_or_vllm(path: Path, max_bytes: int) -> bool:
    """True when ``path`` is within ``max_bytes`` or its text mentions vLLM anywhere."""
    try:
        if os.stat(path).st_size <= max_bytes:
            return True
        with open(path, "rb") as fh:
            tail = b""
            while True:
                chunk = fh.read(1 << 20)
                if not chunk:
                    return False
                if b"vllm" in (tail + chunk).lower():
                    return True
                tail = chunk[-3:]
    except OSError:
        return True  # the reader reports it


def _is_venv(d: str) -> bool:
    return os.path.isfile(os.path.join(d, "pyvenv.cfg"))


def _link_inside(link: str, folder: str) -> bool:
    """True when the symlink ``link`` resolves to a file inside ``folder`` (both resolved).

    A pull request can commit ``values.yaml -> /home/runner/.aws/credentials``; linting the
    target would print the runner's file in code frames, so links leaving the tree are skipped."""
    try:
        target = os.path.realpath(link)
        base = os.path.realpath(folder)
    except (OSError, ValueError):
        return False
    return target == base or target.startswith(base.rstrip(os.sep) + os.sep)


def _walk(root: Path, ignores: "_GitIgnores | None", exclude: pathspec.PathSpec | None) -> list[Path]:
    files: list[Path] = []
    visited: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=lambda e: None):
        try:
            st = os.stat(dirpath)
            ident = (st.st_dev, st.st_ino)
        except OSError:
            dirnames[:] = []
            continue
        if ident in visited:
            dirnames[:] = []
            continue
        visited.add(ident)
        if ignores is not None:
            ignores.load(dirpath)
        keep = []
        for d in sorted(dirnames):
            full = os.path.join(dirpath, d)
            if d in SKIP_DIRS or _is_venv(full) or os.path.islink(full):
                continue
            if exclude is not None and _excluded(exclude, Path(full), root):
                continue
            if ignores is not None and ignores.ignored(full, is_dir=True):
                continue
            keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            if exclude is not None and _excluded(exclude, Path(full), root):
                continue
            if ignores is not None and ignores.ignored(full, is_dir=False):
                continue
            if not os.path.isfile(full):
                continue  # dangling link, FIFO, socket or device: not a config file
            if os.path.islink(full) and not _link_inside(full, str(root)):
                continue  # a link out of the tree (to a host file): never read or printed
            files.append(Path(full))
    return files


class _GitIgnores:
    """The .gitignore files that apply under a walk root (git's precedence: deeper wins)."""

    def __init__(self, root: Path) -> None:
        self.specs: dict[str, pathspec.PathSpec] = {}
        top = _git_root(root)
        if top is not None:
            cur = os.path.abspath(root)
            chain = []
            while True:
                chain.append(cur)
                if os.path.abspath(cur) == os.path.abspath(top):
                    break
                parent = os.path.dirname(cur)
                if parent == cur:
                    break
                cur = parent
            for d in reversed(chain[1:]):
                self.load(d)

    def load(self, d: str) -> None:
        d = os.path.abspath(d)
        if d in self.specs:
            return
        gi = os.path.join(d, ".gitignore")
        try:
            with open(gi, encoding="utf-8", errors="replace") as fh:
                lines = fh.read().splitlines()
        except OSError:
            return
        try:
            self.specs[d] = _spec(lines)
        except Exception:  # a malformed pattern: ignore that file rather than crash
            return

    def ignored(self, full: str, is_dir: bool) -> bool:
        full = os.path.abspath(full)
        verdict: bool | None = None
        for base in sorted(self.specs, key=len):
            if not (full == base or full.startswith(base.rstrip(os.sep) + os.sep)):
                continue
            rel = os.path.relpath(full, base).replace(os.sep, "/")
            if is_dir:
                rel += "/"
            res = self.specs[base].check_file(rel)
            if res.include is not None:
                verdict = res.include
        return bool(verdict)


def _git_root(p: Path) -> Path | None:
    cur = p.resolve()
    for d in (cur, *cur.parents):
        if (d / ".git").exists():
            return d
    return None


# ----------------------------------------------------------------------------- classification


def _read_head(path: Path) -> str:
    try:
        # Non-blocking open + regular-file check: a FIFO or device named like a config must not
        # hang classification (the reader then reports it as VL002).
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return ""
            data = fh.read(HEAD_BYTES)
    except OSError:
        return ""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16", errors="replace").lstrip("\ufeff")
        except Exception:
            return ""
    return data.decode("utf-8", errors="replace")


def classify_file(path: Path, explicit: bool = False, include_docs: bool = False) -> str | None:
    """Kind of a file on disk (reads the head only when the name does not decide)."""
    kind = _by_name(path)
    if kind in _SNIFFED:
        return classify(path, _read_head(path), explicit=explicit, include_docs=include_docs)
    if kind is not None and kind != "yaml":
        return kind
    if kind is None and is_manifest_template_name(path):
        head = _read_head(path)
        found = classify_manifest_template(path, head)
        if found is None and VLLM_COMMAND.search(head) and _template_format(path) is not None:
            return "embedded"  # a Truss/Cerebrium-style template whose strings hold the command
        if found is not None or not explicit:
            return found  # named explicitly and not a manifest: the content sniffing below decides
    if kind is None and not explicit and not _maybe_extensionless_script(path):
        return None
    if path.suffix.lower() in _NEVER:
        return None
    return classify(path, _read_head(path), explicit=explicit)


_TEMPLATE_SUFFIXES = (".tpl", ".tftpl", ".yaml.tmpl", ".yml.tmpl", ".yaml.j2", ".yml.j2", ".yaml.jinja",
                      ".yaml.jinja2")
_KUBE_KINDS = frozenset({"kubernetes", "kubeai", "kserve", "rayservice", "helm-values"})
# whole-line template directives: Terraform %{ for .. }, Go/Helm {{ if .. }}, Jinja {% .. %}
_DIRECTIVE_LINE = re.compile(r"^[ \t]*(?:%\{[^}\n]*\}|\{\{-?[^}\n]*-?\}\}|\{%-?[^\n]*?-?%\})[ \t]*\r?$", re.M)


def is_manifest_template_name(path: Path) -> bool:
    """``*.tpl``/``*.tftpl``/``*.yaml.tmpl``/``*.yaml.j2``: files a template engine (Terraform
    ``templatefile``, Go, Jinja) turns into YAML. Helpers such as ``_helpers.tpl`` are not."""
    low = path.name.lower()
    return low.endswith(_TEMPLATE_SUFFIXES) and not low.startswith("_")


def classify_manifest_template(path: Path, head: str) -> str | None:
    """A manifest template is linted when, with its whole-line directives blanked, its text
    looks like Kubernetes YAML or Helm values of a chart vllm-lint models (production-stack
    ``servingEngineSpec``). A Go template inside a chart's ``templates/`` folder is only a
    manifest once rendered (the chart's values file is linted instead)."""
    if "templates" in path.parts and "{{" in head:
        return None
    blanked = _DIRECTIVE_LINE.sub("", head)
    kind = _classify_kubernetes(blanked, path.with_name(path.name.split(".", 1)[0] + ".yaml"))
    return kind if kind in _KUBE_KINDS else None


_PY_VLLM = re.compile(r"\b(?:from\s+vllm(?:\.[\w.]+)?\s+import|import\s+vllm)\b")


def _sniffed(kind: str, head: str, explicit: bool, include_docs: bool) -> str | None:
    """Python, notebooks, JSON/TOML and Markdown are linted from a folder only when their text
    starts vLLM (a command line, or Python that imports vllm); Markdown only with --include-docs."""
    if kind == "markdown" and not (include_docs or explicit):
        return None
    if explicit or VLLM_COMMAND.search(head) or (kind in ("python", "notebook") and _PY_VLLM.search(head)):
        return kind
    return None


def _template_format(path: Path) -> str | None:
    """The format a manifest template renders to, from its inner suffix (``x.yaml.tpl``)."""
    inner = Path(path.name.rsplit(".", 1)[0]).suffix.lower()
    return {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}.get(inner)


def _maybe_extensionless_script(path: Path) -> bool:
    name = path.name
    return "." not in name.lstrip(".") or name.lower().startswith("entrypoint")


def _by_name(path: Path) -> str | None:
    name = path.name
    low = name.lower()
    if _COMPOSE_NAME.match(name):
        return "compose"
    if low in ("dockerfile", "containerfile") or low.startswith(("dockerfile.", "dockerfile-", "dockerfile_",
                                                                   "containerfile.")) or low.endswith(".dockerfile"):
        return "dockerfile"
    if low == ".env" or low.endswith(".env") or low.startswith(".env.") or low in ("env.example", "env.sample") \
            or fnmatch.fnmatch(low, "*.env.example") or fnmatch.fnmatch(low, "*.env.sample"):
        return "env"
    if low.endswith((".sh", ".bash")) or low.endswith(_SHELL_TEMPLATES):
        return "shell"
    if low in _MAKEFILE_NAMES or low.startswith("makefile."):
        return "makefile"
    if low == "procfile" or low.startswith("procfile."):
        return "procfile"
    if low.endswith(".nomad.hcl"):
        return "nomad"
    suffix = os.path.splitext(low)[1]
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if suffix in _UNIT_TEMPLATE_SUFFIXES and os.path.splitext(low[: -len(suffix)])[1] in (".service", ".container"):
        return "systemd"  # vllm.service.example, vllm.service.j2: a unit to copy or render
    if suffix == ".py":
        return "python"
    if suffix in (".md", ".markdown"):
        return "markdown"
    if low.endswith(_YAML_EXT):
        if low in (".gitlab-ci.yml", ".gitlab-ci.yaml") or low.endswith((".gitlab-ci.yml", ".gitlab-ci.yaml")):
            return "gitlab-ci"
        if path.parent.name == "workflows" and path.parent.parent.name == ".github" or low in ("action.yml", "action.yaml"):
            return "github-actions"
        return "yaml"
    if suffix in (".json", ".toml"):
        return "embedded"
    return None


def classify(path: Path, head_text: str, explicit: bool = False, include_docs: bool = False) -> str | None:
    """Kind of a file from its name and the first ``HEAD_BYTES`` of its text, or None (skip)."""
    kind = _by_name(path)
    if kind in _SNIFFED:
        return _sniffed(kind, head_text, explicit, include_docs)
    if kind in _LOOSE_SNIFF:
        return kind if explicit or "vllm" in head_text.lower() else None
    if kind is not None and kind != "yaml":
        return kind
    suffix = path.suffix.lower()
    if suffix in _NEVER:
        return None
    first_line = head_text.split("\n", 1)[0]
    if kind is None:
        if _SHELL_SHEBANG.match(first_line) or (path.name.lower().startswith("entrypoint") and first_line.startswith("#!")):
            return "shell"
        if path.name.lower().startswith("entrypoint") and not path.suffix:
            return "shell"
        if not explicit:
            return None
        # named explicitly with an unusual name: let the content decide
        if re.match(r"(?:\s*#[^\n]*\n)*\s*(?:ARG\s+\S+\s*\n\s*)*FROM\s+\S+", head_text, re.I):
            return "dockerfile"
        yaml_kind = _classify_yaml(path, head_text)
        if yaml_kind:
            return yaml_kind
        if len(_TOP_KEY.findall(head_text)) >= 3 and not head_text.startswith("#!"):
            # an unknown YAML (or YAML template): its strings may hold the command
            return "embedded" if VLLM_COMMAND.search(head_text) else None
        if re.search(r"\bvllm\s+serve\b|vllm\.entrypoints\.", head_text) or head_text.startswith("#!"):
            return "shell"
        return None
    found = _classify_yaml(path, head_text)
    if found is None and (VLLM_COMMAND.search(head_text) or (explicit and "vllm" in head_text.lower())):
        return "embedded"  # a YAML schema vllm-lint does not know, whose strings may hold the command
    if found in _LOOSE_SNIFF and not explicit and "vllm" not in head_text.lower():
        return None
    return found


def _classify_yaml(path: Path, head: str) -> str | None:
    name = path.name.lower()
    top = _TOP_KEY.findall(head)
    topset = set(top)
    if name.endswith((".sky.yaml", ".sky.yml")):
        return "skypilot"
    if "services" in topset and "apiVersion" not in topset and "kind" not in topset:
        return "compose"
    if _ARGO.search(head) and _ARGO_KIND.search(head):
        return "argo"
    if not top and _ANSIBLE.search(head):
        return "ansible"
    other = _classify_kubernetes(head, path)
    if other:
        return other
    if "resources" in topset and ("run" in topset or "setup" in topset):
        return "skypilot"
    if _mostly_vllm_flags(top):
        return "vllm-config"
    if (path.parent / "Chart.yaml").exists() and path.name not in ("Chart.yaml", "Chart.lock"):
        return "helm-values"
    return None


def _classify_kubernetes(head: str, path: Path) -> str | None:
    """Kubernetes manifests and CRDs (KubeAI, KServe, RayService), Helm values and templates,
    kustomizations: sources.k8s.manifests decides, imported on first use like the other sources."""
    from vllm_lint.sources.k8s.manifests import classify_yaml

    return classify_yaml(head, path)


@lru_cache(maxsize=1)
def _flag_names() -> frozenset[str]:
    names: set[str] = {"model", "served-model-name", "max-model-len", "tensor-parallel-size", "pipeline-parallel-size",
                       "gpu-memory-utilization", "dtype", "quantization", "port", "host", "max-num-seqs",
                       "enable-prefix-caching", "trust-remote-code", "kv-cache-dtype", "max-num-batched-tokens"}
    try:
        from vllm_lint.vllm.flags import all_known_options

        names.update(o.lstrip("-") for o in all_known_options() if o.startswith("--"))
    except Exception:  # flag tables unavailable: the built-in core list still classifies
        pass
    return frozenset(names)


def _mostly_vllm_flags(top: list[str]) -> bool:
    if len(top) < 2:
        return False
    flags = _flag_names()
    hits = sum(1 for k in top if k.replace("_", "-") in flags)
    return hits >= 2 and hits * 10 >= len(top) * 6
