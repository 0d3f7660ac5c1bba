"""Did-you-mean: the known word a user most likely meant, for usage errors and directive findings."""

from __future__ import annotations

from typing import Callable, Iterable


def closest(word: str, candidates: Iterable[str], *, cutoff: float = 0.75,
            normalise: Callable[[str], str] = str.lower) -> str | None:
    """The candidate nearest ``word`` (difflib's ratio on normalised text), or None below ``cutoff``.
    An exact match after normalising wins outright (``Kv_Cache_Capacity`` -> ``kv-cache-capacity``
    with a normaliser that folds case and underscores)."""
    by_key: dict[str, str] = {}
    for c in candidates:
        by_key.setdefault(normalise(c), c)
    key = normalise(word)
    if key in by_key:
        return by_key[key]
    import difflib  # here: most runs never need a near miss

    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=cutoff)
    return by_key[close[0]] if close else None


def _same(text: str) -> str:
    return text


def did_you_mean(word: str, candidates: Iterable[str], *, cutoff: float = 0.75,
                 normalise: Callable[[str], str] = str.lower) -> str:
    """`` (did you mean 'warning'?)`` for the candidate ``closest`` finds, else ``""``."""
    guess = closest(word, candidates, cutoff=cutoff, normalise=normalise)
    return f" (did you mean {guess!r}?)" if guess else ""


def closest_option(option: str, pool: Iterable[str]) -> str | None:
    """The long option nearest ``option`` as written (``--max-model-lenght``), else the one nearest
    with dashes ignored, for a word swapped or misspelt in the middle (``--gpu-memory-utilisation``)."""
    pool = tuple(pool)
    return (closest(option, pool, normalise=_same)
            or closest(option, pool, cutoff=0.8, normalise=lambda o: o.replace("-", "")))
