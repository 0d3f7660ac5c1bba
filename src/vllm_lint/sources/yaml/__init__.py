"""YAML read as nodes with exact source offsets: safe loading within limits (``loader``),
mapping look-ups with merge keys (``lookup``), navigation for the manifest readers
(``navigate``) and scalar spans and tokens (``spans``)."""
