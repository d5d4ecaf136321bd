"""Cutting a story's text into sentences, and a sentence into normalised words.

Sentences end at Western punctuation (. ! ?) followed by a space or the end of the text, at
Japanese and Chinese full stops and marks (。 ！ ？ ．), and at line breaks. Closing quotes and
brackets stay with the sentence they close. A full stop inside Japanese quote brackets
(「…。」と述べた。) does not end the sentence around it; a full stop after an initial or a
common abbreviation (U.S., Mr., No. 4) does not end one either, nor one inside a number (4.5),
nor a mark followed by a lower-case word ("Really?" he asked).
"""

import re
import unicodedata
from typing import NamedTuple

# Characters that end a sentence wherever they stand.
_FULL_STOPS = set("。！？｡")
# Characters that end a sentence when followed by a space, a line break or the end of the text.
_WESTERN_STOPS = set(".!?．")
_CLOSERS = set("\"'”“’‘»«」』）)]】")
_OPENERS = {"「": "」", "『": "』", "（": "）"}
_ABBREVIATIONS = {
    *("mr", "mrs", "ms", "dr", "prof", "st", "no", "nos", "gen", "lt", "col", "maj", "capt", "sgt"),
    *("adm", "gov", "sen", "rep", "jr", "sr", "vs", "etc", "inc", "ltd", "co", "corp", "dept"),
    *("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"),
    *("approx", "est", "fig", "vol", "art", "para", "e.g", "i.e", "bzw", "ca", "dr", "nr", "z.b"),
}
_WORD_BEFORE = re.compile(r"([\w.]+)$")
# Shorter pieces are headings, datelines or list markers, not sentences.
MIN_SENTENCE_CHARS = 8

_WORD = re.compile(r"\w+")


class Span(NamedTuple):
    start: int
    end: int
    text: str


def _is_abbreviation(text, stop):
    """Whether the full stop at `stop` closes an abbreviation or an initial rather than a sentence."""
    found = _WORD_BEFORE.search(text, 0, stop)
    if not found:
        return False
    word = found.group(1).rstrip(".").casefold()
    return (len(word) == 1 and word.isalpha()) or word in _ABBREVIATIONS or "." in word


def _ends(text):
    """Offsets just past each sentence's last character (its closing quotes included)."""
    depth = []  # the closing brackets of the Japanese quotes open at this point
    length = len(text)
    i = 0
    while i < length:
        char = text[i]
        if char in _OPENERS:
            depth.append(_OPENERS[char])
        elif depth and char == depth[-1]:
            depth.pop()
        elif char == "\n":
            depth.clear()
            yield i
        elif (char in _FULL_STOPS and not depth) or char in _WESTERN_STOPS:
            end = i + 1
            while end < length and (text[end] in _FULL_STOPS or text[end] in _WESTERN_STOPS):
                end += 1
            while end < length and text[end] in _CLOSERS and not (depth and text[end] == depth[-1]):
                end += 1
            if char in _WESTERN_STOPS:
                followed_by_space = end >= length or text[end].isspace()
                rest = text[end:].lstrip(" \t")
                goes_on = rest[:1].islower()  # "Really?" he asked.
                if not followed_by_space or goes_on or (char in ".．" and _is_abbreviation(text, i)):
                    i += 1
                    continue
            yield end
            i = end
            continue
        i += 1
    yield length


def sentences(text):
    """The sentences of `text` as Spans: offsets into `text` (text[start:end] == span.text),
    surrounding spaces left out, pieces shorter than MIN_SENTENCE_CHARS dropped."""
    text = text or ""
    spans, start = [], 0
    for end in _ends(text):
        piece = text[start:end]
        stripped = piece.strip()
        if len(stripped) >= MIN_SENTENCE_CHARS:
            left = start + (len(piece) - len(piece.lstrip()))
            spans.append(Span(left, left + len(stripped), stripped))
        start = end
    return spans


def words(text):
    """The words of `text` after Unicode NFKC and case folding, in order."""
    return _WORD.findall(unicodedata.normalize("NFKC", text or "").casefold())


def primary_language(tag):
    """The primary subtag of a language tag, lower case: "ja-JP" → "ja", "EN" → "en"."""
    return (tag or "").strip().replace("_", "-").split("-")[0].casefold() or "und"
