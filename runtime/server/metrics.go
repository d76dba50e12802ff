package server

import (
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/unifiedgen/unifiedgen/internal/store"
	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

// metrics are the service's Prometheus metrics (README, "Metrics"). Label
// values come from the spec and the service's own vocabulary (operation
// ids, integration ids, statuses, rules, limit names), never from a
// request's raw input, so their number is bounded.
type metrics struct {
	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	failures      *prometheus.CounterVec
	rateLimited   *prometheus.CounterVec
	storeDuration *prometheus.HistogramVec

	series        sync.Map // seriesKey → *requestSeries
	failureSeries sync.Map // failureKey → prometheus.Counter
	// storeCalls are storeDuration's series, one per call, for the
	// store's one engine. The token and account lookups are observed when
	// the store reads its database (a cached answer is no database call).
	storeCalls map[string]prometheus.Observer
}

func newMetrics(reg prometheus.Registerer, st store.Store) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "unified_http_requests_total",
			Help: "Requests answered, by operation (the spec's operationId, or meta, openapi, health, unknown), integration of the account (\"\" when none was resolved) and status.",
		}, []string{"operation", "integration", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "unified_http_request_duration_seconds",
			Help:    "Time from the request's arrival to its last byte written, by operation, integration and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"operation", "integration", "status"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "unified_validation_failures_total",
			Help: "Failures reported in 400 answers, by operation, integration and rule (type, required, integration_required, enum, unknown, unsupported, ...).",
		}, []string{"operation", "integration", "rule"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "unified_rate_limit_rejections_total",
			Help: "Requests answered 429, by limit: tenant, account, or auth_failures (per client address).",
		}, []string{"limit"}),
		storeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "unified_store_duration_seconds",
			Help:    "Time of the service's database calls, by call (tenant_by_token and account when not answered from the cache, read, write, rate_limit) and engine, failures included.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"call", "engine"}),
	}
	m.storeCalls = map[string]prometheus.Observer{}
	for _, call := range []string{"tenant_by_token", "account", "read", "write", "rate_limit"} {
		m.storeCalls[call] = m.storeDuration.WithLabelValues(call, st.Engine())
	}
	reg.MustRegister(m.requests, m.duration, m.failures, m.rateLimited, m.storeDuration, poolCollector{st})
	return m
}

// timeStore observes the duration of one store call (one of storeCalls').
func (m *metrics) timeStore(call string, start time.Time) {
	m.storeCalls[call].Observe(time.Since(start).Seconds())
}

// validation counts a 400's failures under the request's operation.
func (m *metrics) validation(op string, rep *validation.Report, integration string) {
	if op == "" {
		op = "unknown"
	}
	for _, f := range rep.Failures {
		key := failureKey{op, f.Integration, f.Rule}
		if key.integration == "" {
			key.integration = integration
		}
		c, ok := m.failureSeries.Load(key)
		if !ok {
			c, _ = m.failureSeries.LoadOrStore(key, m.failures.WithLabelValues(key.operation, key.integration, string(key.rule)))
		}
		c.(prometheus.Counter).Inc()
	}
}

// request counts an answered request.
func (m *metrics) request(l *exchangeLog, status int, d time.Duration) {
	key := seriesKey{l.operation, l.integration, status}
	if key.operation == "" {
		key.operation = "unknown"
	}
	s, ok := m.series.Load(key)
	if !ok {
		code := strconv.Itoa(status)
		s, _ = m.series.LoadOrStore(key, &requestSeries{
			count:    m.requests.WithLabelValues(key.operation, key.integration, code),
			duration: m.duration.WithLabelValues(key.operation, key.integration, code),
		})
	}
	rs := s.(*requestSeries)
	rs.count.Inc()
	rs.duration.Observe(d.Seconds())
}

// seriesKey names the series of requests answered: its labels, bounded
// in number as every label is (see metrics).
type seriesKey struct {
	operation, integration string
	status                 int
}

// failureKey names the series of validation failures.
type failureKey struct {
	operation, integration string
	rule                   validation.Rule
}

// requestSeries are one seriesKey's counter and histogram, looked up once
// rather than by hashing their labels on every request.
type requestSeries struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

// poolCollector reports the store's connection pools when scraped:
// their size, use, and how often and how long callers waited for a
// connection (saturation).
type poolCollector struct{ st store.Store }

var (
	poolMax = prometheus.NewDesc("unified_store_pool_max_connections",
		"The most connections the store's pools open (SQLite: readers plus the writer).", []string{"engine"}, nil)
	poolConns = prometheus.NewDesc("unified_store_pool_connections",
		"The store's connections now, by state (in_use, idle).", []string{"engine", "state"}, nil)
	poolWaits = prometheus.NewDesc("unified_store_pool_waits_total",
		"Times a caller had to wait for a free connection.", []string{"engine"}, nil)
	poolWaitSeconds = prometheus.NewDesc("unified_store_pool_wait_seconds_total",
		"Total time callers waited for a free connection.", []string{"engine"}, nil)
	queuedWrites = prometheus.NewDesc("unified_store_queued_writes",
		"Writes waiting for SQLite's single writer now (0 on PostgreSQL).", []string{"engine"}, nil)
)

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolMax, poolConns, poolWaits, poolWaitSeconds, queuedWrites} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	st, e := c.st.Stats(), c.st.Engine()
	ch <- prometheus.MustNewConstMetric(poolMax, prometheus.GaugeValue, float64(st.MaxConns), e)
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(st.InUse), e, "in_use")
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(st.Idle), e, "idle")
	ch <- prometheus.MustNewConstMetric(poolWaits, prometheus.CounterValue, float64(st.WaitCount), e)
	ch <- prometheus.MustNewConstMetric(poolWaitSeconds, prometheus.CounterValue, st.WaitDuration.Seconds(), e)
	ch <- prometheus.MustNewConstMetric(queuedWrites, prometheus.GaugeValue, float64(st.QueuedWrites), e)
}
