package generator_test

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/unifiedgen/unifiedgen/generator"
)

// TestKilledRunLeavesOldOrNewOutput kills the generator with SIGKILL at
// random moments while it replaces a big output directory, and checks
// after each kill that the directory holds exactly the old output or
// exactly the new one (with the hand-written files in it either way), and
// that the next run completes and leaves nothing behind.
//
// A third of the kills land anywhere in a run; the others wait until the
// run has started writing its new output (an entry appears next to the
// output directory or in it) and then strike at a random moment of the writing, the
// exchange and the removal of the old output, where a kill can do harm.
// Only the kill moments are random; no assertion depends on timing.
func TestKilledRunLeavesOldOrNewOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the generator and runs it many times")
	}
	root := t.TempDir()
	bin := filepath.Join(root, "unifiedgen")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/unifiedgen").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	// Two outputs that differ in content and in their file sets (B has
	// more operations, so more docs pages).
	specs := [2]string{filepath.Join(root, "a.yaml"), filepath.Join(root, "b.yaml")}
	os.WriteFile(specs[0], []byte(syntheticSpec(30, 10)), 0o644)
	os.WriteFile(specs[1], []byte(syntheticSpec(33, 11)), 0o644)
	parent := filepath.Join(root, "gen")
	out := filepath.Join(parent, "unified")
	handWritten := map[string]string{
		"doc.go":         "// Package unified is generated.\npackage unified\n\n//go:generate unifiedgen\n",
		"docs/notes.txt": "hand-written notes",
	}
	var states [2]map[string]string
	for i, spec := range specs {
		files, err := generator.Generate(generator.Config{Spec: spec, Out: out, Package: "unified"})
		if err != nil {
			t.Fatal(err)
		}
		states[i] = maps.Clone(handWritten)
		for _, f := range files {
			states[i][f.Path] = string(f.Content)
		}
	}
	if maps.Equal(states[0], states[1]) {
		t.Fatal("the two specs give the same output")
	}
	for p, content := range handWritten {
		os.MkdirAll(filepath.Dir(filepath.Join(out, p)), 0o755)
		os.WriteFile(filepath.Join(out, p), []byte(content), 0o644)
	}
	runToEnd := func(spec string, args ...string) error {
		return exec.Command(bin, append([]string{"-spec", spec, "-out", out, "-package", "unified"}, args...)...).Run()
	}
	if err := runToEnd(specs[0]); err != nil {
		t.Fatal(err)
	}
	checkState(t, out, states[0], "after the first run")

	// How long a run takes, and how long its writing lasts: the windows the
	// kill moments are drawn from.
	start := time.Now()
	p := startRun(t, bin, specs[1], out)
	writing := p.waitForWrite(parent, out, filepath.Join(out, "docs"))
	if err := p.wait(); err != nil {
		t.Fatal(err)
	}
	total, write := time.Since(start), time.Since(writing)
	checkState(t, out, states[1], "after the second run")
	t.Logf("a run takes %v, of which writing %v", total, write)

	const kills = 24
	current, outcomes := 1, map[string]int{}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range kills {
		target := 1 - current
		p := startRun(t, bin, specs[target], out)
		switch i % 3 {
		case 0:
			time.Sleep(time.Duration(rng.Int64N(int64(total))))
		case 1:
			p.waitForWrite(parent, out, filepath.Join(out, "docs"))
			time.Sleep(time.Duration(rng.Int64N(int64(write) + 1)))
		case 2:
			p.waitForSwitch(out)
		}
		p.cmd.Process.Signal(syscall.SIGKILL) // an error if it has finished
		err := p.wait()
		var exit *exec.ExitError
		killed := errors.As(err, &exit) && !exit.Exited()
		if err != nil && !killed {
			t.Fatalf("kill %d: the run failed on its own: %v", i, err)
		}

		got := snapshotTree(t, out)
		switch {
		case maps.Equal(got, states[current]):
			outcomes[fmt.Sprintf("old output (killed: %v)", killed)]++
		case maps.Equal(got, states[target]):
			outcomes[fmt.Sprintf("new output (killed: %v)", killed)]++
		default:
			t.Fatalf("kill %d left a mix of old and new output: %s", i, describeMix(got, states[current], states[target]))
		}

		if len(leftoversIn(t, parent)) > 0 {
			outcomes["with leftovers for the next run"]++
		}
		if err := runToEnd(specs[target]); err != nil {
			t.Fatalf("the run after kill %d: %v", i, err)
		}
		checkState(t, out, states[target], fmt.Sprintf("the run after kill %d", i))
		if left := leftoversIn(t, parent); len(left) > 0 {
			t.Fatalf("the run after kill %d left %v next to the output", i, left)
		}
		current = target
	}
	t.Logf("outcomes of %d kills: %v", kills, outcomes)

	if err := runToEnd(specs[current], "-check"); err != nil {
		t.Errorf("-check on up-to-date output: %v", err)
	}
	if err := runToEnd(specs[1-current], "-check"); err == nil {
		t.Errorf("-check against the other spec passed")
	}
}

