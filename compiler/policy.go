package compiler

// Policy is what a website or location says about its answers beyond
// where they come from: header fields it adds and Cache-Control by file
// type. A location's policy is merged over its website's by the generator
// (MergeHeaders, MergeCache).
type Policy struct {
	Headers []Header    // added to every answer, error pages and redirects included
	Cache   []CacheRule // Cache-Control of files, by extension or type

	TryFiles *TryFiles // nil: the path alone (a location inherits its website's)

	Access   []AccessRule // allow and deny; checked before any other phase
	LimitReq *LimitReq    // nil: no rate limit

	AuthBasic *AuthBasic // nil: no password asked

	Autoindex *bool // nil: not set (a location inherits its website's; a website lists nothing)
}

// policy reads the policy keys of a website or location.
func (c *checker) policy(o *obj) Policy {
	var p Policy
	p.Headers = c.headers(o)
	p.Cache = c.cache(o, p.Headers)
	p.TryFiles = c.tryFiles(o)
	p.Access = c.accessRules(o)
	p.LimitReq = c.limitReq(o)
	p.AuthBasic = c.authBasic(o)
	p.Autoindex = c.autoindex(o)
	return p
}

// showHeaders and showCache print the keys back, when set.
func showHeaders(hs []Header) []any {
	if len(hs) == 0 {
		return nil
	}
	return []any{headersObj(hs)}
}

func showCache(rs []CacheRule) []any {
	if len(rs) == 0 {
		return nil
	}
	return []any{cacheObj(rs)}
}
