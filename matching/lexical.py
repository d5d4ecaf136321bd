"""The lexical matcher: claim and sentence compared on their normalised words, within one language.

Used when the `semantic` extra is absent (matching.embedding). Words are taken after Unicode NFKC
and case folding (matching.text.words), the commonest function words of the claim's language are
left out, and a plural "s" is cut, so "officers" meets "officer". The score is the Dice
coefficient of the two sets of words (2 × shared / (claim words + sentence words)), from 0 to 1:
a sentence that repeats the claim in its own words scores high only when it shares most of them.
"""

from .text import words

# The commonest function words, by primary language tag (the claims' language first).
STOP_WORDS = {
    "en": set(
        "a an and are as at be been by for from has have in is it its of on or that the this to was "
        "were will with which who would their they there than then also".split()
    ),
    "de": set(
        "der die das und ist sind ein eine einen einem einer im in zu den dem des von mit auf für "
        "an als auch bei wird werden nach aus um es sich".split()
    ),
}


def _stem(word):
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def bag(text, language="en"):
    """The set of content words of `text`."""
    stop = STOP_WORDS.get(language, set())
    return {_stem(word) for word in words(text) if word not in stop}


def score(claim_bag, sentence_bag):
    """Dice coefficient of two word sets, 0 to 1."""
    if not claim_bag or not sentence_bag:
        return 0.0
    return 2 * len(claim_bag & sentence_bag) / (len(claim_bag) + len(sentence_bag))
