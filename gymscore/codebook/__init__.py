"""The Code of Points codebook: elements, sets, decision trees and lookups (no Qt, torch or cv2).

>>> from gymscore.codebook import default_codebook
>>> default_codebook().get("FX-094").name
'stag ring jump'
"""

from gymscore.codebook.attributes import CATEGORICAL, NUMERIC, Attributes
from gymscore.codebook.errors import CodebookError, UnknownElementError
from gymscore.codebook.loader import default_codebook, flag_vocabulary, load_codebook
from gymscore.codebook.model import Codebook, Element, SetInfo
from gymscore.codebook.tree import DecisionTree, PathStep

__all__ = [
    "CATEGORICAL",
    "NUMERIC",
    "Attributes",
    "Codebook",
    "CodebookError",
    "DecisionTree",
    "Element",
    "PathStep",
    "SetInfo",
    "UnknownElementError",
    "default_codebook",
    "flag_vocabulary",
    "load_codebook",
]
