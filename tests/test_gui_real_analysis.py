"""The window analyses a short generated routine with the REAL pipeline and shipped models.

BlazePose (MediaPipe) -> features -> the shipped segmenter and classifier -> codebook -> scoring,
run from the GUI's worker thread. The models are small; the video is 320x180 so that this stays a
few seconds. What the model predicts is not fixed here (that is measured in bench/), but the window
must show exactly what the pipeline produced and the score of exactly that timeline.
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")
pytest.importorskip("mediapipe", reason="the real pipeline needs MediaPipe (scripts/setup.sh installs it)")

from PySide6.QtWidgets import QApplication  # noqa: E402

from gymscore.codebook import default_codebook  # noqa: E402
from gymscore.gui.main_window import MainWindow  # noqa: E402
from gymscore.gui.services import Services  # noqa: E402
from gymscore.gui.settings import Settings  # noqa: E402
from gymscore.models.manifest import list_installed  # noqa: E402
from gymscore.scoring import score  # noqa: E402
from gymscore.synth import generate_routine  # noqa: E402
from tests.test_gui_window import ScriptedPrompts  # noqa: E402


def test_window_analyses_with_real_models(qtbot, tmp_path):
    if not list_installed("segmenter") or not list_installed("classifier"):
        pytest.skip("no shipped models in resources/models")
    r = generate_routine("FX", 11, elements=["FX-195", "FX-068"], size=(320, 180), fps=25,
                         out_dir=tmp_path / "r")
    w = MainWindow(Services(), Settings(autosave_s=0))
    w.prompts = ScriptedPrompts()  # no modal dialogs (e.g. "unsaved changes" when the test closes it)
    qtbot.addWidget(w)
    w.resize(1200, 760)
    w.show()
    qtbot.waitExposed(w)
    assert w.open_path(str(r.frames_path))
    with qtbot.waitSignal(w.runner.finished, timeout=120_000):
        assert w.analyse()
    QApplication.processEvents()
    tl = w.doc.timeline
    cb = default_codebook()
    assert tl.video.frame_count == len(r.joints3d)
    assert tl.segments, "the real pipeline found no element in a two-element routine"
    for seg in tl.segments:
        assert seg.source == "model"
        assert seg.element_id is None or seg.element_id in cb.elements
        assert len(seg.alternatives) <= 5
        assert 0.0 <= seg.confidence <= 1.0
    card = score(tl)
    assert w.doc.summary.d_score == pytest.approx(card.d_score)
    assert w.score.total.text() == f"D-score {card.d_score:.3f}"
    assert w.score.table.rowCount() == len(tl.segments)
    assert w.prompts.errors == []
