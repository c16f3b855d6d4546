// Package image packs a built site binary into a container image archive
// with github.com/google/go-containerregistry: no daemon, no network, and
// the same inputs give the same bytes (so the same image digest).
//
// The image has three layers, from the least to the most often changed:
//
//	base     /etc/passwd and /etc/group with the user hetao (65532), the
//	         build machine's CA certificates (for forward.ssl backends),
//	         /tmp (the pid file goes there: XDG_RUNTIME_DIR=/tmp)
//	content  the files the configuration names that live under its
//	         directory (website and location roots, error pages,
//	         certificates, htpasswd files) and --image-www directories,
//	         each at its absolute path, as the binary names it; the
//	         directories of named log files, owned by hetao
//	binary   /site
//
// and runs /site as hetao (65532:65532) with STOPSIGNAL SIGTERM and the
// listens' (and ops') ports exposed. Every file is owned by root and
// stamped with SOURCE_DATE_EPOCH (0 when unset).
package image

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	hetao "github.com/hetaoc/hetao"
	"github.com/hetaoc/hetao/compiler"
)

// UID and GID the site runs as inside the image (distroless's nonroot).
const UID = 65532

// Options say what goes into the image besides the binary.
type Options struct {
	Ref string   // NAME:TAG; "" names it after the configuration, CONF:latest
	WWW []string // more directories, copied at their absolute paths
	// CACerts is the CA bundle to include; "" finds the build machine's.
	CACerts string
}

// caBundles are where Linux distributions keep the CA bundle.
var caBundles = []string{
	"/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Alpine
	"/etc/pki/tls/certs/ca-bundle.crt",   // Fedora, RHEL
	"/etc/ssl/ca-bundle.pem",             // openSUSE
}

// Write packs the site binary bin, built from cfg, into the image archive
// out (the format of `docker save`, which `podman load` and `docker load`
// read) and returns the image's digest.
func Write(cfg *compiler.Config, bin, out string, opt Options) (v1.Hash, error) {
	img, ref, err := Build(cfg, bin, opt)
	if err != nil {
		return v1.Hash{}, err
	}
	tmp := out + ".tmp"
	if err := tarball.WriteToFile(tmp, ref, img); err != nil {
		os.Remove(tmp)
		return v1.Hash{}, fmt.Errorf("hetaoc: writing %s: %v", out, err)
	}
	if err := os.Rename(tmp, out); err != nil {
		return v1.Hash{}, err
	}
	return img.Digest()
}

// Build makes the image of the site binary bin and its name.
func Build(cfg *compiler.Config, bin string, opt Options) (v1.Image, name.Tag, error) {
	ref := opt.Ref
	if ref == "" {
		stem := strings.TrimSuffix(filepath.Base(cfg.File), filepath.Ext(cfg.File))
		ref = strings.ToLower(stem) + ":latest"
	}
	tag, err := name.NewTag(ref)
	if err != nil {
		return nil, name.Tag{}, fmt.Errorf("hetaoc: --image-ref %q: %v", ref, err)
	}
	epoch, err := sourceDateEpoch()
	if err != nil {
		return nil, name.Tag{}, err
	}
	base, err := baseLayer(opt.CACerts, epoch)
	if err != nil {
		return nil, name.Tag{}, err
	}
	content, err := contentLayer(cfg, opt.WWW, epoch)
	if err != nil {
		return nil, name.Tag{}, err
	}
	binary := newTarball(epoch)
	if err := binary.file("/site", bin, 0o755); err != nil {
		return nil, name.Tag{}, err
	}
	var layers []v1.Layer
	for _, t := range []*tarball_{base, content, binary} {
		l, err := t.layer()
		if err != nil {
			return nil, name.Tag{}, err
		}
		layers = append(layers, l)
	}
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		return nil, name.Tag{}, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, name.Tag{}, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", runtime.GOARCH
	cf.Created = v1.Time{Time: epoch}
	cf.Config = v1.Config{
		Entrypoint: []string{"/site"},
		User:       strconv.Itoa(UID) + ":" + strconv.Itoa(UID),
		// HETAO_ACCESS_LOG (runtime/server.EnvAccessLog): websites that
		// name no access log write it to standard output, as containers do.
		Env:          []string{"PATH=/", "XDG_RUNTIME_DIR=/tmp", "HETAO_ACCESS_LOG=-"},
		WorkingDir:   "/",
		StopSignal:   "SIGTERM",
		ExposedPorts: exposedPorts(cfg),
		Labels: map[string]string{
			"org.opencontainers.image.title":   filepath.Base(cfg.File),
			"org.opencontainers.image.version": cfg.Hash,
			"dev.hetao.hetaoc.version":         hetao.Version,
		},
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, name.Tag{}, err
	}
	return img, tag, nil
}

