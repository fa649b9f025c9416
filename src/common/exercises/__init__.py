"""Self-checks for the end-of-chapter exercises, one module per chapter (``ch00``, ``ch01``, …).

Each check takes the learner's answer, prints precisely what is right or wrong and
returns ``True`` or ``False``. A check never raises on a wrong or unfinished answer.
"""
