// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"regstack.example/app/internal/auth/authtest"
	"regstack.example/app/internal/auth/config"
)

// The pages of the SMS second factor: the sign-in code step and the
// account page's section, driven with plain form posts (no JavaScript),
// the codes read from env.Phones.

const (
	pagesPhone     = "+14155552671"
	pagesPhoneHint = "&#43;•••••••••71"
)

// mfaPost posts form to path with the session cookie and the given
// cookies (the pending steps'), and returns the answer with every cookie
// it set.
func mfaPost(t *testing.T, s *site, path, session string, form url.Values, cookies ...*http.Cookie) (pageResp, map[string]*http.Cookie) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return mfaSend(t, s, req, session, cookies...)
}

// mfaGet is mfaPost for a GET.
func mfaGet(t *testing.T, s *site, path, session string, cookies ...*http.Cookie) (pageResp, map[string]*http.Cookie) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return mfaSend(t, s, req, session, cookies...)
}

func mfaSend(t *testing.T, s *site, req *http.Request, session string, cookies ...*http.Cookie) (pageResp, map[string]*http.Cookie) {
	t.Helper()
	for _, c := range cookies {
		if c != nil {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
	}
	p := s.do(t, req, session)
	set := map[string]*http.Cookie{}
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		set[c.Name] = c
	}
	return p, set
}

// wantPendingCookie checks a pending step's cookie: HttpOnly, Secure,
// SameSite=Strict, scoped to the pages, lasting as long as the pending
// token (mfa_pending_token_ttl_seconds).
func wantPendingCookie(t *testing.T, env *authtest.Env, c *http.Cookie, name string) {
	t.Helper()
	if c == nil || c.Value == "" {
		t.Fatalf("no %s cookie was set", name)
	}
	if c.Name != name || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode || c.Path != "/account" ||
		c.MaxAge != env.Config.MFAPendingTokenTTLSeconds {
		t.Errorf("pending cookie %+v: want %s, HttpOnly, Secure, SameSite=Strict, Path=/account, Max-Age=%d",
			c, name, env.Config.MFAPendingTokenTTLSeconds)
	}
}

// wantCleared checks that the answer dropped the cookie name.
func wantCleared(t *testing.T, set map[string]*http.Cookie, name string) {
	t.Helper()
	if c := set[name]; c == nil || c.MaxAge >= 0 {
		t.Errorf("the %s cookie was not dropped: %+v", name, c)
	}
}

// enrolThroughAPI turns SMS codes on for the account of token with the JSON
// routes.
func enrolThroughAPI(t *testing.T, env *authtest.Env, token, phone, pw string) {
	t.Helper()
	r := env.Do(t, http.MethodPost, "/phone/start", map[string]any{"phone_number": phone, "current_password": pw}, authtest.Bearer(token))
	wantStatus(t, r, http.StatusAccepted)
	r = env.Do(t, http.MethodPost, "/phone/confirm", map[string]any{"pending_token": r.Str("pending_token"), "code": env.Phones.Code(t, phone)})
	wantStatus(t, r, http.StatusOK)
}

