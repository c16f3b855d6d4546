// Command bare is the benchmark's ceiling: the least a Go server on this
// machine can do per keep-alive request. One goroutine on one epoll set
// answers every request with the same canned response (press.html, or its
// gzip -9 copy when the request says Accept-Encoding: gzip), one write per
// batch of pipelined requests, no cache, no log, no timeouts, no limits. It
// is what the issue calls "a bare Go epoll loop that writes one canned
// response per request"; tests/bench/run.sh runs it as the server "bare" in
// the scenarios on press.html, so that the table shows how close the site
// is to what this machine (and this load generator) can do at all.
//
//	bare -addr 127.0.0.1:18484 -page www/press.html -gz www/press.html.gz
//
// It is not a web server: it never looks at the method or the path, and it
// is not part of the site.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18484", "IPv4 address and port to listen on")
	page := flag.String("page", "press.html", "the page sent without Accept-Encoding: gzip")
	gz := flag.String("gz", "press.html.gz", "the page sent with Accept-Encoding: gzip")
	flag.Parse()
	plain, err := response(*page, "")
	if err != nil {
		log.Fatal(err)
	}
	zipped, err := response(*gz, "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n")
	if err != nil {
		log.Fatal(err)
	}
	ap, err := netip.ParseAddrPort(*addr)
	if err != nil || !ap.Addr().Is4() {
		log.Fatalf("-addr %q: want an IPv4 address and port", *addr)
	}
	if err := serve(ap, plain, zipped); err != nil {
		log.Fatal(err)
	}
}

// response is a whole HTTP/1.1 200 answer with the file's bytes as body.
func response(path, extra string) ([]byte, error) {
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	date := time.Now().UTC().Format(time.RFC1123)
	date = date[:len(date)-3] + "GMT"
	head := fmt.Sprintf("HTTP/1.1 200 OK\r\nServer: bare\r\nDate: %s\r\nContent-Type: text/html\r\n%sContent-Length: %d\r\n\r\n",
		date, extra, len(body))
	return append([]byte(head), body...), nil
}

var (
	headEnd = []byte("\r\n\r\n")
	gzipAE  = []byte("accept-encoding: gzip")
)

func serve(ap netip.AddrPort, plain, zipped []byte) error {
	ln, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	unix.SetsockoptInt(ln, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
	if err := unix.Bind(ln, &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}); err != nil {
		return err
	}
	if err := unix.Listen(ln, 4096); err != nil {
		return err
	}
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return err
	}
	if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, ln, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(ln)}); err != nil {
		return err
	}
	pending := map[int][]byte{} // a request's start that came without its end
	events := make([]unix.EpollEvent, 512)
	buf := make([]byte, 64<<10)
	var out, lower []byte
	for {
		n, err := unix.EpollWait(ep, events, -1)
		if err != nil && err != unix.EINTR {
			return err
		}
		for _, ev := range events[:max(n, 0)] {
			fd := int(ev.Fd)
			if fd == ln {
				c, _, err := unix.Accept4(ln, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
				if err != nil {
					continue
				}
				unix.SetsockoptInt(c, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
				unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, c, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: int32(c)})
				continue
			}
			r, err := unix.Read(fd, buf)
			if r <= 0 {
				if err == unix.EAGAIN || err == unix.EINTR {
					continue
				}
				delete(pending, fd)
				unix.Close(fd)
				continue
			}
			in := buf[:r]
			if p, ok := pending[fd]; ok {
				in = append(p, in...)
				delete(pending, fd)
			}
			out = out[:0]
			for {
				i := bytes.Index(in, headEnd)
				if i < 0 {
					break
				}
				lower = append(lower[:0], in[:i]...)
				for j, b := range lower {
					if 'A' <= b && b <= 'Z' {
						lower[j] = b + 'a' - 'A'
					}
				}
				if bytes.Contains(lower, gzipAE) {
					out = append(out, zipped...)
				} else {
					out = append(out, plain...)
				}
				in = in[i+len(headEnd):]
			}
			if len(in) > 0 {
				pending[fd] = append([]byte(nil), in...)
			}
			if len(out) > 0 {
				// A client that does not read its answers loses them: the
				// benchmark's clients always read.
				unix.Write(fd, out)
			}
		}
	}
}
