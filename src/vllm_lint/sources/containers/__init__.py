"""Container formats and semantics: Docker Compose, Dockerfiles, ``.env`` files, ``docker run``,
image entrypoints and the GPUs a container can see."""
