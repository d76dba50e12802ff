package store

import (
	"sync"
	"time"
)

// DefaultCacheTTL is how long a successful token or account lookup is
// answered from memory. Every authenticated request makes both lookups,
// and on SQLite they cost more than everything else a rejected request
// does; tenants, tokens and accounts change rarely. Changes made through
// this Store clear the cache at once; changes made by another process
// (unifiedapi apply against a running server) are seen within the TTL.
const DefaultCacheTTL = 5 * time.Second

// lookups caches positive token and account lookups. Misses are never
// cached: an unknown token or account always reaches the database, so a
// newly added one works at once.
type lookups struct {
	ttl      time.Duration
	mu       sync.RWMutex
	tenants  map[string]cached[Tenant] // by token hash, never the token
	accounts map[[2]string]cached[Account]
}

type cached[T any] struct {
	v       T
	expires time.Time
}

func newLookups(ttl time.Duration) *lookups {
	return &lookups{ttl: ttl, tenants: map[string]cached[Tenant]{}, accounts: map[[2]string]cached[Account]{}}
}

func get[K comparable, V any](l *lookups, m map[K]cached[V], k K, now time.Time) (V, bool) {
	if l.ttl <= 0 {
		var zero V
		return zero, false
	}
	l.mu.RLock()
	c, ok := m[k]
	l.mu.RUnlock()
	if !ok || now.After(c.expires) {
		var zero V
		return zero, false
	}
	return c.v, true
}

func put[K comparable, V any](l *lookups, m map[K]cached[V], k K, v V, now time.Time) {
	if l.ttl <= 0 {
		return
	}
	l.mu.Lock()
	m[k] = cached[V]{v: v, expires: now.Add(l.ttl)}
	l.mu.Unlock()
}

// clear forgets everything, after a write to tenants, tokens or accounts.
func (l *lookups) clear() {
	l.mu.Lock()
	clear(l.tenants)
	clear(l.accounts)
	l.mu.Unlock()
}
