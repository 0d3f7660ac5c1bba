"""Version evidence read from the deployment's own text: requirement pins, pip lines, install paths,
the OpenShift AI annotation, build dates and the environment."""

from __future__ import annotations

from datetime import date

import pytest

from vllm_lint.vllm import evidence, releases
from vllm_lint.vllm.image_evidence import image_evidence


@pytest.mark.parametrize("text,first,last,open_above", [
    ("vllm==0.10.1", "0.10.1", "0.10.1", False),
    ("vllm==0.10.1.1", "0.10.1.1", "0.10.1.1", False),
    ("vllm[audio]==0.11.0", "0.11.0", "0.11.0", False),
    ("vllm>=0.8,<0.9", "0.8.0", "0.8.5.post1", False),
    ("vllm ~= 0.9.2", "0.9.2", "0.9.2", False),
    ("vllm~=0.9.0", "0.9.0", "0.9.2", False),
    ("vllm~=0.9", "0.9.0", "0.33.0", True),
    ("vllm!=0.8.0,>=0.7.3,<=0.8.1", "0.7.3", "0.8.1", False),
    ("vllm==0.6.*", "0.6.0", "0.6.6.post1", False),
    ("vllm>=0.30.0", "0.30.0", "0.33.0", True),
    ('dependencies = ["torch", "vllm>=0.11.1,<0.12"]', "0.11.1", "0.11.2", False),
])
def test_requirement_specifiers(text, first, last, open_above):
    ev = evidence.from_requirement(text)
    assert ev is not None and ev.releases.first == first and ev.releases.last == last
    assert ev.releases.open_above == open_above
    assert ev.kind == ("exact" if first == last and not open_above else "range")
    assert ev.provenance[0].detail.startswith("vllm")


@pytest.mark.parametrize("text", [
    "vllm-flash-attn==2.6.1", "vllm_ascend==0.9.0", "my-vllm==1.0", "torch==2.4.0", "vllm", "vllm @ git+https://x/vllm",
])
def test_not_a_vllm_requirement(text):
    assert evidence.from_requirement(text) is None


def test_requirement_that_names_no_known_release_is_unknown():
    ev = evidence.from_requirement("vllm==0.0.19")
    assert ev.kind == "unknown" and "names no release" in ev.reason
    assert "0.8.0" not in evidence.from_requirement("vllm!=0.8.0,>=0.7.3,<=0.8.1").releases


@pytest.mark.parametrize("line,release", [
    ("RUN pip install vllm==0.8.5", "0.8.5"),
    ("RUN pip3 install --no-cache-dir 'vllm==0.9.2' flashinfer", "0.9.2"),
    ('uv pip install --system "vllm==0.10.1.1"', "0.10.1.1"),
    ("pip install -U vllm==0.6.6.post1 && vllm serve m", "0.6.6.post1"),
])
def test_pip_install_lines(line, release):
    ev = evidence.from_pip_command(line, where="Dockerfile:3")
    assert ev.exact == release and ev.provenance[0].what == "pip install" and ev.provenance[0].where == "Dockerfile:3"


def test_pip_line_without_a_pin_says_nothing():
    assert evidence.from_pip_command("pip install vllm") is None


@pytest.mark.parametrize("path,release", [
    ("/home/me/envs/vllm-0.10.1/bin/vllm serve m", "0.10.1"),
    ("/opt/vllm-0.8.5/bin/vllm", "0.8.5"),
    ("source ~/venvs/vllm_0.9.2/bin/activate", "0.9.2"),
    ("pip install ./wheels/vllm-0.10.2-cp38-abi3-manylinux1_x86_64.whl", "0.10.2"),
])
def test_versioned_paths(path, release):
    assert evidence.from_path(path).exact == release


@pytest.mark.parametrize("path", ["/opt/vllm/bin/vllm", "/srv/vllm-server-3/run.sh", "envs/vllm-dev/bin/python"])
def test_unversioned_paths(path):
    assert evidence.from_path(path) is None


