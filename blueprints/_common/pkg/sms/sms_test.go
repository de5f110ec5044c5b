// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sms_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"regstack.example/app/internal/auth/config"
	"regstack.example/app/internal/auth/sms"
)

func TestConsoleLogsTheMessage(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	c := &sms.Console{Logger: logger, From: "+15005550006"}
	if err := c.Send(context.Background(), sms.Message{To: testTo, Body: testBody}); err != nil {
		t.Fatal(err)
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log %q: %v", buf.String(), err)
	}
	for k, want := range map[string]string{"level": "INFO", "to": testTo, "from": "+15005550006", "body": testBody} {
		if line[k] != want {
			t.Errorf("logged %s = %v, want %q", k, line[k], want)
		}
	}
}

func TestConsoleAndNullCheckTheMessage(t *testing.T) {
	var buf bytes.Buffer
	for name, s := range map[string]sms.Sender{
		"console": &sms.Console{Logger: slog.New(slog.NewTextHandler(&buf, nil))},
		"null":    sms.Null{},
	} {
		if err := s.Send(context.Background(), sms.Message{To: "0155550123", Body: testBody}); !errors.Is(err, sms.ErrInvalidMessage) {
			t.Errorf("%s: local number: %v, want ErrInvalidMessage", name, err)
		}
		if err := s.Send(context.Background(), sms.Message{To: testTo}); !errors.Is(err, sms.ErrInvalidMessage) {
			t.Errorf("%s: empty body: %v, want ErrInvalidMessage", name, err)
		}
	}
	if buf.Len() != 0 {
		t.Errorf("console logged a refused message: %s", buf.String())
	}
	if err := (sms.Null{}).Send(context.Background(), sms.Message{To: testTo, Body: testBody}); err != nil {
		t.Errorf("null: %v", err)
	}
}

func TestNewChoosesTheBackend(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	cfg := config.Default().SMS

	s, err := sms.New(cfg, logger)
	if _, ok := s.(*sms.Console); err != nil || !ok {
		t.Errorf("default backend: %T, %v; want *sms.Console", s, err)
	}
	if !strings.Contains(logs.String(), "WARN") {
		t.Errorf("no warning for the console backend: %q", logs.String())
	}

	cfg.Backend = "null"
	if s, err := sms.New(cfg, logger); err != nil || s != (sms.Null{}) {
		t.Errorf("null backend: %T, %v", s, err)
	}

	cfg.Backend = "twilio"
	if _, err := sms.New(cfg, logger); err == nil {
		t.Error("twilio backend without credentials: no error")
	}
	cfg.TwilioAccountSID, cfg.TwilioAuthToken, cfg.FromNumber = twilioSID, twilioToken, twilioFrom
	if s, err := sms.New(cfg, logger); err != nil {
		t.Errorf("twilio backend: %v", err)
	} else if _, ok := s.(*sms.Twilio); !ok {
		t.Errorf("twilio backend: %T", s)
	}

	cfg.Backend = "carrier-pigeon"
	if _, err := sms.New(cfg, logger); err == nil || !strings.Contains(err.Error(), "carrier-pigeon") {
		t.Errorf("unknown backend: %v", err)
	}
}

func TestProviderErrorText(t *testing.T) {
	err := error(&sms.ProviderError{Provider: "twilio", HTTPStatus: 400, Code: "21211", Message: "Invalid 'To' Phone Number", MoreInfo: "https://www.twilio.com/docs/errors/21211", Err: sms.ErrRejected})
	want := "sms: twilio: message refused (HTTP 400, code 21211): Invalid 'To' Phone Number (see https://www.twilio.com/docs/errors/21211)"
	if err.Error() != want {
		t.Errorf("text %q, want %q", err, want)
	}
	if !errors.Is(err, sms.ErrRejected) {
		t.Error("does not wrap ErrRejected")
	}
}
