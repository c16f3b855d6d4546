package http1

import "time"

const (
	dayNames   = "SunMonTueWedThuFriSat"
	monthNames = "JanFebMarAprMayJunJulAugSepOctNovDec"
)

// AppendHTTPDate appends t as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37
// GMT", RFC 9110 §5.6.7) in UTC to dst and returns it. It allocates only if
// dst must grow.
func AppendHTTPDate(dst []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	wd := int(t.Weekday()) * 3
	m := (int(mo) - 1) * 3
	if y < 0 || y > 9999 {
		y = 0 // not representable in four digits; never a real file time
	}
	return append(dst,
		dayNames[wd], dayNames[wd+1], dayNames[wd+2], ',', ' ',
		byte('0'+d/10), byte('0'+d%10), ' ',
		monthNames[m], monthNames[m+1], monthNames[m+2], ' ',
		byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), ' ',
		byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':',
		byte('0'+s/10), byte('0'+s%10), ' ', 'G', 'M', 'T')
}

// ParseHTTPDate parses an HTTP-date (RFC 9110 §5.6.7) in any of its three
// formats: IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", the obsolete RFC 850
// "Sunday, 06-Nov-94 08:49:37 GMT" and asctime "Sun Nov  6 08:49:37 1994".
// Names are matched case-sensitively, the day name is checked for spelling
// only, and a date that does not exist (Feb 30) is refused. An RFC 850
// two-digit year more than 50 years in the future is taken as the most
// recent past year with those digits. b is only read; no allocation.
func ParseHTTPDate(b []byte) (time.Time, bool) {
	var year, mon, day, hh, mm, ss int
	switch {
	case len(b) == 29 && b[3] == ',': // IMF-fixdate
		if dayIndex(b[:3]) < 0 || string(b[3:5]) != ", " || b[7] != ' ' || b[11] != ' ' ||
			b[16] != ' ' || string(b[25:]) != " GMT" {
			return time.Time{}, false
		}
		day, mon, year = num(b[5:7]), monthIndex(b[8:11]), num(b[12:16])
		hh, mm, ss = clock(b[17:25])
	case len(b) == 24 && b[3] == ' ': // asctime
		if dayIndex(b[:3]) < 0 || b[7] != ' ' || b[10] != ' ' || b[19] != ' ' {
			return time.Time{}, false
		}
		mon = monthIndex(b[4:7])
		if b[8] == ' ' {
			day = num(b[9:10])
		} else {
			day = num(b[8:10])
		}
		hh, mm, ss = clock(b[11:19])
		year = num(b[20:24])
	default: // rfc850-date: day-name-l "," SP 2DIGIT "-" month "-" 2DIGIT SP time SP "GMT"
		c := 0
		for c < len(b) && b[c] != ',' {
			c++
		}
		r := b[min(c, len(b)):]
		if !longDay(b[:c]) || len(r) != 24 || r[1] != ' ' || r[4] != '-' || r[8] != '-' ||
			r[11] != ' ' || string(r[20:]) != " GMT" {
			return time.Time{}, false
		}
		day, mon, year = num(r[2:4]), monthIndex(r[5:8]), num(r[9:11])
		hh, mm, ss = clock(r[12:20])
		if year >= 0 {
			now := time.Now().UTC().Year()
			year += now - now%100
			if year > now+50 {
				year -= 100
			}
		}
	}
	if year < 0 || mon < 0 || day < 1 || day > 31 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(mon+1), day, hh, mm, ss, 0, time.UTC)
	if t.Day() != day && ss != 60 { // normalised: the day does not exist
		return time.Time{}, false
	}
	return t, true
}

// num parses 1 to 4 decimal digits, or returns -1.
func num(b []byte) int {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// clock parses "HH:MM:SS"; any field is -1 when malformed.
func clock(b []byte) (h, m, s int) {
	if b[2] != ':' || b[5] != ':' {
		return -1, -1, -1
	}
	return num(b[:2]), num(b[3:5]), num(b[6:8])
}

func dayIndex(b []byte) int { return index3(dayNames, b) }

func monthIndex(b []byte) int { return index3(monthNames, b) }

func index3(names string, b []byte) int {
	for i := 0; i+3 <= len(names); i += 3 {
		if string(b) == names[i:i+3] {
			return i / 3
		}
	}
	return -1
}

func longDay(b []byte) bool {
	switch string(b) {
	case "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday":
		return true
	}
	return false
}
