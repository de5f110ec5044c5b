// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"strings"
	"testing"
)

func TestSNSEndpoint(t *testing.T) {
	for _, ok := range []string{"", "https://sns.eu-west-1.amazonaws.com", "http://127.0.0.1:5005", "http://localhost:5005/"} {
		s := Default().SMS
		s.SNSEndpoint = ok
		if errs := s.validateSNS(); len(errs) > 0 {
			t.Errorf("sns_endpoint %q refused: %v", ok, errs)
		}
	}
	for _, bad := range []string{"http://sns.example.com", "sns.eu-west-1.amazonaws.com", "https://user:pw@sns.example.com", "ftp://127.0.0.1"} {
		s := Default().SMS
		s.SNSEndpoint = bad
		errs := s.validateSNS()
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), "sms.sns_endpoint") {
			t.Errorf("sns_endpoint %q: errors %v, want one naming sms.sns_endpoint", bad, errs)
		}
		if strings.Contains(bad, "pw@") && strings.Contains(errs[0].Error(), "pw") {
			t.Errorf("the password of %q is in the message %q", bad, errs[0])
		}
	}
}
