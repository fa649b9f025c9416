"""Interactive widgets for the chapters: thin ipywidgets glue over pure, unit-tested functions."""
