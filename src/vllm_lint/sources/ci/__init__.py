"""CI and automation definitions whose steps start vLLM: GitHub Actions, GitLab CI, Argo
Workflows (``workflows``) and Ansible tasks (``ansible``)."""
