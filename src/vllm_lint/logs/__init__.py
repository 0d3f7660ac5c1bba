"""vLLM logs: what a startup log says, read for comparison with the estimate."""