// waitForSwitch waits until dir is another directory than when it started
// (or the run exits).
func (r *run) waitForSwitch(dir string) {
	before, err := os.Stat(dir)
	for err == nil {
		if now, err := os.Stat(dir); err == nil && !os.SameFile(before, now) {
			return
		}
		select {
		case <-r.done:
			return
		case <-time.After(100 * time.Microsecond):
		}
	}
}

// A run is the generator running in the background.
type run struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when it has exited
	err  error         // its Wait error, once done is closed
}

func startRun(t *testing.T, bin, spec, out string) *run {
	t.Helper()
	r := &run{cmd: exec.Command(bin, "-spec", spec, "-out", out, "-package", "unified"), done: make(chan struct{})}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		r.err = r.cmd.Wait()
		close(r.done)
	}()
	return r
}

func (r *run) wait() error {
	<-r.done
	return r.err
}

// waitForWrite waits until the run starts writing (an entry appears in or
// disappears from one of dirs: a temporary directory next to the output,
// a temporary file in it), or exits, and returns when.
func (r *run) waitForWrite(dirs ...string) time.Time {
	listing := func() string {
		var b strings.Builder
		for _, d := range dirs {
			entries, _ := os.ReadDir(d)
			for _, e := range entries {
				b.WriteString(e.Name() + "\n")
			}
		}
		return b.String()
	}
	before := listing()
	for {
		if listing() != before {
			return time.Now()
		}
		select {
		case <-r.done:
			return time.Now()
		case <-time.After(100 * time.Microsecond):
		}
	}
}

// snapshotTree is every file under root with its content, by
// slash-separated path; nil when root does not exist.
func snapshotTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		data, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func checkState(t *testing.T, dir string, want map[string]string, when string) {
	t.Helper()
	if got := snapshotTree(t, dir); !maps.Equal(got, want) {
		t.Fatalf("%s, the output is not the expected one: %s", when, describeMix(got, want, nil))
	}
}

// describeMix says how got differs from the old and new states.
func describeMix(got, old, new map[string]string) string {
	if got == nil {
		return "the output directory is missing"
	}
	var fromOld, fromNew, neither, missing []string
	for p, c := range got {
		switch {
		case old[p] == c && (new == nil || new[p] != c):
			fromOld = append(fromOld, p)
		case new != nil && new[p] == c && old[p] != c:
			fromNew = append(fromNew, p)
		case old[p] != c && (new == nil || new[p] != c):
			neither = append(neither, p)
		}
	}
	for p := range old {
		if _, ok := got[p]; !ok {
			missing = append(missing, p)
		}
	}
	for _, l := range [][]string{fromOld, fromNew, neither, missing} {
		slices.Sort(l)
	}
	few := func(l []string) string {
		if len(l) > 5 {
			return fmt.Sprint(l[:5]) + "..."
		}
		return fmt.Sprint(l)
	}
	return fmt.Sprintf("%d files as in the old output %s, %d as in the new %s, %d in neither %s, %d of the old missing %s",
		len(fromOld), few(fromOld), len(fromNew), few(fromNew), len(neither), few(neither), len(missing), few(missing))
}

func leftoversIn(t *testing.T, parent string) []string {
	t.Helper()
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Name() != "unified" {
			out = append(out, e.Name())
		}
	}
	return out
}
