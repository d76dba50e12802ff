# Every target works on a fresh clone with Go installed.
GO ?= go

.PHONY: all generate check vet test run build

all: test

## generate: regenerate generated/ from spec/openapi.yaml
generate:
	$(GO) generate ./...

## check: regenerate, then fail if the committed generated/ differs from the spec
check: generate
	@drift=$$(git status --porcelain -- generated); \
	if [ -n "$$drift" ]; then \
	  echo "generated/ is stale: run 'make generate' and commit the result:"; echo "$$drift"; \
	  git --no-pager diff --stat -- generated; exit 1; \
	fi

vet:
	$(GO) vet ./...

## test: the README's test command (what CI runs)
test: check vet
	$(GO) test ./...

## build: the service binary, bin/unifiedapi
build:
	$(GO) build -o bin/unifiedapi ./cmd/unifiedapi

## run: build and start the service on 127.0.0.1:8080 (data in data/unified.db)
run: build
	exec ./bin/unifiedapi $(ARGS)
