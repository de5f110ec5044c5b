package validate

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxBody bounds how much of an answer the probe reads: every answer it
// needs is a small JSON object or the OpenAPI document.
const maxBody = 4 << 20

// client sends the probe's requests to one deployment.
type client struct {
	base string // scheme://host[:port][/path], without a trailing slash
	http *http.Client
}

func newClient(base string, timeout time.Duration, insecure bool) *client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if insecure {
		// Only on request (--insecure), for test deployments with a
		// self-signed certificate.
		transport.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	return &client{
		base: strings.TrimRight(base, "/"),
		http: &http.Client{
			Transport: transport,
			Timeout:   timeout,
			// A redirect is reported, not followed: an http URL that
			// redirects to https would turn the probe's POSTs into GETs,
			// and the operator should probe the URL clients really use.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// answer is one response, read in full.
type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// do sends method path (relative to the base URL). body, when not nil, is
// sent as JSON (a json.RawMessage as is); token, when set, as a bearer
// token.
func (c *client) do(ctx context.Context, method, path, token string, body any) (answer, error) {
	var rd io.Reader
	if body != nil {
		raw, ok := body.(json.RawMessage)
		if !ok {
			var err error
			if raw, err = json.Marshal(body); err != nil {
				return answer{}, err
			}
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Accept", "application/json")
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// The URL's error names the request; the probe's own lines do too,
		// so keep the cause only.
		return answer{}, fmt.Errorf("%s %s: %w", method, path, unwrapURLError(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	return answer{Status: resp.StatusCode, Header: resp.Header, Body: raw}, nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// field returns the string value of a top-level key of a JSON object body.
func (a answer) field(key string) string {
	var m map[string]any
	if json.Unmarshal(a.Body, &m) != nil {
		return ""
	}
	s, _ := m[key].(string)
	return s
}

// flag returns the value of a top-level boolean key of a JSON object
// body, and whether the body has it.
func (a answer) flag(key string) (value, ok bool) {
	var m map[string]any
	if json.Unmarshal(a.Body, &m) != nil {
		return false, false
	}
	value, ok = m[key].(bool)
	return value, ok
}

// String describes the answer for a check's detail: the status and, for an
// error, its "detail" message. It never includes the rest of the body,
// which for a successful sign-in holds a token.
func (a answer) String() string {
	s := fmt.Sprintf("%d %s", a.Status, http.StatusText(a.Status))
	if a.Status < 400 {
		return s
	}
	if d := a.field("detail"); d != "" {
		return fmt.Sprintf("%s %q", s, truncate(d, 120))
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(a.Body, &m) == nil && m["detail"] != nil {
		return s + " (validation error)"
	}
	return s
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
