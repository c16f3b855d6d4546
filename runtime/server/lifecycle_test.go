package server

import "testing"

// The moves a connection may make between phases, and some it may not.
func TestPhaseMoves(t *testing.T) {
	t.Parallel()
	cases := []struct {
		from, to phase
		legal    bool
	}{
		{phaseHead, phaseDiscard, true},    // a request with a body, answered without it
		{phaseHead, phaseBackend, true},    // a bodiless request forwarded
		{phaseDiscard, phaseForward, true}, // a request whose body a backend takes
		{phaseDiscard, phaseHead, true},    // the body read off
		{phaseForward, phaseBackend, true}, // the body passed on whole
		{phaseForward, phaseDiscard, true}, // answered before the body was passed on
		{phaseBackend, phaseHead, true},    // answered
		{phaseBackend, phaseTunnel, true},  // 101
		{phaseTunnel, phaseClosed, true},
		{phaseLinger, phaseClosed, true},
		{phaseHead, phaseLinger, true},
		{phaseHead, phaseHead, true}, // not a move

		{phaseHead, phaseForward, false},    // a body goes to a backend only from discard
		{phaseHead, phaseTunnel, false},     // only a backend's 101 makes a tunnel
		{phaseDiscard, phaseBackend, false}, // not before the body is with the backend
		{phaseBackend, phaseDiscard, false}, // the body was read whole
		{phaseTunnel, phaseHead, false},     // a tunnel never goes back to HTTP
		{phaseTunnel, phaseLinger, false},
		{phaseLinger, phaseHead, false},
		{phaseClosed, phaseHead, false},
	}
	for _, tc := range cases {
		if got := legalMove(tc.from, tc.to); got != tc.legal {
			t.Errorf("%v → %v: legal %v, want %v", tc.from, tc.to, got, tc.legal)
		}
	}
	for p := range phaseMoves {
		if !legalMove(phase(p), phaseClosed) && phase(p) != phaseClosed {
			t.Errorf("%v cannot close", phase(p))
		}
	}
}

// What a connection does with the input it reads: its phase and close
// policy after each piece, as the loop sees them.
func TestPhaseOfInput(t *testing.T) {
	type step struct {
		in    string
		phase phase
		after after
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"keep-alive GET", []step{
			{"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", phaseHead, afterKeep},
		}},
		{"a head in two pieces", []step{
			{"GET /a.txt HTTP/1.1\r\nHo", phaseHead, afterKeep},
			{"st: x\r\n\r\n", phaseHead, afterKeep},
		}},
		{"GET that closes", []step{
			{"GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", phaseClosed, afterDrain},
		}},
		{"a body read off in pieces", []step{
			{"POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123", phaseDiscard, afterKeep},
			{"456789", phaseHead, afterKeep},
		}},
		{"a chunked body read off", []step{
			{"PUT /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", phaseDiscard, afterKeep},
			{"0\r\n\r\n", phaseHead, afterKeep},
		}},
		{"a bad chunk after the answer", []step{
			{"PUT /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", phaseLinger, afterLinger},
		}},
		{"a request that cannot be parsed", []step{
			{"GET /a.txt HTTP/1.1\r\nBad Field\r\n\r\n", phaseLinger, afterLinger},
		}},
		{"closing with the body still coming", []step{
			{"POST /a.txt HTTP/1.0\r\nContent-Length: 10\r\n\r\n0123", phaseLinger, afterLinger},
		}},
		{"closing with the body all there", []step{
			{"POST /a.txt HTTP/1.0\r\nContent-Length: 4\r\n\r\n0123", phaseClosed, afterDrain},
		}},
	}
	for _, tc := range cases {
		h := newHarness(t)
		for i, s := range tc.steps {
			// As readLoop does: what waited in c.in, then what was read.
			data := append(append([]byte(nil), h.c.in...), s.in...)
			h.c.in = h.c.in[:0]
			h.l.handle(h.c, data)
			if h.c.phase != s.phase || h.c.after != s.after {
				t.Errorf("%s, step %d: phase %v after %d, want %v after %d", tc.name, i, h.c.phase, h.c.after, s.phase, s.after)
				break
			}
		}
	}
}
