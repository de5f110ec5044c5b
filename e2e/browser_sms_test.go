package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserSMSSecondFactor walks the SMS second factor through the
// pages of a starter app generated with --sms, in Chromium with
// JavaScript off, the codes sent through the Twilio protocol to a fake
// Twilio (twilioFake): sign in → the account page's SMS section → a phone
// number and the password → the code from the texted message (a wrong one
// first) → "On" → sign out → sign in: the password leads to the code page
// (the pending step in a cookie, never in the URL) → a wrong code, then
// the texted one → the account page. The code page and the section in
// each of its states are captured (light and dark, 1280 and 375 px) and
// checked for accessibility, the section on its own too.
func TestBrowserSMSSecondFactor(t *testing.T) {
	bin, host := smsStarterApp(t, "sqlite")
	sink := startSink(t)
	tw := startTwilioFake(t)
	extra := append([]string{"REGSTACK_REQUIRE_VERIFICATION=false"}, cheapHashEnv...)
	app := startApp(t, bin, host, appEnv(t, sink, "sqlite", append(extra, tw.AppEnv()...)...))
	p := browserTab(t)
	start := time.Now()
	ui := app.BaseURL + uiPrefix

	const (
		email = "sms-pages@example.com"
		pass  = "sms-in-a-browser-1"
		phone = "+14155552671"
		hint  = "+•••••••••71"
	)
	if r := app.Do(t, "POST", apiPrefix+"/register", "", map[string]any{"email": email, "password": pass}); r.Status != http.StatusCreated {
		t.Fatalf("register: %s, want 201", r)
	}
	signIn(t, p, ui, email, pass)

	// Off: the number form.
	section := "[data-rs-mfa-section]"
	if got := p.text("[data-rs-mfa-status]"); got != "Off. Add a phone number to turn it on." {
		t.Errorf("SMS status %q, want off", got)
	}
	checkInput(t, p, "input[name=phone_number]", map[string]string{"type": "tel", "autocomplete": "tel", "pattern": `\+[1-9]\d{1,14}`})
	p.capture("me-sms-off")
	captureSection(t, p, "me-sms-off-section", section)

	p.fill(formWith("phone_number")+" input[name=phone_number]", phone)
	p.fill(formWith("phone_number")+" input[name=current_password]", pass)
	if status := p.submit(formButton("phone_number")); status != http.StatusOK {
		t.Fatalf("send a code to the phone: %d, want 200\n%s", status, p.text("main"))
	}
	wantPath(t, p, uiPrefix+"/me")
	m := tw.waitFor(t, phone)
	if m.From != tw.From || !strings.Contains(m.Body, "\n@127.0.0.1 #") {
		t.Errorf("enrolment SMS from %s: %q, want from %s ending with the WebOTP line", m.From, m.Body, tw.From)
	}
	code := twilioCode(t, m)
	if got := p.text("[data-rs-mfa-status]"); got != "Off until you enter the code." {
		t.Errorf("SMS status while the code is awaited: %q", got)
	}
	if got := p.text("#phone-setup-confirm-code-hint"); !strings.Contains(got, hint) {
		t.Errorf("the code field does not say where the code went (%s): %q", hint, got)
	}
	checkInput(t, p, "input[name=code]", map[string]string{"autocomplete": "one-time-code", "inputmode": "numeric"})
	checkFocusRing(t, p, "input[name=code]")
	p.capture("me-sms-code")
	captureSection(t, p, "me-sms-code-section", section)

	// A wrong code: the error beside the field, then the right one.
	p.fill("input[name=code]", wrongCode(code))
	if status := p.submit(formButton("code")); status != http.StatusBadRequest {
		t.Errorf("a wrong enrolment code: %d, want 400", status)
	}
	checkFieldError(t, p, "a wrong enrolment code")
	p.capture("me-sms-wrong-code")
	captureSection(t, p, "me-sms-wrong-code-section", section)
	p.fill("input[name=code]", code)
	if status := p.submit(formButton("code")); status != http.StatusOK {
		t.Fatalf("confirm the phone: %d, want 200\n%s", status, p.text("main"))
	}
	wantPath(t, p, uiPrefix+"/me")
	if got := p.text("[data-rs-mfa-status]"); got != "On — codes go to "+hint+"." {
		t.Errorf("SMS status after the code: %q, want on", got)
	}
	p.capture("me-sms-on")
	captureSection(t, p, "me-sms-on-section", section)

	// Sign out; the password now leads to the code page.
	if status := p.submit(`form[action$="/logout"] button[type=submit]`); status != http.StatusOK {
		t.Fatalf("sign out: %d, want 200\n%s", status, p.text("main"))
	}
	p.open(ui + "/login")
	p.fill("input[name=email]", email)
	p.fill("input[name=password]", pass)
	if status := p.submit(formButton("password")); status != http.StatusOK {
		t.Fatalf("sign in: %d, want 200 (the code page)\n%s", status, p.text("main"))
	}
	wantPath(t, p, uiPrefix+"/mfa-confirm")
	if loc := p.location(); strings.Contains(loc, "token") || len(loc) > len(ui)+len("/mfa-confirm")+40 {
		t.Errorf("the code page's URL %s carries more than the path", loc)
	}
	m = tw.waitFor(t, phone)
	code = twilioCode(t, m)
	if got := p.text("main h1"); got != "Enter your sign-in code" {
		t.Errorf("code page heading %q", got)
	}
	if got := p.text("main .rs-hint"); !strings.Contains(got, hint) {
		t.Errorf("the code page does not say where the code went: %q", got)
	}
	checkInput(t, p, "input[name=code]", map[string]string{"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": `\d{4,10}`})
	checkFocusRing(t, p, "input[name=code]")
	p.capture("mfa-confirm")

	p.fill("input[name=code]", wrongCode(code))
	if status := p.submit(formButton("code")); status != http.StatusBadRequest {
		t.Errorf("a wrong sign-in code: %d, want 400", status)
	}
	checkFieldError(t, p, "a wrong sign-in code")
	if got := p.text("main .rs-field-error"); got != "Wrong code; 4 attempts remaining." {
		t.Errorf("wrong-code message %q", got)
	}
	p.capture("mfa-confirm-wrong-code")

	p.fill("input[name=code]", code)
	if status := p.submit(formButton("code")); status != http.StatusOK {
		t.Fatalf("sign in with the code: %d, want 200 (the account page)\n%s", status, p.text("main"))
	}
	wantPath(t, p, uiPrefix+"/me")
	if got := p.text("[data-rs-mfa-status]"); got != "On — codes go to "+hint+"." {
		t.Errorf("SMS status after signing in with the code: %q, want on", got)
	}

	// Back on the code page without a step waiting: sign in first.
	p.open(ui + "/mfa-confirm")
	wantPath(t, p, uiPrefix+"/me") // signed in: the sign-in page goes on to the account page

	// Off again, with the password.
	p.open(ui + "/me")
	p.fill(`form[action*="/phone/disable"] input[name=current_password]`, pass)
	if status := p.submit(`form[action*="/phone/disable"] button[type=submit]`); status != http.StatusOK {
		t.Fatalf("turn the codes off: %d, want 200\n%s", status, p.text("main"))
	}
	if got := p.text("[data-rs-mfa-status]"); got != "Off. Add a phone number to turn it on." {
		t.Errorf("SMS status after turning it off: %q", got)
	}
	if n := tw.rejections(); n != 0 {
		t.Errorf("the fake Twilio refused %d requests of the app", n)
	}
	if n := len(tw.messages(phone)); n != 2 {
		t.Errorf("%d messages to %s, want 2 (enrolment, sign-in)", n, phone)
	}
	t.Logf("SMS pages flow (%d captures): %s", p.shots, time.Since(start).Round(time.Millisecond))
}

