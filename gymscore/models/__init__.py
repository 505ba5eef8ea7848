"""Networks, their registry, manifests and inference runners.

Importing this package does not import torch; the model files and :mod:`inference` do.
"""

from gymscore.models.registry import create_model, list_models, register_model

__all__ = ["create_model", "list_models", "register_model"]
