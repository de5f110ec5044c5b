// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sms

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"example.com/demo/internal/auth/config"
)

// Twilio sends through the Twilio Messages API
// (https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource),
// spoken over plain HTTP: one form POST per message needs no SDK.
//
// A message that fails with a 5xx or 429 is sent once more, after the
// Retry-After the answer asks for (at most maxRetryWait). Only once: the
// user is waiting for the code, and a failed request may still have sent
// the message, so a retry can mean a second SMS.
type Twilio struct {
	accountSID string
	authToken  string
	from       string
	endpoint   string // the Messages resource of the account
	client     *http.Client
	// maxRetryWait caps the wait before the retry, whatever Retry-After
	// says: past a few seconds the user has given up on the code.
	maxRetryWait time.Duration
	// retryWait is the wait before the retry when the answer names none.
	retryWait time.Duration
}

// twilioResponseLimit caps how much of an answer is read: Twilio's are
// small JSON documents, and a wrong base URL must not fill the memory.
const twilioResponseLimit = 64 << 10

// NewTwilio returns the Twilio sender of cfg: sms.twilio_account_sid,
// sms.twilio_auth_token and sms.from_number are required.
func NewTwilio(cfg config.SMSConfig) (*Twilio, error) {
	var missing []string
	for _, k := range []struct{ key, value string }{
		{"sms.twilio_account_sid", cfg.TwilioAccountSID},
		{"sms.twilio_auth_token", cfg.TwilioAuthToken},
		{"sms.from_number", cfg.FromNumber},
	} {
		if k.value == "" {
			missing = append(missing, k.key)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("sms: the twilio backend needs %s", strings.Join(missing, ", "))
	}
	base := strings.TrimRight(cfg.TwilioBaseURL, "/")
	if base == "" {
		base = "https://api.twilio.com"
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("sms: sms.twilio_base_url %q is not an http(s) URL", cfg.TwilioBaseURL)
	}
	timeout := time.Duration(cfg.TimeoutSeconds) * time.Second
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return &Twilio{
		accountSID: cfg.TwilioAccountSID,
		authToken:  cfg.TwilioAuthToken,
		from:       cfg.FromNumber,
		endpoint:   base + "/2010-04-01/Accounts/" + url.PathEscape(cfg.TwilioAccountSID) + "/Messages.json",
		client: &http.Client{
			Timeout: timeout,
			// The API does not redirect; following one would send the
			// credentials and the code somewhere else.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		maxRetryWait: 5 * time.Second,
		retryWait:    500 * time.Millisecond,
	}, nil
}

// String describes the sender without its credentials, so printing one by
// mistake (%v in a log line) does not leak the auth token.
func (t *Twilio) String() string { return "sms.Twilio(" + t.endpoint + ")" }

// GoString is String for %#v.
func (t *Twilio) GoString() string { return t.String() }

// Send posts m to Twilio. The error wraps ErrInvalidMessage, ErrRejected or
// ErrUnavailable; a refusal or failure Twilio explained is a
// *ProviderError.
func (t *Twilio) Send(ctx context.Context, m Message) error {
	if err := m.check(); err != nil {
		return err
	}
	form := url.Values{"To": {m.To}, "From": {t.from}, "Body": {m.Body}}.Encode()
	wait, retry, err := t.post(ctx, form, m.Body)
	if !retry {
		return err
	}
	wait = min(wait, t.maxRetryWait)
	// A retry that cannot start before the caller's deadline is not worth
	// waiting for.
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
		return err
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("%w (retry abandoned: %w)", err, ctx.Err())
	case <-timer.C:
	}
	_, _, err = t.post(ctx, form, m.Body)
	return err
}

// twilioError is the body of a Twilio error answer
// (https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions).
type twilioError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
}

// post makes one request. retry reports whether the answer asks for
// another try (5xx, 429) and wait how long Twilio asked to wait first.
func (t *Twilio) post(ctx context.Context, form, body string) (wait time.Duration, retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.endpoint, strings.NewReader(form))
	if err != nil {
		return 0, false, fmt.Errorf("sms: twilio: %w", err)
	}
	req.SetBasicAuth(t.accountSID, t.authToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := t.client.Do(req)
	if err != nil {
		// Not retried: a timeout may come after Twilio accepted the
		// message, and the user would get it twice.
		return 0, false, fmt.Errorf("sms: twilio: %w: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	raw, readErr := io.ReadAll(io.LimitReader(resp.Body, twilioResponseLimit))
	if resp.StatusCode == http.StatusCreated {
		return 0, false, nil
	}

	pe := &ProviderError{Provider: "twilio", HTTPStatus: resp.StatusCode, Err: ErrUnavailable}
	var te twilioError
	if readErr == nil && json.Unmarshal(raw, &te) == nil {
		if te.Code != 0 {
			pe.Code = strconv.Itoa(te.Code)
		}
		pe.Message = scrub(te.Message, body, t.authToken)
		pe.MoreInfo = scrub(te.MoreInfo, body, t.authToken)
	}
	if pe.Message == "" {
		// Not Twilio's JSON (a proxy's page, say): the status says enough,
		// and the raw text could quote anything.
		pe.Message = "unexpected answer " + resp.Status
	}
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests || code >= 500:
		wait, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if !ok {
			wait = t.retryWait
		}
		return wait, true, pe
	case code == http.StatusUnauthorized || code == http.StatusForbidden || code == http.StatusNotFound:
		// Wrong credentials or account SID, or a suspended account: the
		// operator's problem, not the recipient's, so ErrUnavailable.
		return 0, false, pe
	case code >= 400:
		pe.Err = ErrRejected
	}
	return 0, false, pe
}

// retryAfter reads a Retry-After header: a number of seconds (what Twilio
// sends) or an HTTP date.
func retryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(h); err == nil {
		if s < 0 {
			return 0, false
		}
		// Capped before the multiplication, which could overflow.
		return time.Duration(min(s, 86400)) * time.Second, true
	}
	if at, err := http.ParseTime(h); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}
