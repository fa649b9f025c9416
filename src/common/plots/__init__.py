"""Static figures of the chapters, drawn from the core and the lessons (widgets reuse them)."""
