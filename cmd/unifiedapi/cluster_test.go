package main_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/unifiedgen/unifiedgen/internal/store/storetest"
)

// cluster is a PostgreSQL cluster of the test's own, which it may kill.
type cluster struct {
	t    *testing.T
	bin  string // PostgreSQL's bin directory
	dir  string
	port int
	as   string // the user running it when the test runs as root
}

// newCluster creates and starts a cluster in a temporary directory on a
// free local port, as .ci/run's scripts/pg-cluster.sh does (as root, as
// the user postgres, since PostgreSQL refuses to run as root), and stops
// it when the test ends. Its binaries are found in UNIFIED_TEST_PG_BIN,
// on PATH, or under /usr/lib/postgresql; without them the test is
// skipped, or failed under CI=true.
func newCluster(t *testing.T) *cluster {
	t.Helper()
	storetest.ServerURL(t) // the same skip-or-fail rule as every PostgreSQL test
	c := &cluster{t: t, bin: pgBin()}
	if c.bin == "" {
		t.Fatal("no initdb: set UNIFIED_TEST_PG_BIN to PostgreSQL's bin directory (.ci/run does)")
	}
	dir, err := os.MkdirTemp("", "unified-pg-kill-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		c.as = "postgres"
		u, err := user.Lookup(c.as)
		if err != nil {
			t.Fatalf("running as root, PostgreSQL needs an unprivileged user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		if err := os.Chown(dir, uid, -1); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if out, err := c.run("initdb", "-D", c.data(), "-U", "unified", "--auth=trust", "-E", "UTF8", "--no-locale"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	c.start()
	t.Cleanup(func() { c.run("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop") })
	return c
}

func (c *cluster) data() string { return filepath.Join(c.dir, "data") }

// URL is the address of the cluster's database "postgres".
func (c *cluster) URL() string {
	return fmt.Sprintf("postgres://unified@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

func (c *cluster) run(tool string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(c.bin, tool), args...)
	if c.as != "" {
		cmd = exec.Command("runuser", append([]string{"-u", c.as, "--", filepath.Join(c.bin, tool)}, args...)...)
	}
	cmd.Dir = c.dir
	return cmd.CombinedOutput()
}

// start starts the cluster and waits until it accepts connections.
func (c *cluster) start() {
	c.t.Helper()
	out, err := c.run("pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "server.log"), "-w", "-t", "60",
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", c.port, c.dir), "start")
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		c.t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		conn, err := pgx.Connect(ctx, c.URL())
		if err == nil {
			conn.Close(ctx)
			return
		}
		if ctx.Err() != nil {
			c.t.Fatalf("the cluster does not accept connections: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill stops the cluster as a crash would: pg_ctl's immediate mode ends
// every server process at once, without a checkpoint, so that the next
// start runs crash recovery from the WAL.
func (c *cluster) kill() {
	c.t.Helper()
	if out, err := c.run("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop"); err != nil {
		c.t.Fatalf("pg_ctl stop -m immediate: %v\n%s", err, out)
	}
}

// pgBin finds PostgreSQL's bin directory.
func pgBin() string {
	if d := os.Getenv("UNIFIED_TEST_PG_BIN"); d != "" {
		return d
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(r)
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i]
		}
	}
	return ""
}
