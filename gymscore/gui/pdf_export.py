"""A one-page PDF score sheet (QPdfWriter + QPainter): routine, elements with values, D breakdown."""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from gymscore.gui.score_view import ScoreSummary, format_time
from gymscore.timeline import Timeline, describe_lost
from gymscore.util.atomic import SaveError, atomic_write_bytes

APPARATUS_NAMES = {"VT": "Vault", "FX": "Floor exercise", "BB": "Balance beam", "UB": "Uneven bars"}
COLS = (("#", 0.04), ("Time", 0.08), ("Element", 0.47), ("CoP", 0.07), ("Value", 0.07), ("Counts", 0.27))


def _font(points: float, bold: bool = False) -> QFont:
    """A font sized in drawing units (1 unit = 1 pt), whatever the device resolution."""
    f = QFont("DejaVu Sans")
    f.setPixelSize(max(1, round(points)))
    f.setBold(bold)
    return f


def _fmt(v: float | None) -> str:
    return "–" if v is None else f"{v:.3f}"


def render_score_sheet(tl: Timeline, s: ScoreSummary, device, page: QRectF, dpi: float) -> None:
    """Paint the sheet on a paint device (a QPdfWriter, or a QImage for previews) whose printable area
    is ``page`` (device pixels) at ``dpi``; drawing happens in 72-dpi points."""
    p = QPainter(device)
    try:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        scale = dpi / 72.0
        p.scale(scale, scale)
        w = page.width() / scale
        y = 0.0
        title, body, bold = _font(16, True), _font(8), _font(8, True)
        p.setFont(title)
        p.drawText(QRectF(0, y, w, 24), Qt.AlignmentFlag.AlignLeft, "gymscore: D-score sheet")
        y += 28
        p.setFont(body)
        video = Path(tl.video.path).name if tl.video.path else "(no video)"
        info = [
            f"Video: {video}",
            f"Apparatus: {APPARATUS_NAMES.get(tl.apparatus, tl.apparatus)} ({tl.apparatus})    "
            f"Codebook: {tl.edition}    Elements: {len(s.rows)}    "
            f"Printed: {time.strftime('%Y-%m-%d %H:%M')}",
        ]
        lost = describe_lost(tl, most=6)
        if lost:  # (the analysis' blind spots: a judge reading the sheet must know)
            info.append("Analysis: " + lost)
        for line in info:
            line = p.fontMetrics().elidedText(line, Qt.TextElideMode.ElideRight, int(w))
            p.drawText(QRectF(0, y, w, 12), Qt.AlignmentFlag.AlignLeft, line)
            y += 12
        y += 10
        row_h = 13.0 if len(s.rows) <= 30 else max(7.0, 390.0 / max(1, len(s.rows)))
        p.setFont(bold)
        x = 0.0
        for name, frac in COLS:
            p.drawText(QRectF(x, y, frac * w - 4, row_h), Qt.AlignmentFlag.AlignLeft, name)
            x += frac * w
        y += row_h
        p.setPen(QPen(QColor("#777777"), 0.5))
        p.drawLine(0, int(y), int(w), int(y))
        y += 2
        fps = tl.video.fps or 25.0
        for i, row in enumerate(s.rows):
            if i % 2:
                p.fillRect(QRectF(0, y, w, row_h), QColor("#f1f1f4"))
            p.setPen(QColor("#888888") if row.counted is False else QColor("#000000"))
            p.setFont(body)
            value = f"{row.value_letter} {row.value:.1f}" if row.value is not None else "–"
            counts = "" if row.counted is None else ("yes" if row.counted else "no")
            if row.reason:
                counts = f"{counts}: {row.reason}" if counts else row.reason
            name = row.name + (" →" if row.connected_to_next else "")
            cells = (str(i + 1), format_time(row.start_s, fps), name, row.cop_number, value, counts)
            x = 0.0
            for (_n, frac), text in zip(COLS, cells, strict=True):
                r = QRectF(x, y, frac * w - 4, row_h)
                p.drawText(
                    r,
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    p.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, int(r.width())),
                )
                x += frac * w
            y += row_h
        y += 12
        p.setPen(QColor("#000000"))
        lines: list[tuple[str, str, bool]] = [
            ("Difficulty value (DV)", _fmt(s.dv), True),
            ("Composition requirements (CR)", _fmt(s.cr), True),
        ]
        lines += [
            (f"    {'✓' if r.fulfilled else '✗'} {r.name}", f"{r.value:.2f}", False) for r in s.requirements
        ]
        lines.append(("Connection value (CV)", _fmt(s.cv), True))
        lines += [(f"    {c.text}", f"+{c.value:.1f}", False) for c in s.connections]
        if s.sb:
            lines.append(("Series bonus (SB)", _fmt(s.sb), True))
        lines.append(("D-score", _fmt(s.d_score), True))
        lines += [(f"Note: {warning}", "", False) for warning in s.warnings]
        for text, value, strong in lines:
            p.setFont(bold if strong else body)
            width = w * 0.85 if value else w
            text = p.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, int(width))
            p.drawText(QRectF(0, y, width, 12), Qt.AlignmentFlag.AlignLeft, text)
            p.drawText(QRectF(w * 0.85, y, w * 0.15, 12), Qt.AlignmentFlag.AlignRight, value)
            y += 12
        if s.error:
            p.drawText(QRectF(0, y + 4, w, 12), Qt.AlignmentFlag.AlignLeft, s.error)
        p.setFont(_font(7))
        p.setPen(QColor("#666666"))
        p.drawText(
            QRectF(0, page.height() / scale - 14, w, 12),
            Qt.AlignmentFlag.AlignLeft,
            "Estimated by gymscore from video; not an official score. Check every element and rule.",
        )
    finally:
        p.end()


def preview_score_sheet(tl: Timeline, s: ScoreSummary, dpi: int = 100) -> QImage:
    """The sheet as an image (A4 printable area at ``dpi``), e.g. to look at it without a PDF viewer."""
    mm = dpi / 25.4
    img = QImage(int(180 * mm), int(267 * mm), QImage.Format.Format_RGB32)
    img.fill(QColor("#ffffff"))
    render_score_sheet(tl, s, img, QRectF(0, 0, img.width(), img.height()), dpi)
    return img


def write_score_sheet(tl: Timeline, s: ScoreSummary, path: str | os.PathLike) -> Path:
    """Write the PDF atomically (rendered to a temporary file first)."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.render.pdf")
    writer = QPdfWriter(str(tmp))
    writer.setResolution(300)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 15),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setTitle(f"gymscore score sheet: {Path(tl.video.path).name if tl.video.path else 'routine'}")
    page = QRectF(writer.pageLayout().paintRectPixels(writer.resolution()))
    page.moveTo(0, 0)
    render_score_sheet(tl, s, writer, page, writer.resolution())
    del writer
    try:
        data = tmp.read_bytes()
    except OSError as exc:
        raise SaveError(exc.errno, f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return atomic_write_bytes(target, data)
