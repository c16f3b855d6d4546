package server

import (
	"strconv"
	"time"

	"github.com/hetaoc/hetao/runtime/http1"
)

// LogFormat is the layout of the access logs' lines (access_log_format).
// Every line is built in four parts, so that the body size and the
// backend, known last, fall in place without a second pass:
//
//	head     time, client, request: up to the status
//	status   the status and what separates it from the size
//	size     the body bytes sent
//	tail     what depends on the request (combined: referer, user agent),
//	         then the end (hetao: "upstream ADDR"; json: duration, upstream)
type LogFormat uint8

const (
	// LogHetao is hetao's line with the real client address and the body
	// size appended, and " upstream ADDR" for a forwarded request:
	//	2026-11-23 04:50:01 - 127.0.0.1(curl/8.5.0) - example.com - "GET /a.html HTTP/1.1" 200 3321
	LogHetao LogFormat = iota
	// LogCombined is nginx's combined format:
	//	127.0.0.1 - - [23/Nov/2026:04:50:01 +0000] "GET /a.html HTTP/1.1" 200 3321 "-" "curl/8.5.0"
	LogCombined
	// LogJSON is one object per line:
	//	{"time":"2026-11-23T04:50:01Z","remote":"127.0.0.1","host":"example.com","method":"GET",
	//	 "uri":"/a.html","protocol":"HTTP/1.1","tls":false,"status":200,"bytes":3321,
	//	 "duration":0.001,"upstream":""}
	LogJSON
)

// logWhen is the loop clock's time stamp for format f.
func (k *clock) logWhen(f LogFormat) []byte {
	switch f {
	case LogCombined:
		return k.clf
	case LogJSON:
		return k.iso
	}
	return k.log
}

// appendLogHead appends the line up to the status.
func appendLogHead(w []byte, f LogFormat, when []byte, ip ipAddr, req *http1.Request, tls bool) []byte {
	switch f {
	case LogCombined:
		w = appendIP(w, ip)
		w = append(w, " - - ["...)
		w = append(w, when...)
		w = append(w, `] "`...)
		w = appendNginx(w, req.MethodRaw, 32)
		w = append(w, ' ')
		w = appendNginx(w, req.Target, 2048)
		w = append(w, ' ')
		w = appendVersion(w, req)
		return append(w, `" `...)
	case LogJSON:
		w = append(w, `{"time":"`...)
		w = append(w, when...)
		w = append(w, `","remote":"`...)
		w = appendIP(w, ip)
		w = append(w, `","host":`...)
		w = appendJSON(w, req.Host, 256)
		w = append(w, `,"method":`...)
		w = appendJSON(w, req.MethodRaw, 32)
		w = append(w, `,"uri":`...)
		w = appendJSON(w, req.Target, 2048)
		w = append(w, `,"protocol":"`...)
		w = appendVersion(w, req)
		w = append(w, `","tls":`...)
		w = strconv.AppendBool(w, tls)
		return append(w, `,"status":`...)
	}
	return appendLogPrefix(w, when, ip, req)
}

// appendProxyLog appends what a forwarded request's line needs of the
// request, which is gone when the backend's answer ends: the head, then
// the request's part of the tail from cut; at is when its head arrived.
func (x *Ctx) appendProxyLog(w []byte) (line []byte, cut int, at int64) {
	w = x.appendLogPrefix(w)
	cut = len(w)
	return appendLogReq(w, x.l.rt.site.AccessLogFormat, x.Req), cut, x.c.elapseAt - x.l.rt.elapse
}

// appendLogStatus appends the status and what comes before the size.
func appendLogStatus(w []byte, f LogFormat, status int) []byte {
	w = strconv.AppendInt(w, int64(status), 10)
	if f == LogJSON {
		return append(w, `,"bytes":`...)
	}
	return append(w, ' ')
}

// appendLogReq appends the part of the tail that needs the request, which
// is gone by the time a line kept back is written (combined: the referer
// and the user agent).
func appendLogReq(w []byte, f LogFormat, req *http1.Request) []byte {
	if f != LogCombined {
		return w
	}
	w = append(w, ` "`...)
	ref := headerValue(req, "referer")
	if len(ref) == 0 {
		w = append(w, '-')
	}
	w = appendNginx(w, ref, 2048)
	w = append(w, `" "`...)
	if len(req.UserAgent) == 0 {
		w = append(w, '-')
	}
	w = appendNginx(w, req.UserAgent, 512)
	return append(w, '"')
}

// appendLogEnd appends the end of the line: the request's duration in
// milliseconds (from its head's arrival until its answer was ready, or
// until the backend's answer ended) and the backend's address ("" none).
func appendLogEnd(w []byte, f LogFormat, ms int64, upstream string) []byte {
	switch f {
	case LogJSON:
		w = append(w, `,"duration":`...)
		w = strconv.AppendFloat(w, float64(max(ms, 0))/1000, 'f', 3, 64)
		w = append(w, `,"upstream":`...)
		w = appendJSON(w, upstream, 256)
		return append(w, '}')
	case LogHetao:
		if len(upstream) > 0 {
			w = append(w, " upstream "...)
			w = append(w, upstream...)
		}
	}
	return w
}

// headerValue is the first field line named name (lower case) of req.
func headerValue(req *http1.Request, name string) []byte {
	for _, h := range req.Headers {
		if len(h.Name) != len(name) {
			continue
		}
		same := true
		for i := range name {
			if c := h.Name[i] | 0x20; c != name[i] {
				same = false
				break
			}
		}
		if same {
			return h.Value
		}
	}
	return nil
}

// appendJSON appends at most max bytes of s as a JSON string: quotes,
// backslashes and control bytes escaped, and every byte past ASCII as
// \u00XX, so the line is valid JSON (and one line) whatever the client
// sent.
func appendJSON[S string | []byte](w []byte, s S, max int) []byte {
	const hex = "0123456789abcdef"
	if len(s) > max {
		s = s[:max]
	}
	w = append(w, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			w = append(w, '\\', c)
		case c < 0x20 || c >= 0x7f:
			w = append(w, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			w = append(w, c)
		}
	}
	return append(w, '"')
}

// logTimes formats t as each format's time stamp: hetao's local
// "2006-01-02 15:04:05", combined's "02/Jan/2006:15:04:05 -0700" and
// JSON's RFC 3339.
func (k *clock) logTimes(t time.Time) {
	k.log = t.AppendFormat(k.log[:0], "2006-01-02 15:04:05")
	k.clf = t.AppendFormat(k.clf[:0], "02/Jan/2006:15:04:05 -0700")
	k.iso = t.AppendFormat(k.iso[:0], time.RFC3339)
}
