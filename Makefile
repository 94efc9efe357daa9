# Lobby: two commands on a fresh machine — `make run` and `make test`.
.PHONY: setup run test test-hub test-rasa lint bench clean

setup:
	@bash scripts/setup.sh

run: setup
	.venv/bin/lobby up

test: setup
	@bash scripts/test.sh

lint: setup
	.venv/bin/ruff check assistant kiosk hardware actions rasa_addons lobby_wire lobby lobby_tools announcer scripts tests
	.venv/bin/ruff format --check assistant kiosk hardware actions rasa_addons lobby_wire lobby lobby_tools announcer scripts tests
	.venv/bin/lint-imports
	.venv/bin/mypy

bench: setup
	.venv/bin/lobby bench hub

clean:
	rm -rf var bench .pytest_cache
