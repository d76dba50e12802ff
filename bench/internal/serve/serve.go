// Package serve starts the programs the benchmarks measure, each on a
// free port of 127.0.0.1, and waits until they answer.
package serve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"syscall"
	"time"
)

// Process is a started program.
type Process struct {
	Base string        // http://127.0.0.1:PORT
	PID  int           // for /proc
	Took time.Duration // from starting the process to its first answer

	cmd *exec.Cmd
	// exited is closed when the process has exited, with its error in
	// exitErr: closed, not sent, so that both a failed start and Stop
	// can wait for it.
	exited  chan struct{}
	exitErr error
}

// FreeAddr returns a port of 127.0.0.1 that was free a moment ago.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Start starts cmd, which listens on addr, and waits until its /healthz
// answers 200, polling every poll for at most 30 s.
func Start(cmd *exec.Cmd, addr string, poll time.Duration) (*Process, error) {
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Process{Base: "http://" + addr, PID: cmd.Process.Pid, cmd: cmd, exited: make(chan struct{})}
	go func() {
		p.exitErr = cmd.Wait()
		close(p.exited)
	}()
	if err := p.wait(poll); err != nil {
		p.Stop()
		return nil, err
	}
	p.Took = time.Since(t0)
	return p, nil
}

func (p *Process) wait(every time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.Base+"/healthz", nil)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited before answering /healthz: %v", p.cmd.Path, p.exitErr)
		case <-ctx.Done():
			return errors.New(p.cmd.Path + ": no answer from /healthz in 30s")
		case <-time.After(every):
		}
	}
}

// Stop ends the process with SIGTERM, or SIGKILL after 10 s.
func (p *Process) Stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
}