// sourceDateEpoch is $SOURCE_DATE_EPOCH (reproducible-builds.org), or
// the Unix epoch.
func sourceDateEpoch() (time.Time, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("hetaoc: SOURCE_DATE_EPOCH %q is not a number of seconds", s)
	}
	return time.Unix(n, 0).UTC(), nil
}

// exposedPorts are the listens' ports and the ops port, "9527/tcp".
func exposedPorts(cfg *compiler.Config) map[string]struct{} {
	out := map[string]struct{}{}
	for _, l := range cfg.Listens {
		out[strconv.Itoa(l.Port)+"/tcp"] = struct{}{}
	}
	if cfg.Ops != nil {
		out[strconv.Itoa(cfg.Ops.Port)+"/tcp"] = struct{}{}
	}
	return out
}

// dirModes are the modes of directories that are not 0755. Every layer
// holds the parents of its entries itself, with these modes: an engine
// that unpacks a layer creates missing parents 0755, and a directory of
// an upper layer hides the lower one's mode (overlayfs), so /tmp would
// lose its 1777 under a site that lives in /tmp.
var dirModes = map[string]int64{"/tmp": 0o1777}

// baseLayer holds the user, the CA certificates and /tmp.
func baseLayer(caCerts string, epoch time.Time) (*tarball_, error) {
	t := newTarball(epoch)
	t.data("/etc/passwd", 0o644, "root:x:0:0:root:/:/sbin/nologin\nhetao:x:65532:65532:hetao:/tmp:/sbin/nologin\n")
	t.data("/etc/group", 0o644, "root:x:0:\nhetao:x:65532:\n")
	t.dir("/tmp", 0o1777, 0)
	if caCerts == "" {
		for _, p := range caBundles {
			if _, err := os.Stat(p); err == nil {
				caCerts = p
				break
			}
		}
	}
	if caCerts == "" {
		return nil, fmt.Errorf("hetaoc: no CA certificates on this machine (looked for %s): install ca-certificates", strings.Join(caBundles, ", "))
	}
	if err := t.file("/etc/ssl/certs/ca-certificates.crt", caCerts, 0o644); err != nil {
		return nil, err
	}
	return t, nil
}

// contentLayer holds what the configuration names under its directory,
// the --image-www directories, and the directories of its log files.
func contentLayer(cfg *compiler.Config, www []string, epoch time.Time) (*tarball_, error) {
	confDir, err := filepath.Abs(filepath.Dir(cfg.File))
	if err != nil {
		return nil, err
	}
	var paths []string
	under := func(p string) {
		if p != "" && !strings.HasPrefix(p, "$") && strings.HasPrefix(p, confDir+string(filepath.Separator)) {
			paths = append(paths, p)
		}
	}
	var logs []string
	logFile := func(p string) {
		if p != "" && p != "-" && !strings.HasPrefix(p, "$") && !strings.HasPrefix(p, "/dev/") && !strings.HasPrefix(p, "/proc/") {
			logs = append(logs, filepath.Dir(p))
		}
	}
	policy := func(p compiler.Policy) {
		if p.AuthBasic != nil {
			under(p.AuthBasic.UserFile)
		}
	}
	ssl := func(s *compiler.SSL) {
		if s != nil {
			under(s.CertificateFile)
			under(s.CertificateKeyFile)
		}
	}
	logFile(cfg.ErrorLog)
	for _, e := range cfg.ErrorPages {
		under(e.File)
	}
	for _, l := range cfg.Listens {
		ssl(l.SSL)
		for _, w := range l.Websites {
			under(w.Wwwroot)
			ssl(w.SSL)
			logFile(w.AccessLog)
			policy(w.Policy)
			for _, loc := range w.Locations {
				under(loc.Wwwroot)
				policy(loc.Policy)
			}
		}
	}
	for _, d := range www {
		abs, err := filepath.Abs(d)
		if err != nil {
			return nil, err
		}
		if st, err := os.Stat(abs); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("hetaoc: --image-www %s: not a directory", d)
		}
		paths = append(paths, abs)
	}
	t := newTarball(epoch)
	sort.Strings(paths)
	for _, p := range paths {
		if err := t.tree(p); err != nil {
			return nil, err
		}
	}
	sort.Strings(logs)
	for _, d := range logs {
		t.dir(d, 0o755, UID)
	}
	return t, nil
}