// wrongCode is a code that is not code.
func wrongCode(code string) string {
	if strings.HasPrefix(code, "0") {
		return strings.Repeat("1", len(code))
	}
	return strings.Repeat("0", len(code))
}

// checkInput fails unless the input sel exists with the attributes want.
func checkInput(t *testing.T, p *tab, sel string, want map[string]string) {
	t.Helper()
	if !p.has(sel) {
		t.Fatalf("no %s on %s:\n%s", sel, p.location(), p.text("main"))
	}
	for name, v := range want {
		if got := p.attr(sel, name); got != v {
			t.Errorf("%s %s=%q, want %q", sel, name, got, v)
		}
	}
}

// checkFocusRing: the input sel takes the keyboard focus and shows the
// theme's focus ring (an outline of 2 px at least) while it has it.
func checkFocusRing(t *testing.T, p *tab, sel string) {
	t.Helper()
	p.do("focus "+sel, chromedp.Focus(chromedp.CSS(sel)))
	got := eval[string](p, "focus of "+sel, `(() => {
		const el = document.querySelector(`+jsString(sel)+`);
		if (document.activeElement !== el) return "not focused";
		const cs = getComputedStyle(el);
		const w = parseFloat(cs.outlineWidth) || 0;
		if (cs.outlineStyle === "none" || w < 2) return "no focus ring (outline " + cs.outlineStyle + " " + cs.outlineWidth + ")";
		return "";
	})()`)
	if got != "" {
		t.Errorf("%s on %s: %s", sel, p.location(), got)
	}
	p.do("blur "+sel, chromedp.Blur(chromedp.CSS(sel)))
}

// captureSection screenshots the element sel alone in both colour schemes
// at both widths (NN-step-scheme-width.png), for a look at one part of a
// long page. capture has checked the whole page already.
func captureSection(t *testing.T, p *tab, step, sel string) {
	t.Helper()
	p.shots++
	for _, w := range captureWidths {
		p.viewport(w)
		for _, s := range colourSchemes {
			p.scheme(s)
			var png []byte
			p.call("screenshot of "+sel, func(ctx context.Context) (err error) {
				png, err = chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(sel)))
				return err
			})
			name := filepath.Join(p.dir, fmt.Sprintf("%02d-%s-%s-%d.png", p.shots, step, s, w))
			if err := os.WriteFile(name, png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	p.viewport(captureWidths[0])
	p.scheme("light")
}
