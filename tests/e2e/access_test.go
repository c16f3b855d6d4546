package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

const accessConf = `{
	"worker_processes" : 1,
	"error_log" : "log/error.log",
	"listen" : {
		"ip" : "127.0.0.1",
		"port" : @DENIED@,
		"website" : { "domain" : "", "wwwroot" : "www", "index" : "/index.html",
			"deny" : "127.0.0.1",
			"rewrite" : { "pattern" : "^/old$", "new_uri" : "/index.html" },
			"redirect" : { "domain" : "old.example", "new_domain" : "new.example" } }
	},
	"listen" : {
		"ip" : "127.0.0.1",
		"port" : @ALLOWED@,
		"website" : { "domain" : "", "wwwroot" : "www", "index" : "/index.html",
			"allow" : "127.0.0.0/8 ::1", "deny" : "all",
			"location" : { "prefix" : "/private/", "allow" : "10.0.0.0/8" } }
	},
	"listen" : {
		"ip" : "127.0.0.1",
		"port" : @LIMITED@,
		"website" : { "domain" : "", "wwwroot" : "www", "index" : "/index.html",
			"limit_req" : { "rate" : "10r/s", "burst" : 20 } }
	}
}
`

// TestAllowDenyAndLimitReq: a denied address gets 403 on every path, before
// rewrites and redirects; an allowed one is served except where a location
// narrows the list; a burst of 100 requests at 10 r/s with burst 20 gets
// 429 with Retry-After for all but 21 and one per 100 ms, and the client
// recovers.
func TestAllowDenyAndLimitReq(t *testing.T) {
	t.Parallel()
	denied, allowed, limited := freePort(t), freePort(t), freePort(t)
	dir := siteDir(t, map[string]string{
		"hetao.conf":         conf(accessConf, "DENIED", denied, "ALLOWED", allowed, "LIMITED", limited),
		"www/index.html":     "home",
		"www/private/a.html": "private",
		"www/public/b.html":  "public",
	})
	start(t, dir, build(t, dir), denied, allowed, limited)

	for _, p := range []string{"/", "/index.html", "/old", "/missing", "/private/a.html", "/a%20b?q=1"} {
		if r := get(t, fmt.Sprintf("http://127.0.0.1:%d%s", denied, p)); r.status != 403 {
			t.Errorf("denied GET %s: %d, want 403", p, r.status)
		}
	}
	if r := get(t, fmt.Sprintf("http://127.0.0.1:%d/", denied), "Host", "old.example"); r.status != 403 {
		t.Errorf("denied redirect: %d, want 403", r.status)
	}
	resp, err := client.Post(fmt.Sprintf("http://127.0.0.1:%d/", denied), "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("denied POST: %d, want 403", resp.StatusCode)
	}
	for p, want := range map[string]int{"/": 200, "/public/b.html": 200, "/private/a.html": 403} {
		if r := get(t, fmt.Sprintf("http://127.0.0.1:%d%s", allowed, p)); r.status != want {
			t.Errorf("allowed GET %s: %d, want %d", p, r.status, want)
		}
	}

	url := fmt.Sprintf("http://127.0.0.1:%d/", limited)
	passed, first429 := 0, -1
	var to429 time.Duration // from the burst's start to its first 429
	begin := time.Now()
	for i := 0; i < 100; i++ {
		r := get(t, url)
		switch r.status {
		case 200:
			passed++
		case 429:
			if first429 < 0 {
				first429, to429 = i, time.Since(begin)
			}
			if ra := r.header.Get("Retry-After"); ra != "1" {
				t.Fatalf("request %d: Retry-After %q, want 1", i, ra)
			}
		default:
			t.Fatalf("request %d: %d", i, r.status)
		}
	}
	// 21 at once; the rate lets one more through every 100 ms the burst
	// takes (on a loaded machine, the first 21 requests alone may take
	// longer than 100 ms).
	refills := func(d time.Duration) int { return int(d/(100*time.Millisecond)) + 1 }
	if first429 < 21 || first429 > 21+refills(to429) || passed > 21+refills(time.Since(begin)) {
		t.Errorf("burst of 100: %d passed in %v, first 429 at %d after %v; want 21 passing first, then one per 100 ms",
			passed, time.Since(begin), first429, to429)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		r := get(t, url)
		if r.status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %d two seconds after the burst", r.status)
		}
		time.Sleep(20 * time.Millisecond) // the limiter drains with time: nothing to await but the clock
	}
}