// TestPagesMFASignIn: the password of an account with SMS codes on leads
// to the code page, the pending token in its own cookie and in no URL; a
// wrong code says how many checks are left, the right one (from the text
// message) signs in and goes on to next; the used step cannot be replayed.
func TestPagesMFASignIn(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	s := newSite(t, env)
	_, token := signUp(t, env, "nora@example.com", pw1)
	enrolThroughAPI(t, env, token, pagesPhone, pw1)
	env.Clock.Advance(time.Minute) // past the resend cooldown

	p, set := mfaPost(t, s, "/account/login", "", url.Values{"email": {"nora@example.com"}, "password": {pw1}, "next": {"/dashboard"}})
	wantRedirect(t, p, "/account/mfa-confirm?next=%2Fdashboard")
	pending := set["regstack_session_mfa"]
	wantPendingCookie(t, env, pending, "regstack_session_mfa")
	if p.cookie != nil {
		t.Errorf("the password alone set a session cookie: %+v", p.cookie)
	}
	if strings.Contains(p.header.Get("Location"), pending.Value) {
		t.Errorf("the pending token is in the URL %q", p.header.Get("Location"))
	}

	// The code page: one labelled one-time-code input, where the code went.
	p, _ = mfaGet(t, s, "/account/mfa-confirm?next=%2Fdashboard", "", pending)
	wantPage(t, p, http.StatusOK, "<title>Enter your sign-in code · ", `action="/account/mfa-confirm"`,
		`<input type="hidden" name="next" value="/dashboard">`,
		`id="mfa-confirm-code" name="code" type="text" autocomplete="one-time-code" required minlength="4" maxlength="10" pattern="\d{4,10}" inputmode="numeric"`,
		"We sent a 6-digit code to "+pagesPhoneHint+".")
	if strings.Contains(p.body, pending.Value) || strings.Contains(p.body, pagesPhone) {
		t.Errorf("the page shows the pending token or the whole number:\n%s", p.body)
	}
	// Without the cookie there is no step to finish: sign in first.
	p, _ = mfaGet(t, s, "/account/mfa-confirm?next=%2Fdashboard", "")
	wantRedirect(t, p, "/account/login?next=%2Fdashboard")
	p, _ = mfaPost(t, s, "/account/mfa-confirm", "", url.Values{"code": {"123456"}})
	wantRedirect(t, p, "/account/login")

	code := env.Phones.Code(t, pagesPhone)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	p, _ = mfaPost(t, s, "/account/mfa-confirm", "", url.Values{"code": {wrong}, "next": {"/dashboard"}}, pending)
	wantPage(t, p, http.StatusBadRequest,
		`aria-invalid="true" aria-describedby="mfa-confirm-code-hint mfa-confirm-code-error"`,
		`<p class="rs-field-error" id="mfa-confirm-code-error">Wrong code; 4 attempts remaining.</p>`,
		`<input type="hidden" name="next" value="/dashboard">`)
	p, _ = mfaPost(t, s, "/account/mfa-confirm", "", url.Values{"code": {"12"}}, pending)
	wantPage(t, p, http.StatusUnprocessableEntity, `id="mfa-confirm-code-error"`)

	p, set = mfaPost(t, s, "/account/mfa-confirm", "", url.Values{"code": {code}, "next": {"/dashboard"}}, pending)
	wantRedirect(t, p, "/dashboard")
	wantCleared(t, set, "regstack_session_mfa")
	if p.cookie == nil || p.cookie.Value == "" || !p.cookie.HttpOnly {
		t.Fatalf("the right code set no session cookie: %+v", p.cookie)
	}
	wantPage(t, s.get(t, "/account/me", p.cookie.Value), http.StatusOK, "nora@example.com",
		"On — codes go to "+pagesPhoneHint+".")

	// The step is spent: the same cookie and code are refused, and the
	// page sends the visitor back to sign in.
	p, set = mfaPost(t, s, "/account/mfa-confirm", "", url.Values{"code": {code}, "next": {"/dashboard"}}, pending)
	wantPage(t, p, http.StatusBadRequest, `role="alert">No pending sign-in code — start the login flow again.`,
		`<a href="/account/login?next=%2Fdashboard">Sign in again</a>`)
	wantCleared(t, set, "regstack_session_mfa")
	if strings.Contains(p.body, `name="code"`) {
		t.Errorf("the spent step still shows the code form:\n%s", p.body)
	}
}

