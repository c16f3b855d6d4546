// Package image checks `hetaoc build --image`: the archive is
// reproducible, holds what the site needs, and runs in a real container
// engine (podman, when installed).
package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hetaoc/hetao/tests/internal/sitetest"
)

func TestMain(m *testing.M) { os.Exit(sitetest.Main(m)) }

const siteConf = `{
	"worker_processes" : 2,
	"error_log" : "",
	"access_log_format" : json,
	"ops" : { "ip" : "127.0.0.1", "port" : @OPS@ },
	"listen" : {
		"ip" : "127.0.0.1",
		"port" : @PORT@,
		"website" : { "domain" : "", "wwwroot" : "www", "index" : "/index.html" }
	}
}
`

// buildImage runs hetaoc build --image in dir and returns the archive's
// path and the digest hetaoc printed.
func buildImage(t *testing.T, dir, tarName string, args ...string) (string, string) {
	t.Helper()
	cmd := exec.Command(sitetest.Hetaoc, append([]string{"build", "hetao.conf", "-o", "site", "--image", tarName}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("hetaoc build --image: %v\n%s", err, out)
	}
	f := strings.Fields(string(out))
	if len(f) != 3 || f[1] != "image" || !strings.HasPrefix(f[2], "sha256:") {
		t.Fatalf("hetaoc build --image printed %q", out)
	}
	return filepath.Join(dir, tarName), f[2]
}

func siteDir(t *testing.T, port, ops int) string {
	return sitetest.Dir(t, map[string]string{
		"hetao.conf":         sitetest.Conf(siteConf, "PORT", port, "OPS", ops),
		"www/index.html":     "<h1>in a container</h1>",
		"www/css/site.css":   "body { margin: 0 }",
		"notes/private.txt":  "not named by the configuration: stays out",
		"extra/robots.txt":   "User-agent: *",
		"www/assets/app.js":  "console.log(1)",
		"www/assets/.hidden": "copied as any file",
	})
}

// TestImageReproducible: two builds of one configuration give the same
// archive, byte for byte, hence the same digest; the archive holds the
// binary, the wwwroot at its absolute path, CA certificates and the user,
// and its configuration runs /site as that user with STOPSIGNAL SIGTERM.
func TestImageReproducible(t *testing.T) {
	t.Parallel()
	dir := siteDir(t, 8080, 9100)
	a, da := buildImage(t, dir, "a.tar", "--image-www", "extra")
	b, db := buildImage(t, dir, "b.tar", "--image-www", "extra")
	ab, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if da != db || !bytes.Equal(ab, bb) {
		t.Fatalf("two builds differ: %s (%d bytes) and %s (%d bytes)", da, len(ab), db, len(bb))
	}

	files, config := readArchive(t, ab)
	for _, want := range []string{
		"site", "etc/passwd", "etc/group", "etc/ssl/certs/ca-certificates.crt", "tmp/",
		strings.TrimPrefix(filepath.Join(dir, "www/index.html"), "/"),
		strings.TrimPrefix(filepath.Join(dir, "www/assets/.hidden"), "/"),
		strings.TrimPrefix(filepath.Join(dir, "extra/robots.txt"), "/"),
	} {
		if _, ok := files[want]; !ok {
			t.Errorf("the image lacks %s", want)
		}
	}
	if _, ok := files[strings.TrimPrefix(filepath.Join(dir, "notes/private.txt"), "/")]; ok {
		t.Errorf("the image holds a file the configuration does not name")
	}
	if h := files["tmp/"]; h.Mode&0o1777 != 0o1777 {
		t.Errorf("/tmp mode %o", h.Mode)
	}
	if h := files["site"]; h.Mode&0o111 == 0 || !h.ModTime.Equal(time.Unix(0, 0)) {
		t.Errorf("/site: mode %o, time %v", h.Mode, h.ModTime)
	}
	c := config.Config
	if strings.Join(c.Entrypoint, " ") != "/site" || c.User != "65532:65532" || c.StopSignal != "SIGTERM" {
		t.Errorf("config: %+v", c)
	}
	if _, ok := c.ExposedPorts["8080/tcp"]; !ok {
		t.Errorf("exposed ports %v lack 8080/tcp", c.ExposedPorts)
	}
	if _, ok := c.ExposedPorts["9100/tcp"]; !ok {
		t.Errorf("exposed ports %v lack the ops port 9100/tcp", c.ExposedPorts)
	}
}

type imageConfig struct {
	Config struct {
		Entrypoint   []string
		User         string
		StopSignal   string
		ExposedPorts map[string]struct{}
	} `json:"config"`
}

// readArchive reads a `docker save` archive: every layer's entries by
// name (the last layer's wins), and the image configuration.
func readArchive(t *testing.T, archive []byte) (map[string]*tar.Header, imageConfig) {
	t.Helper()
	blobs := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		blobs[h.Name], _ = io.ReadAll(tr)
	}
	var manifest []struct {
		Config string
		Layers []string
	}
	if err := json.Unmarshal(blobs["manifest.json"], &manifest); err != nil || len(manifest) != 1 {
		t.Fatalf("manifest.json: %v %s", err, blobs["manifest.json"])
	}
	var cfg imageConfig
	if err := json.Unmarshal(blobs[manifest[0].Config], &cfg); err != nil {
		t.Fatal(err)
	}
	files := map[string]*tar.Header{}
	for _, l := range manifest[0].Layers {
		inLayer := map[string]*tar.Header{}
		zr, err := gzip.NewReader(bytes.NewReader(blobs[l]))
		if err != nil {
			t.Fatalf("layer %s: %v", l, err)
		}
		lr := tar.NewReader(zr)
		for {
			h, err := lr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			files[h.Name] = h
			inLayer[h.Name] = h
		}
		// An engine creates a parent a layer lacks as 0755, and an upper
		// layer's directory hides the mode of a lower one: every layer
		// must hold its parents, and /tmp must stay 1777 in each.
		for n := range inLayer {
			if dir := filepath.Dir(strings.TrimSuffix(n, "/")); dir != "." && inLayer[dir+"/"] == nil {
				t.Errorf("layer %s holds %s without its directory %s/", l, n, dir)
			}
		}
		if h := inLayer["tmp/"]; h != nil && h.Mode&0o1777 != 0o1777 {
			t.Errorf("layer %s: /tmp mode %o", l, h.Mode)
		}
	}
	return files, cfg
}

