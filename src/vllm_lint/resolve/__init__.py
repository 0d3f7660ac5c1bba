"""The resolve stage: what one launch means on its target (vLLM release, parsed flags, GPU,
model architecture, engine settings and KV capacity), resolved lazily per launch."""
