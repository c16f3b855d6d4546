package http2

// priority is a stream's RFC 9218 priority: urgency 0 (first) to 7, and
// whether its answer is useful in parts (incremental). explicit is false
// for a stream the client said nothing about.
type priority struct {
	urgency     uint8
	incremental bool
	explicit    bool
}

var defaultPriority = priority{urgency: 3}

type pendingPriority struct {
	id   uint32
	prio priority
}

// parsePriority9218 reads a Priority Field Value (RFC 9218 §4: a
// Structured Fields dictionary): "u=N" sets the urgency, "i" or "i=?1"
// makes the answer incremental. Unknown members, parameters and values out
// of range are ignored, as §4 asks. A value without u or i still marks the
// priority explicit.
func parsePriority9218(v string, p priority) priority {
	p.explicit = true
	for len(v) > 0 {
		var member string
		member, v = cut(v, ',')
		member, _ = cut(member, ';') // parameters are ignored
		member = trimOWS(member)
		key, val := cut(member, '=')
		switch key {
		case "u":
			if len(val) == 1 && '0' <= val[0] && val[0] <= '7' {
				p.urgency = val[0] - '0'
			}
		case "i":
			switch val {
			case "", "?1":
				p.incremental = true
			case "?0":
				p.incremental = false
			}
		}
	}
	return p
}

func cut(s string, sep byte) (before, after string) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// before reports whether stream a should send before stream b (RFC 9218
// §10): the lower urgency first; at equal urgency a stream that asked to be
// served non-incrementally goes first, in stream ID order; the others share
// the connection round robin, one DATA frame each. A stream without a
// priority signal is served round robin, as RFC 7540's default (every
// stream a sibling of equal weight) did: clients that never speak RFC 9218
// get their answers interleaved fairly.
func before(a, b *Stream) bool {
	if a.prio.urgency != b.prio.urgency {
		return a.prio.urgency < b.prio.urgency
	}
	aSeq := a.prio.explicit && !a.prio.incremental
	bSeq := b.prio.explicit && !b.prio.incremental
	if aSeq != bSeq {
		return aSeq
	}
	if aSeq || a.lastSent == b.lastSent {
		return a.ID < b.ID
	}
	return a.lastSent < b.lastSent
}
