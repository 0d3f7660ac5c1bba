"""Shell command text read statically: words with exact offsets (``lexer``, ``expansion``,
``commands``, types in ``syntax``) and shell scripts as a source format (``scripts``)."""