def test_runtime_version_annotation():
    ev = evidence.from_annotation("v0.11.0+rhai1")
    assert ev.exact == "0.11.0" and ev.patched
    assert evidence.from_annotation("v0.9.1.0").exact == "0.9.1"
    assert evidence.from_annotation("v0.18.0").exact == "0.18.0" and not evidence.from_annotation("v0.18.0").patched
    assert evidence.from_annotation("latest") is None


def test_annotation_and_vendor_image_combine():
    """A ServingRuntime with RHAIIS 3.2.3 (no published mapping) and the annotation v0.11.0+rhai1."""
    text = "metadata:\n  annotations:\n    opendatahub.io/runtime-version: v0.11.0+rhai1\n"
    ev = evidence.combine(image_evidence("registry.redhat.io/rhaiis/vllm-cuda-rhel9:3.2.3-1760572426").version,
                          evidence.from_text(text, where="servingruntime.yaml"))
    assert ev.exact == "0.11.0" and ev.patched


@pytest.mark.parametrize("tag,day", [
    ("nightly_main_20250120", date(2025, 1, 20)), ("2025-05-05-v1", date(2025, 5, 5)),
    ("rocm6.4.1_vllm_0.10.1_20250909", date(2025, 9, 9)), ("v0.11.2", None), ("20251399", None),
])
def test_date_in_tag(tag, day):
    assert evidence.date_in(tag) == day


def test_dates_bound_by_release_dates():
    main = evidence.from_date(date(2025, 1, 20), main_build=True, detail="x", source="s")
    assert list(main.releases) == ["0.6.6.post1", "0.7.0"]
    pinned = evidence.from_date(date(2025, 1, 20), main_build=False, detail="x", source="s")
    assert pinned.releases.first == "0.4.3" and pinned.releases.last == "0.7.0"
    after_newest = evidence.from_date(date(2030, 1, 1), main_build=True, detail="x", source="s")
    assert after_newest.releases.first == releases.newest() and after_newest.releases.open_above


def test_use_v1_0_rules_out_releases_without_v0():
    ev = evidence.from_environment({"VLLM_USE_V1": "0"})
    assert ev.releases.first == "0.4.3" and ev.releases.last == "0.10.2" and not ev.releases.open_above
    assert evidence.from_environment({"VLLM_USE_V1": "1"}) is None
    assert evidence.from_environment({}) is None


def test_combine_intersects_and_conflicts_become_unknown():
    a = evidence.from_requirement("vllm>=0.8,<0.11")
    b = evidence.from_environment({"VLLM_USE_V1": "0"})
    both = evidence.combine(a, b)
    assert both.releases.first == "0.8.0" and both.releases.last == "0.10.2" and len(both.provenance) == 2
    clash = evidence.combine(evidence.from_requirement("vllm==0.26.0"), b)
    assert clash.kind == "unknown" and "conflicting" in clash.reason
    assert evidence.combine(None, image_evidence("nginx:1").version).kind == "unknown"
    assert evidence.combine().kind == "unknown"


def test_from_text_reads_every_kind():
    text = ("FROM python:3.11\nRUN pip install vllm==0.9.2\n"
            "ENV PATH=/opt/vllm-0.9.2/bin:$PATH\n")
    ev = evidence.from_text(text, where="Dockerfile")
    assert ev.exact == "0.9.2" and {p.what for p in ev.provenance} == {"pip install", "path"}
    assert evidence.from_text("just text") is None
    assert evidence.from_text("# tested with vllm==0.8.0\nvllm>=0.9  # not 0.8\n").releases.first == "0.9.0"


def test_describe():
    ev = evidence.from_requirement("vllm==0.10.1")
    assert ev.describe() == "vLLM 0.10.1 (requirement vllm==0.10.1)"
    assert "unknown" in image_evidence("nginx:1").version.describe()
