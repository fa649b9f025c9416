"""nbconvert settings for `make slides` (book/build.py passes this file with --config).

Every URL is relative, so a deck works from file:// and over http as long as the
vendor/ folder that build.py fills from book/node_modules sits beside it.
"""

from pathlib import Path

c = get_config()  # noqa: F821 (provided by traitlets when nbconvert loads this file)

HERE = Path(__file__).resolve().parent

c.TemplateExporter.extra_template_basedirs = [str(HERE / "slides_template")]
c.SlidesExporter.template_name = "offline_reveal"

c.SlidesExporter.reveal_url_prefix = "vendor/reveal.js"
c.SlidesExporter.reveal_theme = "white"  # the other themes pull web fonts
c.SlidesExporter.reveal_transition = "slide"
c.SlidesExporter.reveal_number = "c/t"
# A slide taller than the screen scrolls rather than being cut off at the bottom. The
# chapters split long slides into sub-slides (cell metadata); what is still taller is one
# cell, e.g. a tall figure (tests/test_book.py checks both, book/README.md says how).
c.SlidesExporter.reveal_scroll = True
c.SlidesExporter.mathjax_url = "vendor/mathjax2/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
c.SlidesExporter.require_js_url = "vendor/require.js"
c.SlidesExporter.jquery_url = "vendor/jquery.min.js"
c.SlidesExporter.widget_renderer_url = "vendor/html-manager/embed-amd.js"

# Lecture slides: no "In [12]:" prompts.
c.TemplateExporter.exclude_input_prompt = True
c.TemplateExporter.exclude_output_prompt = True
