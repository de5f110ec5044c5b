package validate

import (
	"net/http"
	"strings"
	"testing"
)

func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// apiHeader is what the generated app sends on every API answer.
func apiHeader() http.Header {
	return header("Cache-Control", "no-store", "X-Content-Type-Options", "nosniff", "Content-Type", "application/json")
}

func TestCheckHeaders(t *testing.T) {
	page := &headerSample{"GET /account/login", header("Content-Security-Policy", "default-src 'self'", "Cache-Control", "no-store")}
	hsts := func(h http.Header) http.Header {
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		return h
	}
	for _, c := range []struct {
		name       string
		in         headerInput
		want       Status
		wantDetail []string
	}{
		{"all present over http", headerInput{api: []headerSample{{"GET /health", apiHeader()}}, page: page}, Pass,
			[]string{"no-store and nosniff", "Content-Security-Policy"}},
		{"directives among others, any case", headerInput{api: []headerSample{{"GET /me", header("Cache-Control", "private, No-Store, max-age=0", "X-Content-Type-Options", "NoSniff")}}}, Pass, nil},
		{"cache-control missing", headerInput{api: []headerSample{{"GET /health", apiHeader()}, {"GET /me (401)", header("X-Content-Type-Options", "nosniff")}}}, Fail,
			[]string{"GET /me (401): Cache-Control", "no-store"}},
		{"no-cache is not no-store", headerInput{api: []headerSample{{"GET /health", header("Cache-Control", "no-cache", "X-Content-Type-Options", "nosniff")}}}, Fail,
			[]string{"Cache-Control is \"no-cache\""}},
		{"nosniff missing", headerInput{api: []headerSample{{"GET /health", header("Cache-Control", "no-store")}}}, Fail,
			[]string{"X-Content-Type-Options"}},
		{"page without CSP", headerInput{api: []headerSample{{"GET /health", apiHeader()}}, page: &headerSample{"GET /account/login", header()}}, Fail,
			[]string{"GET /account/login: no Content-Security-Policy"}},
		{"https without HSTS is a warning", headerInput{api: []headerSample{{"GET /health", apiHeader()}}, page: page, https: true}, Warn,
			[]string{"Strict-Transport-Security", "where TLS ends"}},
		{"https with HSTS everywhere", headerInput{api: []headerSample{{"GET /health", hsts(apiHeader())}}, page: &headerSample{page.what, hsts(page.header.Clone())}, https: true}, Pass,
			[]string{"HSTS"}},
		{"notes are passed on", headerInput{api: []headerSample{{"GET /health", apiHeader()}}, notes: []string{"no pages checked (GET /account/login answers 404)"}}, Pass,
			[]string{"no pages checked"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, detail := checkHeaders(c.in)
			if got != c.want {
				t.Errorf("status %s (%s), want %s", got, detail, c.want)
			}
			for _, w := range c.wantDetail {
				if !strings.Contains(detail, w) {
					t.Errorf("detail %q does not mention %q", detail, w)
				}
			}
		})
	}
}
