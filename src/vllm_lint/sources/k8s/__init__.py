"""Kubernetes manifests and the operators and CRDs that start vLLM from them (KServe, KubeAI,
KubeRay, LeaderWorkerSet, vLLM production-stack's VLLMRuntime, NVIDIA Dynamo), with kustomize."""
