"""The score panel: every element with its value and whether it counts, then DV, CR, CV and the D-score."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gymscore.gui.score_view import ScoreSummary, format_time
from gymscore.timeline import APPARATUS

COLUMNS = ("#", "Time", "Element", "CoP", "Value", "Counts")
GREEN, RED, GREY = QColor("#2e9d57"), QColor("#d04545"), QColor("#8a8f98")


def _fmt(v: float | None, digits: int = 3) -> str:
    return "–" if v is None else f"{v:.{digits}f}"


class ScorePanel(QWidget):
    """Read-only view of a :class:`ScoreSummary`, with the apparatus and edition selectors."""

    apparatusChanged = Signal(str)
    editionChanged = Signal(str)
    rowSelected = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.apparatus = QComboBox()
        self.apparatus.addItems(list(APPARATUS))
        self.apparatus.setToolTip("Apparatus of the routine (VT vault, FX floor, BB beam, UB bars)")
        self.edition = QComboBox()
        self.edition.setToolTip("Code of Points edition used for values and rules")
        self.apparatus.activated.connect(lambda _i: self.apparatusChanged.emit(self.apparatus.currentText()))
        self.edition.activated.connect(lambda _i: self.editionChanged.emit(self.edition.currentText()))
        top = QFormLayout()
        top.addRow("Apparatus", self.apparatus)
        top.addRow("Codebook", self.edition)

        self.total = QLabel("D-score –")
        big = QFont()
        big.setPointSize(15)
        big.setBold(True)
        self.total.setFont(big)
        self.breakdown = QLabel("")
        self.breakdown.setWordWrap(False)
        # fixed sizes: a label whose size hint changes after every edit would re-lay out (and repaint)
        # the whole window, the video included
        self.total.setFixedSize(
            self.total.fontMetrics().horizontalAdvance("D-score 00.000") + 12, self.total.sizeHint().height()
        )
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.breakdown.setFixedSize(
            self.breakdown.fontMetrics().horizontalAdvance("DV 00.000 + CR 0.000 + CV 0.000 + SB 0.000") + 12,
            self.breakdown.sizeHint().height(),
        )
        self.breakdown.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        head = QHBoxLayout()
        head.addLayout(top, 0)
        totals = QVBoxLayout()
        totals.addWidget(self.total, 0, Qt.AlignmentFlag.AlignRight)
        totals.addWidget(self.breakdown, 0, Qt.AlignmentFlag.AlignRight)
        head.addStretch(1)
        head.addLayout(totals, 0)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        hh = self.table.horizontalHeader()
        for c in range(len(COLUMNS)):
            hh.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.itemSelectionChanged.connect(self._on_select)
        self.table.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)  # see above
        self.table.setMinimumSize(320, 160)

        self.details = QTreeWidget()
        self.details.setHeaderLabels(["Breakdown", "Value"])
        self.details.setRootIsDecorated(False)
        self.details.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.details.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.details.header().setStretchLastSection(False)
        self.details.setMaximumHeight(210)
        self.details.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.details.setMinimumWidth(320)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(head)
        lay.addWidget(self.table, 3)
        lay.addWidget(self.details, 2)
        self._updating = False

    # --- input ---------------------------------------------------------------------------
    def set_editions(self, editions: list[str]) -> None:
        self.edition.clear()
        self.edition.addItems(editions)

    def set_routine(self, apparatus: str, edition: str) -> None:
        """Show the current apparatus and edition in the selectors."""
        self.apparatus.setCurrentText(apparatus)
        if self.edition.findText(edition) < 0:
            self.edition.addItem(edition)
        self.edition.setCurrentText(edition)

    def set_summary(self, s: ScoreSummary, fps: float) -> None:
        """Show a score summary (called after every edit)."""
        self._updating = True
        self.table.setRowCount(len(s.rows))
        for r, row in enumerate(s.rows):
            counts = "" if row.counted is None else ("yes" if row.counted else "no")
            if row.reason:
                counts = f"{counts}: {row.reason}" if counts else row.reason
            value = (
                f"{row.value_letter} {row.value:.1f}"
                if row.value is not None and row.value_letter
                else (_fmt(row.value, 2) if row.value is not None else "–")
            )
            name = row.name + ("  ⟶" if row.connected_to_next else "")
            cells = (str(r + 1), format_time(row.start_s, fps), name, row.cop_number, value, counts)
            for c, text in enumerate(cells):
                item = self.table.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    self.table.setItem(r, c, item)
                item.setText(text)
                item.setToolTip(f"{row.element_id}  {row.reason}".strip() if c in (2, 5) else "")
                muted = row.counted is False
                item.setForeground(QBrush(GREY) if muted else QBrush())
            self.table.item(r, 5).setForeground(
                QBrush(GREEN if row.counted else (RED if row.counted is False else GREY))
            )
        self.total.setText(f"D-score {_fmt(s.d_score)}" if s.scored else "D-score –")
        if s.scored:
            sb = f" + SB {_fmt(s.sb)}" if s.sb else ""
            self.breakdown.setText(f"DV {_fmt(s.dv)} + CR {_fmt(s.cr)} + CV {_fmt(s.cv)}{sb}")
        else:
            self.breakdown.setText(s.error or "not scored")
        self._fill_details(s)
        self._updating = False

    def _fill_details(self, s: ScoreSummary) -> None:
        self.details.clear()

        def add(text: str, value: str, color: QColor | None = None, bold: bool = False) -> None:
            it = QTreeWidgetItem([text, value])
            if color is not None:
                it.setForeground(0, QBrush(color))
            if bold:
                f = it.font(0)
                f.setBold(True)
                it.setFont(0, f)
                it.setFont(1, f)
            it.setToolTip(0, text)
            self.details.addTopLevelItem(it)

        if not s.scored:
            add(s.error or "not scored", "")
            return
        add("Difficulty value (DV)", _fmt(s.dv), bold=True)
        add("Composition requirements (CR)", _fmt(s.cr), bold=True)
        for req in s.requirements:
            mark = "✓" if req.fulfilled else "✗"
            add(f"   {mark} {req.name}", _fmt(req.value, 2), GREEN if req.fulfilled else RED)
        add("Connection value (CV)", _fmt(s.cv), bold=True)
        for con in s.connections:
            add(f"   {con.text}", f"+{con.value:.1f}")
        add("D-score", _fmt(s.d_score), bold=True)
        for w in s.warnings:
            add(f"⚠ {w}", "", RED)

    def select_row(self, index: int | None) -> None:
        self._updating = True
        if index is None or index >= self.table.rowCount():
            self.table.clearSelection()
        else:
            self.table.selectRow(index)
        self._updating = False

    def _on_select(self) -> None:
        if self._updating:
            return
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.rowSelected.emit(rows[0].row())