// configDigest is the name of the configuration blob of a `docker save`
// archive.
func configDigest(t *testing.T, archive string) string {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("no manifest.json in %s: %v", archive, err)
		}
		if h.Name == "manifest.json" {
			var m []struct{ Config string }
			if err := json.NewDecoder(tr).Decode(&m); err != nil || len(m) != 1 {
				t.Fatalf("manifest.json: %v", err)
			}
			return m[0].Config
		}
	}
}

// TestImageRunsInPodman loads the image into podman, runs it on the
// host's network, fetches a page and /readyz, and stops it with TERM.
func TestImageRunsInPodman(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("podman"); err != nil {
		t.Skip("podman is not installed (apt-get install podman runc): the image is not run in a container engine")
	}
	if _, err := exec.LookPath("runc"); err != nil {
		t.Skip("runc is not installed (apt-get install runc): podman runs the image with --runtime runc")
	}
	if os.Geteuid() != 0 {
		t.Skip("podman with --network host and cgroupfs needs root here")
	}
	port, ops := sitetest.UnheldPort(t), sitetest.UnheldPort(t)
	dir := siteDir(t, port, ops)
	ref := fmt.Sprintf("localhost/hetao-test-%d:latest", port)
	archive, digest := buildImage(t, dir, "site.tar", "--image-ref", ref)

	conf := filepath.Join(t.TempDir(), "containers.conf")
	os.WriteFile(conf, []byte("[containers]\ndefault_ulimits = []\n"), 0o644)
	podman := func(args ...string) (string, error) {
		cmd := exec.Command("podman", append([]string{"--runtime", "runc", "--cgroup-manager", "cgroupfs"}, args...)...)
		cmd.Env = append(os.Environ(), "CONTAINERS_CONF="+conf)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := podman("load", "-i", archive); err != nil {
		t.Fatalf("podman load: %v\n%s", err, out)
	}
	name := fmt.Sprintf("hetao-test-%d", port)
	t.Cleanup(func() {
		podman("rm", "-f", name)
		podman("rmi", "-f", ref)
	})
	// podman stores the layers its own way (its digest differs), but the
	// image ID is the digest of the configuration hetaoc wrote.
	if out, err := podman("image", "inspect", "--format", "{{.Id}}", ref); err != nil || "sha256:"+strings.TrimSpace(out) != configDigest(t, archive) {
		t.Errorf("podman's image ID %q (%v), the archive's configuration %s (image %s)", out, err, configDigest(t, archive), digest)
	}
	if out, err := podman("run", "-d", "--name", name, "--network", "host", ref); err != nil {
		t.Fatalf("podman run: %v\n%s", err, out)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	var body string
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			out, _ := podman("logs", name)
			t.Fatalf("the container does not serve on %s: %v\n%s", base, err, out)
		}
		time.Sleep(50 * time.Millisecond) // a container starting: no signal to wait on from here
	}
	if body != "<h1>in a container</h1>" {
		t.Errorf("page: %q", body)
	}
	// Workers answer a moment before the master has heard them all.
	for {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", ops))
		code := 0
		if err == nil {
			code = resp.StatusCode
			resp.Body.Close()
		}
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz: %d %v", code, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The site is the container's PID 1: a reload keeps the container.
	if out, err := podman("exec", name, "/site", "reload"); err != nil || !strings.HasPrefix(out, "site reloaded, pid ") {
		logs, _ := podman("logs", name)
		t.Fatalf("podman exec %s /site reload: %v\n%s\n%s", name, err, out, logs)
	}
	if r, err := http.Get(base + "/"); err != nil || r.StatusCode != 200 {
		t.Errorf("after a reload in the container: %v %v", r, err)
	} else {
		r.Body.Close()
	}
	if out, _ := podman("inspect", "--format", "{{.State.Running}}", name); strings.TrimSpace(out) != "true" {
		t.Errorf("the container after a reload: running %q", out)
	}
	if out, err := podman("stop", "-t", "20", name); err != nil {
		t.Fatalf("podman stop: %v\n%s", err, out)
	}
	out, _ := podman("inspect", "--format", "{{.State.ExitCode}}", name)
	logs, _ := podman("logs", name)
	if strings.TrimSpace(out) != "0" {
		t.Errorf("exit code after TERM: %q\n%s", out, logs)
	}
	if !strings.Contains(logs, `"uri":"/"`) || !strings.Contains(logs, "serving http://127.0.0.1:") {
		t.Errorf("the container's output lacks the startup line or the JSON access log:\n%s", logs)
	}
}
