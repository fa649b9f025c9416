"""The seminar kit: a JupyterHub for one machine, nbgrader homework, a Zero to JupyterHub path.

``python -m classroom.hub`` (``make hub``) and ``python -m classroom.assignments``
(``make assignments``); see ``book/lecturers.md`` for how a lecturer uses them.
"""
