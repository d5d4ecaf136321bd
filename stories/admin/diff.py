"""Two texts side by side, with the passages that differ marked (difflib, word by word)."""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

_TOKENS = re.compile(r"\n\s*\n|\S+")


def _render(tokens):
    return " ".join("<br><br>" if token.isspace() else escape(token) for token in tokens)


def side_by_side(left, right):
    """(left_html, right_html): words only on the left in <del>, words only on the right in <ins>."""
    a, b = _TOKENS.findall(left or ""), _TOKENS.findall(right or "")
    left_parts, right_parts = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            left_parts.append(_render(a[i1:i2]))
            right_parts.append(_render(b[j1:j2]))
            continue
        if i2 > i1:
            left_parts.append(f'<del class="diff">{_render(a[i1:i2])}</del>')
        if j2 > j1:
            right_parts.append(f'<ins class="diff">{_render(b[j1:j2])}</ins>')
    return mark_safe(" ".join(left_parts)), mark_safe(" ".join(right_parts))  # noqa: S308  (escaped above)
