"""Install tiny randomly initialised (seeded) models into a models folder, for the smoke test.

The smoke test compares the frozen and the unfrozen ``analyze --json``; it needs *some* segmenter and
classifier. When the shipped weights (``resources/models/``) are absent, ``smoke_test.sh`` calls this
to put small untrained ones into its temporary ``GYMSCORE_HOME/models`` (both runs then use the same
weights). The results mean nothing; only their equality matters.

Usage: ``python packaging/tiny_models.py FOLDER``
"""

from __future__ import annotations

import sys
from pathlib import Path


def install_tiny_models(folder: Path) -> None:
    """Write ``tiny-seg.pt`` / ``tiny-cls.pt`` and their manifest into ``folder`` (default models)."""
    import torch

    from gymscore.codebook import default_codebook
    from gymscore.features.posefeat import FEATURE_DIM
    from gymscore.models import create_model
    from gymscore.models.labels import build_label_space, segmenter_labels
    from gymscore.models.manifest import ModelManifest, sha256_file, upsert_manifest

    torch.manual_seed(0)
    folder.mkdir(parents=True, exist_ok=True)
    label_space = build_label_space(default_codebook(), "gym99")
    n_seg = len(segmenter_labels())
    specs = [
        ("classifier", "tiny-cls", "stgcn_small", {"label_space": label_space},
         {}, {"modality": "skeleton", "fps": 25, "clip_len": 16},
         label_space.to_dict()),
        ("segmenter", "tiny-seg", "mstcn_small",
         {"num_classes": n_seg, "in_features": FEATURE_DIM, "num_stages": 2, "channels": 8},
         {"num_classes": n_seg, "in_features": FEATURE_DIM, "num_stages": 2, "channels": 8},
         {"modality": "skeleton", "fps": 25, "feature_dim": FEATURE_DIM},
         {"labels": segmenter_labels(), "edition": "wag-2017"}),
    ]
    for task, name, arch, create_kw, manifest_kw, inp, labels in specs:
        model = create_model(arch, **create_kw)
        weights = folder / f"{name}.pt"
        torch.save(model.state_dict(), weights)
        upsert_manifest(folder, ModelManifest(
            name=name, task=task, architecture=arch, weights=weights.name, sha256=sha256_file(weights),
            model_kwargs=manifest_kw, input=inp, label_space=labels, default=True, folder=str(folder),
            notes="untrained, for the packaging smoke test only"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    install_tiny_models(Path(sys.argv[1]))
    print(f"tiny models installed in {sys.argv[1]}")
