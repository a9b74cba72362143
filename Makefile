# Craftkit Server. The two commands: `make serve` and `make test`.
SWIFT ?= swift
CONFIG ?= debug
BIN = .build/$(CONFIG)/craftkit
VERSION := $(shell git rev-parse --short=7 HEAD 2>/dev/null || echo local)

.PHONY: serve build deps test-deps test test-only lint format bench clean-data

## Install missing system packages, build, and run on SQLite + local files under ./data.
serve: deps build
	CRAFTKIT_VERSION=$${CRAFTKIT_VERSION:-$(VERSION)} $(BIN) serve

build:
	$(SWIFT) build -c $(CONFIG) --product craftkit

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh test

## The whole suite: format lint, then every test target on SQLite and on a throwaway PostgreSQL.
test: test-deps lint
	CRAFTKIT_TEST_REQUIRE_POSTGRES=1 scripts/with-postgres.sh $(SWIFT) test

## Tests without the lint step (e.g. `make test-only FILTER=StorageTests`).
test-only:
	CRAFTKIT_TEST_REQUIRE_POSTGRES=1 scripts/with-postgres.sh $(SWIFT) test $(if $(FILTER),--filter $(FILTER))

lint:
	$(SWIFT) format lint --strict --recursive --parallel Package.swift Sources Tests
	@python3 -c "import openapi_spec_validator" 2>/dev/null || python3 -m pip install -q openapi-spec-validator
	python3 -m openapi_spec_validator openapi.yaml

format:
	$(SWIFT) format format --in-place --recursive --parallel Package.swift Sources Tests

clean-data:
	rm -rf data