// TestPagesMFACodeExpiredAndUsedUp: a code past sms_code_ttl_seconds and a
// code whose checks are used up end the step with the reference's words.
func TestPagesMFACodeExpiredAndUsedUp(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.SMSCodeMaxAttempts = 2 })
	s := newSite(t, env)
	_, token := signUp(t, env, "otto@example.com", pw1)
	enrolThroughAPI(t, env, token, pagesPhone, pw1)
	signInStep := func() *http.Cookie {
		t.Helper()
		env.Clock.Advance(time.Minute) // past the resend cooldown
		p, set := mfaPost(t, s, "/account/login", "", url.Values{"email": {"otto@example.com"}, "password": {pw1}})
		wantRedirect(t, p, "/account/mfa-confirm")
		return set["regstack_session_mfa"]
	}

	pending := signInStep()
	code := env.Phones.Code(t, pagesPhone)
	env.Clock.Advance(time.Duration(env.Config.SMSCodeTTLSeconds) * time.Second)
	p, _ := mfaPost(t, s, "/account/mfa-confirm", "", url.Values{"code": {code}}, pending)
	wantPage(t, p, http.StatusBadRequest, "Sign-in code has expired. Try logging in again.", `<a href="/account/login">Sign in again</a>`)

	pending = signInStep()
	code = env.Phones.Code(t, pagesPhone)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	p, _ = mfaPost(t, s, "/account/mfa-confirm", "", url.Values{"code": {wrong}}, pending)
	wantPage(t, p, http.StatusBadRequest, "Wrong code; 1 attempts remaining.")
	p, _ = mfaPost(t, s, "/account/mfa-confirm", "", url.Values{"code": {wrong}}, pending)
	wantPage(t, p, http.StatusBadRequest, "Too many wrong attempts — start the login flow again.")
	p, _ = mfaPost(t, s, "/account/mfa-confirm", "", url.Values{"code": {code}}, pending)
	wantPage(t, p, http.StatusBadRequest, "No pending sign-in code — start the login flow again.")

	// After the pending token's lifetime the page no longer offers the form.
	pending = signInStep()
	env.Clock.Advance(time.Duration(env.Config.MFAPendingTokenTTLSeconds) * time.Second)
	p, set := mfaGet(t, s, "/account/mfa-confirm", "", pending)
	wantRedirect(t, p, "/account/login")
	wantCleared(t, set, "regstack_session_mfa")
}

// TestPagesPhoneEnrolAndDisable: the account page's SMS section adds a
// phone (number and password, then the texted code) and turns the codes
// off again (password); the sign-in asks for a code in between.
func TestPagesPhoneEnrolAndDisable(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	s := newSite(t, env)
	signUp(t, env, "pia@example.com", pw1)
	cookie := s.signIn(t, "pia@example.com", pw1)

	wantPage(t, s.get(t, "/account/me", cookie), http.StatusOK,
		`data-rs-mfa-section`, `data-rs-mfa-status>Off. Add a phone number to turn it on.</p>`,
		`action="/account/phone/start#rs-mfa"`,
		`id="phone-setup-start-phone_number" name="phone_number" type="tel" autocomplete="tel" required maxlength="16" pattern="\&#43;[1-9]\d{1,14}"`,
		`id="phone-setup-start-current_password" name="current_password" type="password" autocomplete="current-password"`)

	// Refusals beside their fields; the number typed is kept.
	p, _ := mfaPost(t, s, "/account/phone/start", cookie, url.Values{"phone_number": {"+1415abc2671"}, "current_password": {pw1}})
	wantPage(t, p, http.StatusBadRequest,
		`<p class="rs-field-error" id="phone-setup-start-phone_number-error">Phone number must be in E.164 format (e.g. &#43;14155552671).</p>`,
		`value="&#43;1415abc2671"`)
	p, _ = mfaPost(t, s, "/account/phone/start", cookie, url.Values{"phone_number": {"+19005550100"}, "current_password": {pw1}})
	wantPage(t, p, http.StatusBadRequest, `id="phone-setup-start-phone_number-error">This phone number cannot receive SMS codes`)
	p, _ = mfaPost(t, s, "/account/phone/start", cookie, url.Values{"phone_number": {pagesPhone}, "current_password": {pw2}})
	wantPage(t, p, http.StatusBadRequest, `id="phone-setup-start-current_password-error">Current password is incorrect.</p>`)
	if n := len(env.Phones.Messages()); n != 0 {
		t.Fatalf("%d text messages sent for refused forms", n)
	}

	p, set := mfaPost(t, s, "/account/phone/start", cookie, url.Values{"phone_number": {pagesPhone}, "current_password": {pw1}})
	wantRedirect(t, p, "/account/me#rs-mfa")
	enrolment := set["regstack_session_phone"]
	wantPendingCookie(t, env, enrolment, "regstack_session_phone")

	// A second code within the cooldown is refused, with the wait.
	p, _ = mfaPost(t, s, "/account/phone/start", cookie, url.Values{"phone_number": {pagesPhone}, "current_password": {pw1}})
	wantPage(t, p, http.StatusTooManyRequests, `role="alert">A code was sent moments ago. Wait before asking for a new one. Try again in 30 seconds.`)
	if p.header.Get("Retry-After") != "30" {
		t.Errorf("Retry-After %q, want 30", p.header.Get("Retry-After"))
	}

	p, _ = mfaGet(t, s, "/account/me", cookie, enrolment)
	wantPage(t, p, http.StatusOK, `data-rs-mfa-status>Off until you enter the code.</p>`,
		"We sent a 6-digit code to "+pagesPhoneHint+".",
		`action="/account/phone/confirm#rs-mfa"`, `formaction="/account/phone/cancel" formnovalidate`,
		`id="phone-setup-confirm-code" name="code" type="text" autocomplete="one-time-code"`)
	if strings.Contains(p.body, `action="/account/phone/start#rs-mfa"`) {
		t.Errorf("the number form shows while the code is awaited:\n%s", p.body)
	}

	code := env.Phones.Code(t, pagesPhone)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	p, _ = mfaPost(t, s, "/account/phone/confirm", cookie, url.Values{"code": {wrong}}, enrolment)
	wantPage(t, p, http.StatusBadRequest, `<p class="rs-field-error" id="phone-setup-confirm-code-error">Wrong code; 4 attempts remaining.</p>`)
	p, set = mfaPost(t, s, "/account/phone/confirm", cookie, url.Values{"code": {code}}, enrolment)
	wantRedirect(t, p, "/account/me?done=mfa-on")
	wantCleared(t, set, "regstack_session_phone")
	wantPage(t, s.get(t, "/account/me?done=mfa-on", cookie), http.StatusOK,
		"Two-step sign-in is on", `data-rs-mfa-status>On — codes go to `+pagesPhoneHint+`.</p>`, `action="/account/phone/disable#rs-mfa"`)
	if r := env.Me(t, cookie); r.Str("phone_number") != pagesPhone {
		t.Errorf("GET /me after the enrolment on the page: %s", r)
	}

	// Signing in now asks for a code.
	env.Clock.Advance(time.Minute)
	p, _ = mfaPost(t, s, "/account/login", "", url.Values{"email": {"pia@example.com"}, "password": {pw1}})
	wantRedirect(t, p, "/account/mfa-confirm")

	// Off again, with the password.
	p, _ = mfaPost(t, s, "/account/phone/disable", cookie, url.Values{"current_password": {pw2}})
	wantPage(t, p, http.StatusBadRequest, `id="mfa-disable-current_password-error">Current password is incorrect.</p>`)
	p, _ = mfaPost(t, s, "/account/phone/disable", cookie, url.Values{"current_password": {pw1}})
	wantRedirect(t, p, "/account/me?done=mfa-off")
	wantPage(t, s.get(t, "/account/me?done=mfa-off", cookie), http.StatusOK,
		"Two-step sign-in is off.", `data-rs-mfa-status>Off. Add a phone number to turn it on.</p>`)
	s.signIn(t, "pia@example.com", pw1)
}

