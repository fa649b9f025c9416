"""Shared test set-up: draw figures off-screen so tests run without a display."""

import matplotlib

matplotlib.use("Agg")
