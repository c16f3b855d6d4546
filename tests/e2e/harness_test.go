// Package e2e builds real site binaries with hetaoc from configuration
// files, starts them and checks what they serve with real clients.
package e2e

import (
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/hetaoc/hetao/tests/internal/sitetest"
)

func TestMain(m *testing.M) { os.Exit(sitetest.Main(m)) }

var (
	freePort   = sitetest.FreePort
	unheldPort = sitetest.UnheldPort
	siteDir    = sitetest.Dir
	build      = sitetest.Build
	conf       = sitetest.Conf
)

// start runs bin in dir and waits until every port accepts connections;
// cleanup kills its whole process group.
func start(t testing.TB, dir, bin string, ports ...int) *sitetest.Site {
	t.Helper()
	return sitetest.Start(t, dir, bin, ports)
}

type response struct {
	status int
	header http.Header
	body   string
}

var client = &http.Client{
	Transport:     &http.Transport{DisableCompression: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       10 * time.Second,
}

// get fetches url; hdr holds header name/value pairs, "Host" included.
func get(t testing.TB, url string, hdr ...string) response {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return response{resp.StatusCode, resp.Header, string(b)}
}
