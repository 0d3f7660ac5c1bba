"""Binary size units: vLLM, PyTorch and nvidia-smi report memory in MiB and GiB (2**20, 2**30 bytes)."""

from __future__ import annotations

MIB = 2**20
GIB = 2**30
