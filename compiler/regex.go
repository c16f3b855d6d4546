package compiler

import (
	"errors"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
)

// regex compiles pattern with Go's regexp (RE2) and explains, at the
// offending part of the pattern where possible, why it cannot.
func (c *checker) regex(v *node, key, pattern string) *regexp.Regexp {
	re, err := regexp.Compile(pattern)
	if err == nil {
		return re
	}
	pos, why := v.pos, err.Error()
	var se *syntax.Error
	if errors.As(err, &se) {
		why = se.Code.String()
		if se.Expr != "" {
			why += ": " + se.Expr
		}
		if i := strings.Index(pattern, se.Expr); i >= 0 && se.Expr != "" {
			pos = v.posIn(i)
		}
		switch {
		case strings.HasPrefix(se.Expr, "(?=") || strings.HasPrefix(se.Expr, "(?!"):
			why = "lookahead " + se.Expr[:3] + "...) is not supported by Go's RE2 regular expressions"
		case strings.HasPrefix(se.Expr, "(?<=") || strings.HasPrefix(se.Expr, "(?<!"):
			why = "lookbehind " + se.Expr[:4] + "...) is not supported by Go's RE2 regular expressions"
		case strings.HasPrefix(se.Expr, "(?>"):
			why = "atomic groups (?>...) are not supported by Go's RE2 regular expressions"
		case se.Code == syntax.ErrInvalidEscape && len(se.Expr) == 2 && se.Expr[1] >= '1' && se.Expr[1] <= '9':
			why = "backreference " + se.Expr + " is not supported by Go's RE2 regular expressions"
		case se.Code == syntax.ErrInvalidRepeatOp && strings.HasSuffix(se.Expr, "+"):
			why = "possessive quantifier " + se.Expr + " is not supported by Go's RE2 regular expressions"
		}
	}
	c.d.errorf(pos, "%s %q does not compile: %s", key, pattern, why)
	return nil
}

// checkPlaceholders reports (n) and $n in a rewrite's new_uri that name
// groups the pattern does not have.
func (c *checker) checkPlaceholders(v *node, key, uri, pattern string, groups int) {
	for i := 0; i < len(uri); i++ {
		var digits string
		switch {
		case uri[i] == '(':
			j := i + 1
			for j < len(uri) && uri[j] >= '0' && uri[j] <= '9' {
				j++
			}
			if j > i+1 && j < len(uri) && uri[j] == ')' {
				digits = uri[i+1 : j]
			}
		case uri[i] == '$':
			j := i + 1
			for j < len(uri) && uri[j] >= '0' && uri[j] <= '9' {
				j++
			}
			digits = uri[i+1 : j]
		}
		if digits == "" {
			continue
		}
		n, err := strconv.Atoi(digits)
		if err != nil || n > groups {
			plural := "s"
			if groups == 1 {
				plural = ""
			}
			c.d.errorf(v.posIn(i), "%s %q uses group %s, but pattern %q has only %d group%s", key, uri, digits, pattern, groups, plural)
		}
	}
}
