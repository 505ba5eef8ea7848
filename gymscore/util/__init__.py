"""Small shared helpers: atomic file writes, progress reporting and cancellation."""
