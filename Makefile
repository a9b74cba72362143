# Craftkit Server. The two commands: `make serve` and `make test`.
SWIFT ?= swift
CONFIG ?= debug
BIN = .build/$(CONFIG)/craftkit
VERSION := $(shell git rev-parse --short=7 HEAD 2>/dev/null || echo local)
# SwiftPM scans each target's imports before building (no compile flag changes) and fails when one names
# a module of the build outside the target's dependencies, direct or transitive. Every debug build here
# passes it: the option is a build parameter, so a build without it would re-plan and recompile modules.
IMPORT_CHECK = --explicit-target-dependency-import-check error

.PHONY: serve demo build deps test-deps test test-only test-browser test-examples test-contract test-multinode lint format bench clean-data fuzz fuzz-short

## Install missing system packages, build, and run on SQLite + local files under ./data.
serve: deps build
	CRAFTKIT_VERSION=$${CRAFTKIT_VERSION:-$(VERSION)} $(BIN) serve

## The server plus a demo partner app on :8081 that mounts the builder and the form through the SDK.
demo: deps build
	CRAFTKIT_VERSION=$${CRAFTKIT_VERSION:-$(VERSION)} BIN=$(BIN) scripts/demo.sh

build:
	$(SWIFT) build -c $(CONFIG) --product craftkit $(IMPORT_CHECK)

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh test

## The whole suite: format lint, every test target on SQLite and on a throwaway PostgreSQL (blob
## stores on files and on a throwaway S3 API server), then the embed pages in headless chromium.
test: test-deps lint
	CRAFTKIT_TEST_REQUIRE_POSTGRES=1 CRAFTKIT_TEST_REQUIRE_SMTP=1 CRAFTKIT_TEST_REQUIRE_S3=1 \
		scripts/with-s3.sh scripts/with-postgres.sh $(SWIFT) test $(IMPORT_CHECK)
	$(MAKE) --no-print-directory fuzz-short
	$(MAKE) --no-print-directory test-browser
	$(MAKE) --no-print-directory test-examples
	$(MAKE) --no-print-directory test-contract
	$(MAKE) --no-print-directory test-multinode

## The examples in examples/ (Node and Python, as docs/api.md shows them) against a live server.
test-examples: build
	examples/run.sh $(BIN)

## schemathesis (pinned) with every check against a live server's /openapi.yaml; fails on any finding
## (docs/api.md#the-contract-test).
test-contract: build
	scripts/contract-test.sh $(BIN)

## Two API nodes (workers off) and two `craftkit worker` processes over one throwaway PostgreSQL and one
## moto S3 bucket: renders, downloads, sessions, webhooks, kill -9, rate limit and key revocation across
## nodes (docs/operations.md#two-or-more-nodes).
test-multinode: build
	scripts/multi-node-test.sh $(BIN)

## The browser tests alone (e.g. `make test-browser TESTS="form revoked"`); screenshots in browser-tests/screenshots/.
test-browser: build
	python3 browser-tests/run.py $(TESTS)

## libFuzzer over the parsers of untrusted bytes, FUZZ_SECONDS per target (docs/security.md#fuzzing);
## `fuzz-short` (part of `make test`) gives each 10 s.
FUZZ_SECONDS ?= 60
fuzz:
	SWIFT=$(SWIFT) FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

fuzz-short:
	SWIFT=$(SWIFT) FUZZ_SECONDS=10 scripts/fuzz.sh

## Tests without the lint step (e.g. `make test-only FILTER=StorageTests`).
test-only:
	CRAFTKIT_TEST_REQUIRE_POSTGRES=1 CRAFTKIT_TEST_REQUIRE_SMTP=1 CRAFTKIT_TEST_REQUIRE_S3=1 \
		scripts/with-s3.sh scripts/with-postgres.sh $(SWIFT) test $(IMPORT_CHECK) $(if $(FILTER),--filter $(FILTER))

lint:
	scripts/check-repo-citations.sh
	scripts/check-module-boundaries.sh
	$(SWIFT) format lint --strict --recursive --parallel Package.swift Sources Tests
	@python3 -c "import openapi_spec_validator" 2>/dev/null || python3 -m pip install -q openapi-spec-validator
	python3 -m openapi_spec_validator openapi.yaml
	python3 scripts/check-deploy-examples.py

format:
	$(SWIFT) format format --in-place --recursive --parallel Package.swift Sources Tests

## Benchmarks (never part of `make test`): the render engine against Typst, WeasyPrint and Chromium,
## the HTTP API, tenant isolation, renders end to end through the API (SQLite + files, PostgreSQL + S3)
## and the cost of tagged PDF; all write BENCHMARKS.md.
bench: deps
	$(SWIFT) build -c release --product craftkit
	mkdir -p bench-out
	.build/release/craftkit bench render --iterations 400 --json bench-out/render.json --out bench-out --wait-idle
	Benchmarks/setup-peers.sh
	python3 Benchmarks/peers.py --wait-idle --ours bench-out/render.json --out BENCHMARKS.md --iterations 40
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; }
	Benchmarks/api-bench.sh >> BENCHMARKS.md
	python3 Benchmarks/isolation.py --bin .build/release/craftkit >> BENCHMARKS.md
	scripts/with-s3.sh scripts/with-postgres.sh python3 Benchmarks/e2e-bench.py --renders 300 | grep -v '^with-' >> BENCHMARKS.md
	python3 Benchmarks/tagging.py >> BENCHMARKS.md

clean-data:
	rm -rf data
