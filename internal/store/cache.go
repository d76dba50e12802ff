package store

import (
	"sync"
	"sync/atomic"
	"time"
)

// DefaultCacheTTL is how long a successful token or account lookup is
// answered from memory. Every authenticated request makes both lookups,
// and on SQLite they cost more than everything else a rejected request
// does; tenants, tokens and accounts change rarely.
//
// It is also the bound on how long a revoked token keeps working:
//
//   - a change committed through this Store (unifiedapi serve -config, or
//     anything else in the process) empties the cache when it commits, so
//     it holds from the next lookup on;
//   - a change committed by another process on the same file (unifiedapi
//     apply or revoke against a running server, or another server) is
//     seen once the entries cached before it expire: at most the TTL after
//     the commit, since an entry expires the TTL after the lookup that
//     cached it began, and a lookup that began after the commit reads the
//     new state. Misses are never cached.
//
// On PostgreSQL a change committed by any process reaches every replica
// through LISTEN/NOTIFY within RevocationBound instead, whatever the TTL.
const DefaultCacheTTL = 5 * time.Second

// lookups caches positive token and account lookups. Misses are never
// cached: an unknown token or account always reaches the database, so a
// newly added one works at once.
//
// On PostgreSQL, where several replicas share the database, the cache is
// kept only while the replica listens for invalidations (see listen in
// postgres.go): every change to tenants, tokens or accounts notifies every
// replica when it commits, and each clears its cache on the notification.
// While the listener is down (the database restarting, a network problem)
// nothing is cached, so a change made meanwhile is never hidden by an
// entry the replica could not hear about.
type lookups struct {
	ttl time.Duration
	// needLive makes caching depend on live (PostgreSQL).
	needLive bool
	live     atomic.Bool
	// now is the clock that expiry is measured by (tests replace it).
	now func() time.Time

	mu sync.RWMutex
	// gen counts clears. A lookup notes it before reading the database
	// and caches its result only if no clear came in between: otherwise a
	// lookup that read the old state just before a revocation committed
	// could cache it just after the clear, and the revoked token would
	// work for another TTL.
	gen      uint64
	tenants  map[[32]byte]cached[Tenant] // by the token's SHA-256, never the token
	accounts map[[2]string]cached[Account]
}

type cached[T any] struct {
	v       T
	expires time.Time
}

// newLookups makes the cache of Options.CacheTTL: 0 is DefaultCacheTTL,
// negative no cache.
func newLookups(ttl time.Duration, needLive bool) *lookups {
	if ttl == 0 {
		ttl = DefaultCacheTTL
	}
	return &lookups{ttl: ttl, needLive: needLive, now: time.Now, tenants: map[[32]byte]cached[Tenant]{}, accounts: map[[2]string]cached[Account]{}}
}

// off reports whether nothing may be cached now.
func (l *lookups) off() bool { return l.ttl <= 0 || (l.needLive && !l.live.Load()) }

// setLive records whether invalidations are being heard. Either way the
// cache is emptied: going down, what it holds may go stale unheard;
// coming up, a change may have been missed while it was down. A lookup in
// flight across the change does not cache (the generation moved on).
func (l *lookups) setLive(live bool) {
	if !live {
		l.live.Store(false)
	}
	l.clear()
	if live {
		l.live.Store(true)
	}
}

// get returns the cached value for k, if any, and otherwise the generation
// and time to hand to put after reading the database.
func get[K comparable, V any](l *lookups, m map[K]cached[V], k K) (v V, ok bool, gen uint64, now time.Time) {
	if l.off() {
		return v, false, 0, time.Time{}
	}
	now = l.now()
	l.mu.RLock()
	c, found := m[k]
	gen = l.gen
	l.mu.RUnlock()
	if !found || !now.Before(c.expires) {
		return v, false, gen, now
	}
	return c.v, true, gen, now
}

// put caches v for k until the TTL after now, the time the lookup began,
// unless the cache was cleared since get returned gen.
func put[K comparable, V any](l *lookups, m map[K]cached[V], k K, v V, gen uint64, now time.Time) {
	if l.off() {
		return
	}
	l.mu.Lock()
	if l.gen == gen {
		m[k] = cached[V]{v: v, expires: now.Add(l.ttl)}
	}
	l.mu.Unlock()
}

// clear forgets everything, after a write to tenants, tokens or accounts.
func (l *lookups) clear() {
	l.mu.Lock()
	l.gen++
	clear(l.tenants)
	clear(l.accounts)
	l.mu.Unlock()
}
