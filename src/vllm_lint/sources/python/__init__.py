"""Python that starts vLLM, read with ``ast`` only: ``LLM(...)``/``EngineArgs(...)`` keywords,
subprocess and ``os.system`` command lines (``launches``, string literals in ``strings``), and
Jupyter notebooks (``notebook``)."""
