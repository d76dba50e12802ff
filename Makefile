# Every target works on a fresh clone with Go installed.
GO ?= go

.PHONY: all generate check vet test

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
