package server

import "sync"

// budget bounds the bytes of request bodies held at once. A request
// reserves what its body may take before reading it and gives it back when
// it is done; one that does not fit is refused rather than queued, so a
// burst of large bodies costs the service a bounded amount of memory.
type budget struct {
	mu    sync.Mutex
	free  int64
	total int64
}

func newBudget(total int64) *budget { return &budget{free: total, total: total} }

func (b *budget) acquire(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n > b.free {
		return false
	}
	b.free -= n
	return true
}

func (b *budget) release(n int64) {
	b.mu.Lock()
	b.free = min(b.free+n, b.total)
	b.mu.Unlock()
}
