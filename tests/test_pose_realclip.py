"""BlazePose + gymnast tracking on one real competition clip (skips without ../shared/realclips)."""

from __future__ import annotations

import pytest

from gymscore.features.extract import ExtractConfig, extract_features

BACKENDS = ["mediapipe", "litert"]


def make_estimator(backend: str):
    """The named pose backend (skips where its package is missing)."""
    pytest.importorskip("mediapipe")
    if backend == "litert":
        pytest.importorskip("ai_edge_litert")
        from gymscore.features.blazepose import LiteBlazePose

        return LiteBlazePose()
    from gymscore.features.pose import MediaPipePose

    return MediaPipePose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_gymnast_found_on_a_real_floor_clip(realclips_dir, backend):
    est = make_estimator(backend)
    try:
        feats = extract_features(realclips_dir / "fx_02.gif", est, ExtractConfig(), use_cache=False)
    finally:
        est.close()
    assert feats.frame_count == 10 and (feats.meta.width, feats.meta.height) == (320, 240)
    assert feats.found_rate >= 0.8
    # the gymnast is the large central figure: her pelvis lies in the middle half of the frame
    pelvis_x = feats.joints2d[feats.source == 1][:, 2, 0]
    assert ((pelvis_x > 80) & (pelvis_x < 240)).mean() >= 0.8


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_following_crop_maps_her_back_onto_the_frame(realclips_dir, backend):
    """detect_follow on a square around her (it may reach past the frame) finds the same body as the
    whole-frame detection, in frame pixels, frame after frame."""
    import numpy as np

    from gymscore.video import VideoReader

    est = make_estimator(backend)
    try:
        with VideoReader(realclips_dir / "fx_01.gif") as reader:
            frames = [f.image[:, :, ::-1].copy() for f in reader.frames()]
        pairs = []
        for rgb in frames:
            whole = est.detect(rgb)
            if whole is None:
                continue
            side = 1.8 * whole.size
            cx, cy = whole.center
            roi = (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)
            followed = est.detect_follow(rgb, roi)
            if followed is not None:
                pairs.append((whole, followed))
    finally:
        est.close()
    assert len(pairs) >= 0.7 * len(frames)
    gaps = [np.linalg.norm(np.subtract(a.center, b.center)) / a.size for a, b in pairs]
    assert np.median(gaps) < 0.1  # the same body, within a tenth of her size
