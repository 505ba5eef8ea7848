"""Datasets: FineGym (official layout), GymSynth routines, user corrections; augmentation.

Importing this package does not import torch (``gymscore.data.torchsets`` does).
"""
