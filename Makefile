# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py
PYTEST_ARGS ?=

.PHONY: install run migrate test test-alone lint bench soak clean run-split test-split test-split-faults mutate mutate-sample

$(VENV)/.installed: requirements/base.txt requirements/local.txt requirements/production.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements/local.txt -r requirements/production.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(MANAGE) migrate_all

# The demo logins and URLs are the last lines printed: the server's own banner
# goes to /dev/null (its errors and the request log go to stderr).
run: migrate
	@LOG_LEVEL=WARNING $(MANAGE) seed_demo
	@echo ""
	@echo "  API:     http://127.0.0.1:$(PORT)/api/v1/catalog/products/  (log in at the top right)"
	@echo "  Docs:    http://127.0.0.1:$(PORT)/api/docs/  (every route: /api/schema/)"
	@echo "  Admin:   http://127.0.0.1:$(PORT)/admin/  (the demo staff login)"
	@echo "  E-mails: sent-emails/  (one file per message)"
	@echo ""
	@$(MANAGE) runserver 127.0.0.1:$(PORT) --noreload >/dev/null

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: lint
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

# Each app's own tests with only the kernel and that app installed; the other
# apps answer through their fakes (tests/fakes/).
ALONE_APPS ?= users catalog inventory orders
test-alone: install
	set -e; for app in $(ALONE_APPS); do \
		echo "=== $$app alone ==="; \
		SHOP_APPS=$$app $(BIN)/pytest tests/$$app tests/architecture/test_fakes.py $(PYTEST_ARGS); \
	done

# Split mode (docs/topologies.md): every app its own deployable behind nginx on
# GATEWAY_PORT (8080); PostgreSQL shop_split_<app>, Redis dbs 6/7 unless the
# environment says otherwise. SPLIT_ARGS="--deployables users+catalog+orders,inventory".
run-split: install
	$(BIN)/python -m stack.split run $(SPLIT_ARGS)

test-split: install
	$(BIN)/python -m stack.split test $(SPLIT_ARGS)

# Deployables stopped and killed under load (tests/split/test_faults.py); the
# tests start their own four-way split with the variables run-split reads.
test-split-faults: install
	SPLIT_FAULTS=1 $(BIN)/pytest tests/split/test_faults.py -m splitfaults $(PYTEST_ARGS)

# Mutation testing of the money, stock and event modules (pyproject's
# [tool.mutmut]); each mutant runs the tests that reach it, in whatever mode the
# environment selects. MUTATE_ARGS="--modules outbox,consumer --sample 30".
MUTATE_ARGS ?=
mutate: install
	$(BIN)/python -m pip install -q -r requirements/mutation.txt
	$(BIN)/python -m tests.mutation.run $(MUTATE_ARGS)
	$(BIN)/python -m tests.mutation.listed

# The bounded sample CI runs: a few mutants of every module, fixed seed.
mutate-sample: install
	$(BIN)/python -m pip install -q -r requirements/mutation.txt
	$(BIN)/python -m tests.mutation.run --sample 3 --time-limit 600 $(MUTATE_ARGS)

# Private PostgreSQL database shop_bench, Redis dbs 11/12, port 8180; ~10 minutes.
bench: install
	$(BIN)/python -m pip install -q -r requirements/bench.txt
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# The same private stack; a mixed shopper load at half the measured capacity
# for SOAK_MINUTES (10); fails on an error, p99 drift or memory growth.
soak: install
	$(BIN)/python -m pip install -q -r requirements/bench.txt
	$(BIN)/python -m bench.soak $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .test-databases db*.sqlite3 mutants