// TestPagesPhoneEnrolmentCancelled: "Use another number" drops the
// enrolment; a code of an expired enrolment is refused and the number form
// comes back.
func TestPagesPhoneEnrolmentCancelled(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	s := newSite(t, env)
	signUp(t, env, "quinn@example.com", pw1)
	cookie := s.signIn(t, "quinn@example.com", pw1)

	p, set := mfaPost(t, s, "/account/phone/start", cookie, url.Values{"phone_number": {pagesPhone}, "current_password": {pw1}})
	wantRedirect(t, p, "/account/me#rs-mfa")
	p, set = mfaPost(t, s, "/account/phone/cancel", cookie, nil, set["regstack_session_phone"])
	wantRedirect(t, p, "/account/me?done=phone-cancelled")
	wantCleared(t, set, "regstack_session_phone")

	env.Clock.Advance(time.Minute)
	p, set = mfaPost(t, s, "/account/phone/start", cookie, url.Values{"phone_number": {pagesPhone}, "current_password": {pw1}})
	wantRedirect(t, p, "/account/me#rs-mfa")
	enrolment := set["regstack_session_phone"]
	code := env.Phones.Code(t, pagesPhone)
	env.Clock.Advance(time.Duration(env.Config.SMSCodeTTLSeconds) * time.Second)
	p, set = mfaPost(t, s, "/account/phone/confirm", cookie, url.Values{"code": {code}}, enrolment)
	wantPage(t, p, http.StatusBadRequest, `role="alert">Verification code has expired. Request a new one.`,
		`action="/account/phone/start#rs-mfa"`)
	wantCleared(t, set, "regstack_session_phone")

	// Without an enrolment waiting, the code form is not there to post.
	p, _ = mfaPost(t, s, "/account/phone/confirm", cookie, url.Values{"code": {code}})
	wantRedirect(t, p, "/account/me")
	if r := env.Me(t, cookie); r.Str("phone_number") != "" {
		t.Errorf("a phone was enrolled: %s", r)
	}
}

