package main_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// build compiles the generator once per test binary run.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "unifiedgen")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func run(t *testing.T, bin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the generator")
	}
	bin := build(t)
	spec, err := os.ReadFile("../../spec/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}

	// Whether the committed generated/ is fresh is `make check`'s one
	// question; here the binary's own behaviour is what is tested.
	t.Run("generates into an empty directory, and -check agrees", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "unified")
		if _, stderr, code := run(t, bin, "-spec", "../../spec/openapi.yaml", "-out", out); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for _, f := range []string{"oapi.gen.go", "decode.gen.go", "encode.gen.go", "validate.gen.go", "bind.gen.go", "service.gen.go", "docs/createUser.md", "docs/updateUser.md"} {
			if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
				t.Errorf("%s: %v", f, err)
			}
		}
		if _, stderr, code := run(t, bin, "-spec", "../../spec/openapi.yaml", "-out", out, "-check"); code != 0 {
			t.Fatalf("-check right after generating: exit %d: %s", code, stderr)
		}
		if err := os.WriteFile(filepath.Join(out, "bind.gen.go"), []byte("package unified\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, stderr, code := run(t, bin, "-spec", "../../spec/openapi.yaml", "-out", out, "-check"); code != 1 || !strings.Contains(stderr, "bind.gen.go") {
			t.Fatalf("-check after an edit: exit %d: %s", code, stderr)
		}
	})

	t.Run("a bad spec writes nothing and names file, line and key", func(t *testing.T) {
		dir := t.TempDir()
		bad := strings.Replace(string(spec), "            dixa: required\n            pivotal_tracker: required\n            reamaze: required", "            dixaa: required\n            pivotal_tracker: required\n            reamaze: required", 1)
		bad = strings.Replace(bad, "          languages:\n            qualtrics_corexm: required", "          languages:\n            qualtrics_corexm: requird", 1)
		if bad == string(spec) {
			t.Fatal("the edit did not apply; update the test to the spec")
		}
		specPath := filepath.Join(dir, "openapi.yaml")
		os.WriteFile(specPath, []byte(bad), 0o644)
		out := filepath.Join(dir, "out")
		os.MkdirAll(out, 0o755)
		sentinel := filepath.Join(out, "oapi.gen.go")
		os.WriteFile(sentinel, []byte("previous output"), 0o644)

		_, stderr, code := run(t, bin, "-spec", specPath, "-out", out)
		if code != 1 {
			t.Fatalf("exit %d, want 1: %s", code, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if len(lines) != 2 {
			t.Fatalf("want both problems reported, got:\n%s", stderr)
		}
		specLines := strings.Split(bad, "\n")
		for i, want := range []struct{ key, msg string }{
			{"dixaa", `x-unified-support.request.name.dixaa: unknown integration "dixaa"; did you mean "dixa"?`},
			{"requird", `x-unified-support.request.languages.qualtrics_corexm: level "requird" is not required or supported; did you mean "required"?`},
		} {
			var line, col int
			rest, ok := strings.CutPrefix(lines[i], specPath+":")
			if _, err := fmt.Sscanf(rest, "%d:%d:", &line, &col); !ok || err != nil || !strings.HasSuffix(lines[i], want.msg) {
				t.Errorf("line %d = %q, want %s:LINE:COL: ...%s", i, lines[i], specPath, want.msg)
				continue
			}
			if line < 1 || line > len(specLines) || !strings.Contains(specLines[line-1][col-1:], want.key) {
				t.Errorf("%s:%d:%d does not point at %q", specPath, line, col, want.key)
			}
		}
		got, _ := os.ReadFile(sentinel)
		entries, _ := os.ReadDir(out)
		if string(got) != "previous output" || len(entries) != 1 {
			t.Errorf("a bad spec touched the output directory: %d entries", len(entries))
		}
	})

	t.Run("an operationId cannot steer a path out of the output directory", func(t *testing.T) {
		// The attack: docs/<operationId>.md with operationId
		// X/../../../../README overwrote the repository's README.md and
		// exited 0.
		repo := t.TempDir()
		os.WriteFile(filepath.Join(repo, "README.md"), []byte("the project's readme"), 0o644)
		minimal, err := os.ReadFile("../../generator/testdata/good/minimal/spec.yaml")
		if err != nil {
			t.Fatal(err)
		}
		hostile := strings.Replace(string(minimal), "operationId: createUser", "operationId: X/../../../../README", 1)
		os.WriteFile(filepath.Join(repo, "spec.yaml"), []byte(hostile), 0o644)
		cmd := exec.Command(bin, "-spec", "spec.yaml", "-out", "generated/unified")
		cmd.Dir = repo
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Fatalf("exit %v, want 1: %s", err, out)
		}
		if want := `spec.yaml:13:7: paths["/unified/crm/users"].post.operationId: operationId "X/../../../../README": '/' is not allowed`; !strings.HasPrefix(string(out), want) {
			t.Errorf("output %q, want it to start with %q", out, want)
		}
		if got, _ := os.ReadFile(filepath.Join(repo, "README.md")); string(got) != "the project's readme" {
			t.Errorf("README.md = %q", got)
		}
		if entries, _ := os.ReadDir(repo); len(entries) != 2 {
			t.Errorf("the run left %d entries in the repository, want README.md and spec.yaml only", len(entries))
		}
	})

	t.Run("usage", func(t *testing.T) {
		if _, _, code := run(t, bin, "extra-arg"); code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
	})
}
