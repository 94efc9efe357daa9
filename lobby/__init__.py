"""The `lobby` command: argument parsing, process supervision, Rasa project helpers, model installs."""
