package compiler

// autoindex reads "autoindex" : 1, a directory listing for directories
// without an index file; nil when not set (a location then inherits its
// website's).
func (c *checker) autoindex(o *obj) *bool {
	on, v := o.bool("autoindex", false)
	if v == nil {
		return nil
	}
	return &on
}

func showAutoindex(on *bool) []any {
	if on == nil {
		return nil
	}
	return []any{*on}
}
