"""The trainer: typed configs, training loop, tasks, metrics, evaluation and export.

Importing this package does not import torch (``trainer``, ``tasks`` and ``export`` do).
"""