// tarball_ builds one layer's tar, in memory, deterministically: every
// entry's parents first, each path once, owner root unless said.
type tarball_ struct {
	buf   bytes.Buffer
	tw    *tar.Writer
	epoch time.Time
	seen  map[string]bool
	err   error
}

func newTarball(epoch time.Time) *tarball_ {
	t := &tarball_{epoch: epoch, seen: map[string]bool{}}
	t.tw = tar.NewWriter(&t.buf)
	return t
}

func (t *tarball_) header(name string, typ byte, mode int64, size int64, uid int) *tar.Header {
	return &tar.Header{
		Typeflag: typ, Name: strings.TrimPrefix(name, "/"), Mode: mode, Size: size,
		Uid: uid, Gid: uid, ModTime: t.epoch, Format: tar.FormatPAX,
	}
}

// parents adds the directories above p that are not in the layer yet.
func (t *tarball_) parents(p string) {
	dir := filepath.Dir(p)
	if dir == "/" || dir == "." || t.seen[dir] {
		return
	}
	t.parents(dir)
	mode, ok := dirModes[dir]
	if !ok {
		mode = 0o755
	}
	t.dir(dir, mode, 0)
}

func (t *tarball_) dir(p string, mode int64, uid int) {
	if t.seen[p] {
		return
	}
	t.parents(p)
	t.seen[p] = true
	h := t.header(p+"/", tar.TypeDir, mode, 0, uid)
	if err := t.tw.WriteHeader(h); err != nil && t.err == nil {
		t.err = err
	}
}

func (t *tarball_) data(p string, mode int64, s string) {
	t.parents(p)
	t.seen[p] = true
	if err := t.tw.WriteHeader(t.header(p, tar.TypeReg, mode, int64(len(s)), 0)); err != nil && t.err == nil {
		t.err = err
	}
	t.tw.Write([]byte(s))
}

// file adds the file at src as p.
func (t *tarball_) file(p, src string, mode int64) error {
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("hetaoc: image: %v", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	t.parents(p)
	t.seen[p] = true
	if err := t.tw.WriteHeader(t.header(p, tar.TypeReg, mode, st.Size(), 0)); err != nil {
		return err
	}
	_, err = io.Copy(t.tw, f)
	return err
}

// tree adds root (a file or a directory with everything in it, in
// lexical order) at its own path. Directories get 0755, files 0644 (0755
// when executable by their owner); symbolic links stay links.
func (t *tarball_) tree(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("hetaoc: image: %v", err)
		}
		switch {
		case d.IsDir():
			mode, ok := dirModes[p]
			if !ok {
				mode = 0o755
			}
			t.dir(p, mode, 0)
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			t.parents(p)
			t.seen[p] = true
			h := t.header(p, tar.TypeSymlink, 0o777, 0, 0)
			h.Linkname = target
			return t.tw.WriteHeader(h)
		case d.Type().IsRegular():
			if t.seen[p] {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			mode := int64(0o644)
			if info.Mode()&0o100 != 0 {
				mode = 0o755
			}
			return t.file(p, p, mode)
		}
		return nil // sockets, devices: nothing a site serves
	})
}

// layer closes the tar and makes it a gzip-compressed layer.
func (t *tarball_) layer() (v1.Layer, error) {
	if t.err != nil {
		return nil, t.err
	}
	if err := t.tw.Close(); err != nil {
		return nil, err
	}
	b := t.buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	})
}
