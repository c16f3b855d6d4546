// Command idle opens many keep-alive HTTP/1.1 connections to one server,
// sends one request on each, reads the whole response, and then holds them
// all idle so that the server's memory per idle connection can be measured.
//
//	idle -addr 127.0.0.1:8080 -n 10000 -path /index.html
//
// When every connection has had its response it prints "holding N" on
// standard output and waits; it closes them all and exits when it gets
// SIGTERM or SIGINT (or, with -stdin, when its standard input reaches end of
// file, so that `idle -stdin` can be driven from a terminal). It exits 1 if
// fewer than -min connections (default: all of them) could be set up.
// tests/bench/run.sh drives it; it is not part of the site.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "server address")
	n := flag.Int("n", 10000, "connections to open")
	minOK := flag.Int("min", -1, "fewest connections that must succeed (-1: all)")
	path := flag.String("path", "/index.html", "path requested once on each connection")
	par := flag.Int("par", 64, "connections set up at the same time")
	stdin := flag.Bool("stdin", false, "also stop at end of file on standard input")
	timeout := flag.Duration("timeout", 20*time.Second, "time allowed for one connection's request and response")
	flag.Parse()
	if *minOK < 0 {
		*minOK = *n
	}

	req := []byte("GET " + *path + " HTTP/1.1\r\nHost: bench\r\nAccept-Encoding: gzip\r\nUser-Agent: hetao-bench-idle\r\n\r\n")
	conns := make([]net.Conn, *n)
	var next, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for w := 0; w < *par; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= *n {
					return
				}
				c, err := open(*addr, req, *timeout)
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				conns[i] = c
			}
		}()
	}
	wg.Wait()
	ok := *n - int(failed.Load())
	if failed.Load() > 0 {
		fmt.Fprintf(os.Stderr, "idle: %d of %d connections failed; first error: %v\n", failed.Load(), *n, firstErr.Load())
	}
	if ok < *minOK {
		closeAll(conns)
		os.Exit(1)
	}
	fmt.Printf("holding %d\n", ok)

	done := make(chan struct{}, 2)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() { <-sigs; done <- struct{}{} }()
	if *stdin {
		go func() { io.Copy(io.Discard, os.Stdin); done <- struct{}{} }()
	}
	<-done
	closeAll(conns)
}

// open connects, sends req and reads one complete response, leaving the
// connection open. A response that asks to close the connection is an error.
func open(addr string, req []byte, timeout time.Duration) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(timeout))
	if _, err := c.Write(req); err != nil {
		c.Close()
		return nil, err
	}
	br := bufio.NewReaderSize(c, 4096)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		c.Close()
		return nil, err
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %s", res.Status)
	}
	if err == nil && res.Close {
		err = fmt.Errorf("the server closes the connection (Connection: close)")
	}
	if err == nil && br.Buffered() > 0 {
		err = fmt.Errorf("%d bytes after the response", br.Buffered())
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	c.SetDeadline(time.Time{})
	return c, nil
}

func closeAll(conns []net.Conn) {
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
}
