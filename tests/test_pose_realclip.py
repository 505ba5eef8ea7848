"""BlazePose + gymnast tracking on one real competition clip (skips without ../shared/realclips)."""

from __future__ import annotations

import pytest

from gymscore.features.extract import ExtractConfig, extract_features


def test_gymnast_found_on_a_real_floor_clip(realclips_dir):
    pytest.importorskip("mediapipe")
    from gymscore.features.pose import MediaPipePose

    est = MediaPipePose()
    try:
        feats = extract_features(realclips_dir / "fx_02.gif", est, ExtractConfig(), use_cache=False)
    finally:
        est.close()
    assert feats.frame_count == 10 and (feats.meta.width, feats.meta.height) == (320, 240)
    assert feats.found_rate >= 0.8
    # the gymnast is the large central figure: her pelvis lies in the middle half of the frame
    pelvis_x = feats.joints2d[feats.source == 1][:, 2, 0]
    assert ((pelvis_x > 80) & (pelvis_x < 240)).mean() >= 0.8
