"""Per-frame features of a video: the gymnast's pose (tracked, gap-filled) and motion statistics."""
