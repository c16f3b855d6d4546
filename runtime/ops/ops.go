// Package ops serves a site's operations listen from its master:
//
//	/healthz  200 while the master runs (liveness)
//	/readyz   200 when every listening socket is open and every worker
//	          serves; 503 while starting, while a worker is being
//	          replaced, and while draining after TERM (readiness)
//	/metrics  the Prometheus text format, written with
//	          github.com/prometheus/common/expfmt from the sum of the
//	          workers' counters (runtime/metrics) and the master's own
//
// Generated code links it (server.Ops.Serve = ops.Serve) only for sites
// with an ops key, so other sites carry neither net/http nor the
// Prometheus libraries.
package ops

import (
	"bytes"
	"net"
	"net/http"
	"strconv"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/hetaoc/hetao/runtime/metrics"
	"github.com/hetaoc/hetao/runtime/server"
)

// Serve answers on ln until it is closed.
func Serve(ln net.Listener, src *server.OpsSource) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		h := src.Health
		if h.Ready() {
			w.Write([]byte("ready\n"))
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		conf, up := h.Workers()
		switch {
		case h.Draining():
			w.Write([]byte("draining\n"))
		default:
			w.Write([]byte("starting: " + strconv.Itoa(up) + " of " + strconv.Itoa(conf) + " workers serving\n"))
		}
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		format := expfmt.NewFormat(expfmt.TypeTextPlain)
		var buf bytes.Buffer
		enc := expfmt.NewEncoder(&buf, format)
		for _, mf := range families(src) {
			if err := enc.Encode(mf); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		w.Header().Set("Content-Type", string(format))
		w.Write(buf.Bytes())
	})
	s := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute}
	return s.Serve(ln)
}

// families is every metric of the site now, in a fixed order.
func families(src *server.OpsSource) []*dto.MetricFamily {
	s := src.Snapshot()
	h := src.Health
	var out []*dto.MetricFamily
	add := func(name, help string, typ dto.MetricType, ms ...*dto.Metric) {
		if len(ms) > 0 {
			out = append(out, &dto.MetricFamily{Name: &name, Help: &help, Type: &typ, Metric: ms})
		}
	}

	var reqs, sent []*dto.Metric
	for i, name := range src.Websites {
		byClass, bytes := s.Requests(i)
		for c, n := range byClass {
			reqs = append(reqs, counter(n, "website", name, "code", strconv.Itoa(c+1)+"xx"))
		}
		sent = append(sent, counter(bytes, "website", name))
	}
	add("hetao_requests_total", "Answers by website and status class (requests no website took: website \"(none)\").", dto.MetricType_COUNTER, reqs...)
	add("hetao_sent_bytes_total", "Body bytes of the answers, by website.", dto.MetricType_COUNTER, sent...)
	var perWorker []*dto.Metric
	for i, n := range s.PerWorker {
		perWorker = append(perWorker, counter(n, "worker", strconv.Itoa(i)))
	}
	add("hetao_worker_requests_total", "Answers by worker slot.", dto.MetricType_COUNTER, perWorker...)
	add("hetao_connections_open", "Client connections the workers hold (updated once a second).", dto.MetricType_GAUGE, gauge(float64(s.Conns())))

	hits, misses, cached := s.Cache()
	add("hetao_cache_hits_total", "Static answers from the in-memory file cache.", dto.MetricType_COUNTER, counter(hits))
	add("hetao_cache_misses_total", "Static lookups the file cache did not answer.", dto.MetricType_COUNTER, counter(misses))
	add("hetao_cache_bytes", "Bytes the workers' file caches hold, variants included (updated once a second).", dto.MetricType_GAUGE, gauge(float64(cached)))
	var variants []*dto.Metric
	for i, n := range s.Variants() {
		variants = append(variants, counter(n, "encoding", metrics.EncodingNames[i]))
	}
	add("hetao_compressed_responses_total", "Answers from the file cache in a compressed variant (304s included), by encoding.", dto.MetricType_COUNTER, variants...)

	var upReqs, upFails, upDown, upLat []*dto.Metric
	for i, b := range src.Backends {
		c := s.Backend(i)
		labels := []string{"upstream", b.Upstream, "backend", b.Addr}
		upReqs = append(upReqs, counter(c.Requests, labels...))
		upFails = append(upFails, counter(c.Failures, labels...))
		upDown = append(upDown, gauge(float64(c.Disabled), labels...))
		upLat = append(upLat, histogram(c, labels...))
	}
	add("hetao_upstream_requests_total", "Requests sent to a backend.", dto.MetricType_COUNTER, upReqs...)
	add("hetao_upstream_failures_total", "Backends that refused a connection or answered with a 502 or 504.", dto.MetricType_COUNTER, upFails...)
	add("hetao_upstream_disabled", "Workers that skip the backend now, after it failed (forward_disable).", dto.MetricType_GAUGE, upDown...)
	add("hetao_upstream_latency_seconds", "Time from a forwarded request's head to the end of its backend's answer.", dto.MetricType_HISTOGRAM, upLat...)

	ok, failed := s.TLS()
	add("hetao_tls_handshakes_total", "TLS handshakes by result.", dto.MetricType_COUNTER,
		counter(ok, "result", "ok"), counter(failed, "result", "failed"))

	conf, up := h.Workers()
	add("hetao_workers", "Worker processes configured and serving.", dto.MetricType_GAUGE,
		gauge(float64(conf), "state", "configured"), gauge(float64(up), "state", "serving"))
	add("hetao_worker_restarts_total", "Workers replaced after they died, since this master started.", dto.MetricType_COUNTER, counter(h.Restarts()))
	add("hetao_reloads_total", "Reloads (USR2) that succeeded, across the masters of the site.", dto.MetricType_COUNTER, counter(h.Reloads()))
	ready := 0.0
	if h.Ready() {
		ready = 1
	}
	add("hetao_ready", "1 when the site takes traffic (what /readyz answers).", dto.MetricType_GAUGE, gauge(ready))
	return out
}

func labelPairs(kv []string) []*dto.LabelPair {
	var out []*dto.LabelPair
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, &dto.LabelPair{Name: &kv[i], Value: &kv[i+1]})
	}
	return out
}

func counter(v uint64, labels ...string) *dto.Metric {
	f := float64(v)
	return &dto.Metric{Label: labelPairs(labels), Counter: &dto.Counter{Value: &f}}
}

func gauge(v float64, labels ...string) *dto.Metric {
	return &dto.Metric{Label: labelPairs(labels), Gauge: &dto.Gauge{Value: &v}}
}

// histogram turns a backend's per-bucket counts (milliseconds) into a
// Prometheus histogram in seconds, with cumulative buckets.
func histogram(b metrics.Backend, labels ...string) *dto.Metric {
	count, sum := b.Count, float64(b.SumMs)/1000
	h := &dto.Histogram{SampleCount: &count, SampleSum: &sum}
	var cum uint64
	for i, le := range metrics.Buckets {
		cum += b.Buckets[i]
		n, bound := cum, float64(le)/1000
		h.Bucket = append(h.Bucket, &dto.Bucket{CumulativeCount: &n, UpperBound: &bound})
	}
	return &dto.Metric{Label: labelPairs(labels), Histogram: h}
}
