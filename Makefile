# Rekindle: the README's commands.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_ADMIN_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15

CATALOG := saas/translations/zh_Hans_CN/LC_MESSAGES/messages
.PHONY: install run test test-sqlite test-postgresql lint clean translations bench

$(STAMP): pyproject.toml constraints.txt saas/api/assets/package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	cd saas/api/assets && npm ci --no-audit --no-fund --ignore-scripts
	touch $(STAMP)

$(CATALOG).mo: $(CATALOG).po $(STAMP)
	$(BIN)/pybabel compile --statistics -d saas/translations

install: $(STAMP) $(CATALOG).mo

# Re-extract the interface's strings into the zh-CN catalog (then translate the new ones).
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location \
		--omit-header -o saas/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i saas/translations/messages.pot \
		-d saas/translations

run: install
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi tenants apply tenants/demo.toml
	$(BIN)/flask --app wsgi tenants seed tenants/demo/candidates.jsonl tenants/demo/company.jsonl \
		--tenant demo
	$(BIN)/flask --app wsgi templates install-starters --tenant demo
	@echo ""
	@echo "  Rekindle is starting on http://127.0.0.1:5000/login"
	@echo "  Workspace: demo"
	@echo "  Tenant admin: admin@demo.example / rekindle-demo-admin"
	@echo "  Recruiter:    recruiter@demo.example / rekindle-demo-recruiter"
	@echo ""
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

test-sqlite: install
	REKINDLE_TEST_DB=sqlite REKINDLE_TEST_REDIS_URL=$(REDIS_TEST_URL) \
		$(BIN)/python -m pytest -m "not postgresql" -q

test-postgresql: install
	REKINDLE_TEST_DB=postgresql REKINDLE_TEST_PG_ADMIN_URL=$(PG_ADMIN_URL) \
		REKINDLE_TEST_REDIS_URL=$(REDIS_TEST_URL) $(BIN)/python -m pytest -m "not browser" -q

test: lint test-sqlite test-postgresql

# Benchmarks on PostgreSQL (1,000,000 candidates in one tenant of 2,000,000); the data
# is generated once into the database rekindle_bench and kept for later runs.
bench: install
	REKINDLE_BENCH_PG_ADMIN_URL=$(PG_ADMIN_URL) $(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) instance test-output
