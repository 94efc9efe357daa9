"""Lobby's wire package: what crosses a process boundary, stdlib only, Python >= 3.10.

Installed in both environments (the hub's .venv and Rasa's .venv-rasa), so the
hub, the kiosk, the Rasa NLU components and the action server share one
definition instead of re-declaring it.
"""
