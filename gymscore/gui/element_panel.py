"""The element panel: the selected element's facts, its decision-tree path and the model's alternatives."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gymscore.gui.services import Services
from gymscore.timeline import Segment, Timeline


def tree_path(codebook: Any, element_id: str | None) -> list[tuple[str, str]]:
    """(question, answer) steps that lead to an element in its set's decision tree (empty if unknown)."""
    if codebook is None or not element_id or not hasattr(codebook, "path"):
        return []
    try:
        steps = codebook.path(element_id)
    except (KeyError, ValueError, LookupError):
        return []
    out = []
    for st in steps or []:
        if hasattr(st, "question"):
            out.append((str(st.question), format_answer(getattr(st, "answer", ""))))
        elif isinstance(st, tuple | list) and len(st) >= 2:
            out.append((str(st[-2]), format_answer(st[-1])))
    return out


def format_answer(answer: Any) -> str:
    """A tree answer for people: yes/no, 1.5, "side split" (underscores become spaces)."""
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    if isinstance(answer, float) and answer.is_integer():
        return str(int(answer))
    return str(answer).replace("_", " ")


class ElementPanel(QWidget):
    """Details of the selected segment; emits requests, never edits by itself."""

    alternativeChosen = Signal(str)  # element id
    relabelRequested = Signal()

    def __init__(self, services: Services, parent=None) -> None:
        super().__init__(parent)
        self.services = services
        self.title = QLabel("No element selected")
        f = QFont()
        f.setPointSize(12)
        f.setBold(True)
        self.title.setFont(f)
        self.title.setWordWrap(True)
        self.facts = QLabel("")
        self.facts.setWordWrap(True)
        self.path = QLabel("")
        self.path.setWordWrap(True)
        self.alternatives = QListWidget()
        self.alternatives.setMaximumHeight(130)
        self.alternatives.itemActivated.connect(self._on_alt)
        self.alternatives.itemDoubleClicked.connect(self._on_alt)
        self.relabel_button = QPushButton("Relabel… (R)")
        self.relabel_button.clicked.connect(self.relabelRequested.emit)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.title)
        lay.addWidget(self.facts)
        lay.addWidget(QLabel("<b>Decision-tree path</b>"))
        lay.addWidget(self.path)
        alt_head = QHBoxLayout()
        alt_head.addWidget(QLabel("<b>Model alternatives</b> (keys 1-5 apply one)"))
        alt_head.addStretch(1)
        alt_head.addWidget(self.relabel_button)
        lay.addLayout(alt_head)
        lay.addWidget(self.alternatives)
        lay.addStretch(1)
        self.show_segment(None, None)

    def show_segment(self, tl: Timeline | None, index: int | None) -> None:
        """Show segment ``index`` of ``tl`` (None: nothing selected)."""
        self.alternatives.clear()
        seg: Segment | None = tl.segments[index] if tl is not None and index is not None else None
        self.relabel_button.setEnabled(seg is not None)
        if seg is None:
            self.title.setText("No element selected")
            self.facts.setText("Click a block on the timeline or a row of the score table.")
            self.path.setText("")
            return
        info = self.services.element(tl.edition, seg.element_id)
        fps = tl.video.fps or 25.0
        name = info.name if info else "unlabelled"
        self.title.setText(f"{index + 1}. {name}")
        value = f"{info.value_letter} ({info.value:.1f})" if info and info.value is not None else "–"
        facts = [
            f"Id <b>{seg.element_id or '–'}</b> · CoP <b>{(info.cop_number if info else '') or '–'}</b> · "
            f"value <b>{value}</b>",
            f"Set: {self.services.set_name(tl.edition, seg.set_id)}",
            f"Frames {seg.start_frame}-{seg.end_frame} ({seg.length / fps:.2f} s) · "
            f"confidence {seg.confidence:.0%} · {'edited by you' if seg.source == 'user' else seg.source}"
            + (" · connected to next" if seg.connected_to_next else ""),
        ]
        if seg.note:  # why the model scored this leaf, or where an imported label came from
            facts.append(f"<i>{html.escape(seg.note)}</i>")
        self.facts.setText("<br>".join(facts))
        steps = tree_path(self.services.codebook(tl.edition), seg.element_id)
        self.path.setText(
            "<br>".join(f"{i + 1}. {q} <b>{a}</b>" for i, (q, a) in enumerate(steps))
            if steps
            else "<i>no decision-tree path for this element</i>"
        )
        for k, alt in enumerate(seg.alternatives[:5]):
            alt_info = self.services.element(tl.edition, alt.element_id)
            label = alt_info.short if alt_info else alt.element_id
            item = QListWidgetItem(f"{k + 1}   {alt.probability:5.1%}   {label}   [{alt.element_id}]")
            item.setData(256, alt.element_id)
            if alt.element_id == seg.element_id:
                f = item.font()
                f.setBold(True)
                item.setFont(f)
            self.alternatives.addItem(item)
        if not seg.alternatives:
            self.alternatives.addItem("(no alternatives: labelled by hand)")

    def _on_alt(self, item: QListWidgetItem) -> None:
        eid = item.data(256)
        if eid:
            self.alternativeChosen.emit(str(eid))
