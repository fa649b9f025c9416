# Lecturers' servers (classroom/jupyterhub_config.py puts this folder on JUPYTER_CONFIG_PATH):
# the nbgrader course folder that make hub seeds from make assignments.
import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file
c.CourseDirectory.root = os.path.expanduser("~/grading")
