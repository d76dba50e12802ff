// Package logbuf buffers log output and writes it out at a fixed interval,
// so that a busy server does not pay one write system call per log line.
// The cost: when the process is killed (SIGKILL), the lines of the last
// interval are lost. Stored data never depends on them.
package logbuf

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// Writer is an io.Writer safe for concurrent use.
type Writer struct {
	mu   sync.Mutex
	buf  *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

// New buffers writes to w and flushes them every interval (and whenever
// 64 KiB have piled up). Close flushes and stops.
func New(w io.Writer, interval time.Duration) *Writer {
	l := &Writer{buf: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				l.Flush()
			case <-l.stop:
				return
			}
		}
	}()
	return l
}

// Write buffers p.
func (l *Writer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// Flush writes out what is buffered.
func (l *Writer) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Flush()
}

// Close flushes and stops the background flusher.
func (l *Writer) Close() error {
	close(l.stop)
	<-l.done
	return l.Flush()
}
