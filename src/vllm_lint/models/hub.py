"""``--online``: config.json from the Hugging Face Hub, fetched once into the Hugging Face cache.

Only this module opens a connection, and only when ``--online`` is given. It fails fast: one TCP
connect to the Hub's host with a short timeout before the first fetch of a run; when that fails
(no network, a proxy that drops packets), nothing else is attempted in the run, instead of
huggingface_hub's retries (about 23 s per unknown model). Fetched files land in the Hugging Face
cache (``hf_hub_download``), so later offline runs find them there. Weights are never fetched.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlparse

from vllm_lint.models.arch import ModelArch
from vllm_lint.models.config_file import arch_from_config_file

CONNECT_TIMEOUT = 3.0  # seconds for the one reachability probe and each Hub request of a run

# Why the Hub is unreachable for the rest of this run (None: not tried yet, "": reachable).
_state: dict[str, str | None] = {"offline": None}


def reset() -> None:
    """Forget the reachability verdict (tests; a long-lived process between runs)."""
    _state["offline"] = None


def _endpoint() -> tuple[str, int]:
    url = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    return url.hostname or "huggingface.co", url.port or (80 if url.scheme == "http" else 443)


def reachable() -> str | None:
    """None when the Hub answered a TCP connect this run, else why not (decided once per run)."""
    if _state["offline"] is None:
        if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
            _state["offline"] = "HF_HUB_OFFLINE is set"
        else:
            host, port = _endpoint()
            try:
                socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
                _state["offline"] = ""
            except Exception as exc:  # noqa: BLE001 - any failure to connect means: do not try again
                _state["offline"] = f"could not reach {host}:{port} ({type(exc).__name__}: {exc}); no further attempts this run"
    return _state["offline"] or None


def fetch_arch(repo_id: str) -> tuple[ModelArch | None, str]:
    """(architecture from the Hub's config.json, "") or (None, why not). Never downloads weights."""
    why = reachable()
    if why:
        return None, why
    try:
        from huggingface_hub import hf_hub_download  # lazy: the --online path only
    except ImportError:  # pragma: no cover - a dependency of transformers
        return None, "huggingface_hub is not installed"
    try:
        path = hf_hub_download(repo_id, "config.json", etag_timeout=CONNECT_TIMEOUT)
    except Exception as exc:  # noqa: BLE001 - a missing or gated repo, or the network went away
        if not _answered(exc):
            _state["offline"] = f"the Hub stopped answering ({type(exc).__name__}); no further attempts this run"
        return None, f"no config.json fetched ({type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''})"
    try:
        arch = arch_from_config_file(Path(path), id=repo_id)
    except ValueError as exc:
        return None, str(exc)
    return _with_param_count(arch, repo_id), ""


def _answered(exc: Exception) -> bool:
    """Whether the Hub answered (a missing, gated or private repo) rather than the connection failing."""
    try:
        from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError, LocalEntryNotFoundError
    except ImportError:  # pragma: no cover
        return False
    if isinstance(exc, LocalEntryNotFoundError):
        return False  # raised when the Hub could not be reached and nothing was cached
    if isinstance(exc, ValueError) and not isinstance(exc, OSError):
        return True  # an id the Hub's client refuses before connecting (HFValidationError)
    return isinstance(exc, (HfHubHTTPError, EntryNotFoundError))


def _with_param_count(arch: ModelArch, repo_id: str) -> ModelArch:
    """The parameter count from the safetensors headers (a few KB per shard; never the weights)."""
    try:
        from dataclasses import replace

        from huggingface_hub import get_safetensors_metadata

        total = sum(get_safetensors_metadata(repo_id).parameter_count.values())
        if total:
            return replace(arch, num_params=int(total), num_params_source=f"hub safetensors metadata of {repo_id}")
    except Exception:  # noqa: BLE001 - the count is optional
        pass
    return arch
