"""Service managers and process runners that start vLLM on a host or in a container they
configure: systemd units and Podman Quadlet files, Procfiles, HashiCorp Nomad jobs."""