// TestPagesMFACrossOriginRefused: the forms of the second factor posted
// from another site are refused before they do anything.
func TestPagesMFACrossOriginRefused(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	s := newSite(t, env)
	signUp(t, env, "rita@example.com", pw1)
	cookie := s.signIn(t, "rita@example.com", pw1)
	evil := authtest.Header{Key: "Origin", Value: "http://evil.example"}
	for path, form := range map[string]url.Values{
		"/account/phone/start":   {"phone_number": {pagesPhone}, "current_password": {pw1}},
		"/account/phone/confirm": {"code": {"123456"}},
		"/account/phone/cancel":  nil,
		"/account/phone/disable": {"current_password": {pw1}},
		"/account/mfa-confirm":   {"code": {"123456"}},
	} {
		wantPage(t, s.post(t, path, cookie, form, evil), http.StatusForbidden, "sent from another site")
	}
	if n := len(env.Phones.Messages()); n != 0 {
		t.Errorf("%d text messages sent for refused forms", n)
	}
	// The same post from the site itself goes through.
	wantRedirect(t, s.post(t, "/account/phone/start", cookie, url.Values{"phone_number": {pagesPhone}, "current_password": {pw1}},
		authtest.Header{Key: "Origin", Value: s.url}), "/account/me#rs-mfa")
}

// TestPagesMFARateLimitSharedWithAPI: the code form counts against
// login_mfa_confirm_rate_limit and the number form against
// phone_start_rate_limit, the JSON routes' keys.
func TestPagesMFARateLimitSharedWithAPI(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) {
		c.LoginMFAConfirmRateLimit = "1/minute"
		c.PhoneStartRateLimit = "1/minute"
	})
	s := newSite(t, env)
	_, token := signUp(t, env, "sam@example.com", pw1)
	cookie := s.signIn(t, "sam@example.com", pw1)

	wantStatus(t, env.Do(t, http.MethodPost, "/login/mfa-confirm", map[string]any{"mfa_pending_token": "x", "code": "123456"}), http.StatusBadRequest)
	p, _ := mfaPost(t, s, "/account/mfa-confirm", "", url.Values{"code": {"123456"}}, &http.Cookie{Name: "regstack_session_mfa", Value: "x"})
	wantPage(t, p, http.StatusTooManyRequests, "Too many requests")

	wantStatus(t, env.Do(t, http.MethodPost, "/phone/start", map[string]any{"phone_number": pagesPhone, "current_password": pw2}, authtest.Bearer(token)),
		http.StatusBadRequest)
	p, _ = mfaPost(t, s, "/account/phone/start", cookie, url.Values{"phone_number": {pagesPhone}, "current_password": {pw1}})
	wantPage(t, p, http.StatusTooManyRequests, "Too many requests")
}

// TestPagesMFASwitchedOff: with enable_sms_2fa=false the account page has
// no SMS section and its forms are not served; the code page still is, for
// accounts that enrolled before.
func TestPagesMFASwitchedOff(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.EnableSMS2FA = false })
	s := newSite(t, env)
	signUp(t, env, "tess@example.com", pw1)
	cookie := s.signIn(t, "tess@example.com", pw1)
	p := s.get(t, "/account/me", cookie)
	wantPage(t, p, http.StatusOK)
	if strings.Contains(p.body, "data-rs-mfa-section") {
		t.Errorf("the SMS section shows with enable_sms_2fa=false:\n%s", p.body)
	}
	wantPage(t, s.post(t, "/account/phone/start", cookie, url.Values{"phone_number": {pagesPhone}, "current_password": {pw1}}), http.StatusNotFound)
	wantRedirect(t, s.get(t, "/account/mfa-confirm", ""), "/account/login")
}
