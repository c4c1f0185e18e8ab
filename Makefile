# Everything a newcomer needs: `make run` starts a working hotline, `make test` proves it.
# Both do their own set-up (system packages, .venv, dependencies, demo database), idempotently.

PYTHON  ?= python3
VENV    ?= .venv
PY      := $(VENV)/bin/python
IVR     := $(VENV)/bin/ivr
STAMP   := $(VENV)/.installed
SYSDEPS := .ci/system-packages.stamp

# Demo defaults for `make run` only; real deployments set these in the environment.
run: export IVR_PUBLIC_URL ?= http://127.0.0.1:8080
run: export IVR_PORT ?= 8080
run: export IVR_TWILIO_AUTH_TOKEN ?= dev-auth-token-change-me
run: export IVR_API_TOKEN ?= dev-api-token-change-me
run: export IVR_PIN_KEY ?= dev-pin-key-change-me-0123456789abcdef
cluster: export IVR_PORT ?= 8080
cluster: export IVR_TWILIO_AUTH_TOKEN ?= dev-auth-token-change-me
cluster: export IVR_API_TOKEN ?= dev-api-token-change-me
cluster: export IVR_PIN_KEY ?= dev-pin-key-change-me-0123456789abcdef

.PHONY: setup run cluster test lint typecheck check grammar-check bench clean lock

setup: $(STAMP)

$(SYSDEPS): .ci/install-system-packages
	bash .ci/install-system-packages
	touch $@

$(STAMP): pyproject.toml requirements.lock $(SYSDEPS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

run: setup
	$(IVR) db seed
	$(IVR) prompts render
	$(IVR) serve

# The multi-instance hotline on one machine, no containers: PostgreSQL, Redis, nginx on
# IVR_PORT and IVR_WORKERS (default 2) instances behind it, with `make run`'s settings.
cluster: export IVR_WORKERS ?= 2
cluster: setup
	$(IVR) prompts render
	$(PY) -m ivr.cluster

# Whole-call tests spend most of their time waiting on paced audio, so three workers on two
# cores finish in ~5 minutes what one does in ~12 (PYTEST_WORKERS=0 runs them in-process).
PYTEST_WORKERS ?= 3

# loadgroup: the tests of one cluster (tests/cluster) share one worker, and so one cluster.
test: setup
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check ivr tests bench
	$(VENV)/bin/ruff format --check ivr tests bench

typecheck: setup
	$(VENV)/bin/mypy

# Static checks of every grammar set, then its regression utterances spoken to the real
# recognizer (grammars/*/tests; about 40 s). Retries absorb pyttsx3's uneven rendering;
# a phrase an edit broke fails every attempt.
grammar-check: setup
	$(IVR) grammar check grammars
	$(IVR) grammar test grammars --retries 2

check: lint typecheck grammar-check test

# Benchmarks (never in CI): their extra tools, then every sub-benchmark; writes BENCHMARKS.md.
# The speech evaluation sets are also spoken by festival and flite voices (bench/speech).
BENCH_SYSDEPS := festival flite festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts

bench: setup
	bash .ci/install-system-packages $(BENCH_SYSDEPS)
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev,bench]'
	$(PY) -m bench $(BENCH_ARGS)

# Re-resolve every dependency (newest versions pyproject.toml allows) into requirements.lock,
# in a throwaway venv; run `make check` after it, and commit the lock file with the change.
lock:
	rm -rf .venv-lock
	python3 -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e '.[dev,bench]'
	{ sed -n '1,2p' requirements.lock; .venv-lock/bin/python -m pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) $(SYSDEPS) audio/cache var
