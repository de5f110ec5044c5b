# regstack: developer entry points. `make help` lists them.
#
# Everything here is plain `go` commands; the only network access is the Go
# module proxy (for modules not yet in the module cache).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO ?= go
GOFMT ?= $(shell $(GO) env GOROOT)/bin/gofmt

# A checkout without the git binary (a bare CI image) cannot stamp VCS
# information into binaries; the go command would fail rather than skip it.
export GOFLAGS ?= -buildvcs=false

# make demo: where the demo app is generated and where it listens. The demo's
# emailed links use the generator's default base URL, http://127.0.0.1:8000,
# so change both together (BASE_URL is passed to gen).
DEMO ?= demo
ADDR ?= 127.0.0.1:8000
BASE_URL ?= http://$(ADDR)
# The demo's state, kept across regenerations.
DEMO_STATE = regstack.secrets.env regstack.db regstack.db-wal regstack.db-shm

# make test: the e2e module generates and tests whole hosts; on a cold build
# cache it spends most of its time compiling the SQLite driver once.
E2E_FLAGS ?= -v -count=1 -timeout 25m

# make bench: which benchmarks and for how long.
BENCH ?= .
BENCHTIME ?= 2s

# Go files that gofmt must accept: everything except golden/test data and
# folders that are generated hosts or build output.
GO_FILES = $(shell find . \( -path ./.git -o -path ./$(DEMO) -o -path ./bin -o -name testdata \) -prune -o -name '*.go' -print)

.PHONY: help build demo test vet fmt-check unit e2e golden sqlc bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

build: ## build bin/regstack
	$(GO) build -o bin/regstack .

# demo wipes $(DEMO)/ and generates it afresh, so it always shows what a new
# user gets; regstack.secrets.env and the SQLite database survive the wipe
# (moved aside and back), so accounts and sessions outlive a regeneration.
demo: build ## generate a fresh starter app into demo/ and run it on $(ADDR)
	@keep=$$(mktemp -d); trap 'rm -rf "$$keep"' EXIT; \
	state="$(DEMO_STATE)"; \
	for f in $$state; do if [ -e "$(DEMO)/$$f" ]; then mv "$(DEMO)/$$f" "$$keep/"; fi; done; \
	rm -rf "$(DEMO)"; mkdir -p "$(DEMO)"; \
	for f in $$state; do if [ -e "$$keep/$$f" ]; then mv "$$keep/$$f" "$(DEMO)/"; fi; done
	bin/regstack gen --yes --dir $(DEMO) --base-url $(BASE_URL)
	@echo "==> serving $(DEMO) on http://$(ADDR) (Ctrl-C stops it)"
	cd $(DEMO) && ADDR=$(ADDR) $(GO) run .

test: vet fmt-check unit e2e ## every check: vet, gofmt, unit tests, e2e

# ./... skips blueprints/_common and blueprints/_sqlite (leading underscore):
# those Go files are templates that only compile once rendered into a host,
# and the e2e module builds, vets and tests them there.
vet: ## go vet the repository and the e2e module
	$(GO) vet ./...
	cd e2e && $(GO) vet ./...

fmt-check: ## fail if any Go file (outside testdata) is not gofmt'd
	@out=$$($(GOFMT) -l $(GO_FILES)); \
	if [ -n "$$out" ]; then echo "gofmt -l lists files that need formatting:"; echo "$$out"; exit 1; fi

unit: ## go test ./... in the repository
	$(GO) test ./...

e2e: ## generate scratch hosts, build/vet/test them, drive the live app
	cd e2e && $(GO) test $(E2E_FLAGS) ./...

golden: ## refresh the golden files (go test -update)
	$(GO) test ./... -update

# The exact sqlc invocation is defined by the SQLite store; the tool is
# pinned in tools/go.mod so `go tool` builds it from the module cache.
sqlc: ## regenerate the committed sqlc output
	$(GO) tool -modfile=tools/go.mod sqlc generate -f blueprints/_sqlite/pkg/store/sqlite/sqlc.yaml

bench: ## run the benchmarks (gen, live GET /me, live login)
	cd e2e && $(GO) test -run '^$$' -bench '$(BENCH)' -benchtime $(BENCHTIME) -count 1 -timeout 20m .

clean: ## remove build output and the demo (including its database)
	rm -rf bin $(DEMO)
