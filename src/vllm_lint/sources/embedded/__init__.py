"""Command lines written inside other text: strings and lists of YAML, JSON and TOML files of any
schema (``strings``, with JSON and TOML read with offsets by ``json_spans`` and ``toml_spans``),
and Markdown code blocks (``markdown``)."""
