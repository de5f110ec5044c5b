package oauthsetup

import (
	"reflect"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	good := Input{BaseURL: "https://app.example.com", ClientID: "123-abc.apps.googleusercontent.com", ClientSecret: "GOCSPX-s3cret"}
	tests := []struct {
		name       string
		edit       func(*Input)
		haveSecret bool
		want       []FieldError
	}{
		{"valid", func(*Input) {}, false, nil},
		{"http loopback base URL", func(in *Input) { in.BaseURL = "http://localhost:8000/" }, false, nil},
		{"dotted client id", func(in *Input) { in.ClientID = "a.b-c_d.apps.googleusercontent.com" }, false, nil},
		{"custom redirect", func(in *Input) { in.RedirectURI = "https://auth.example.com/cb" }, false, nil},
		{"empty secret keeps the existing one", func(in *Input) { in.ClientSecret = "" }, true, nil},
		{"secret of 8", func(in *Input) { in.ClientSecret = "12345678" }, false, nil},
		{"secret of 128", func(in *Input) { in.ClientSecret = strings.Repeat("x", 128) }, false, nil},

		{"no base URL", func(in *Input) { in.BaseURL = "" }, false, []FieldError{{FieldBaseURL, "Base URL is required."}}},
		{"ftp base URL", func(in *Input) { in.BaseURL = "ftp://example.com" }, false, []FieldError{{FieldBaseURL, "URL must start with http:// or https://."}}},
		{"bare host", func(in *Input) { in.BaseURL = "example.com" }, false, []FieldError{{FieldBaseURL, "URL must start with http:// or https://."}}},
		{"no host", func(in *Input) { in.BaseURL = "https:///path" }, false, []FieldError{{FieldBaseURL, "URL is missing a host."}}},
		{"no client id", func(in *Input) { in.ClientID = "" }, false, []FieldError{{FieldClientID, "Client ID is required."}}},
		{"wrong suffix", func(in *Input) { in.ClientID = "123.apps.example.com" }, false, []FieldError{{FieldClientID, "Client ID must end with .apps.googleusercontent.com."}}},
		{"suffix alone", func(in *Input) { in.ClientID = ".apps.googleusercontent.com" }, false, []FieldError{{FieldClientID, "Client ID must end with .apps.googleusercontent.com."}}},
		{"space in id", func(in *Input) { in.ClientID = "1 2.apps.googleusercontent.com" }, false, []FieldError{{FieldClientID, "Client ID must end with .apps.googleusercontent.com."}}},
		{"no secret", func(in *Input) { in.ClientSecret = "" }, false, []FieldError{{FieldClientSecret, "Client secret is required."}}},
		{"secret of 7", func(in *Input) { in.ClientSecret = "1234567" }, false, []FieldError{{FieldClientSecret, "Client secret length must be 8 to 128 characters."}}},
		{"secret of 129", func(in *Input) { in.ClientSecret = strings.Repeat("x", 129) }, false, []FieldError{{FieldClientSecret, "Client secret length must be 8 to 128 characters."}}},
		{"secret with a space", func(in *Input) { in.ClientSecret = "abcd efgh" }, false, []FieldError{{FieldClientSecret, "Client secret must not contain spaces or control characters."}}},
		{"secret with a line break", func(in *Input) { in.ClientSecret = "abcd\nefgh" }, false, []FieldError{{FieldClientSecret, "Client secret must not contain spaces or control characters."}}},
		{"bad redirect", func(in *Input) { in.RedirectURI = "/api/auth/oauth/google/callback" }, false, []FieldError{{FieldRedirectURI, "URL must start with http:// or https://."}}},
		{"every field at once", func(in *Input) { *in = Input{ClientID: "x", ClientSecret: "short", RedirectURI: "mailto:x"} }, false, []FieldError{
			{FieldBaseURL, "Base URL is required."},
			{FieldClientID, "Client ID must end with .apps.googleusercontent.com."},
			{FieldClientSecret, "Client secret length must be 8 to 128 characters."},
			{FieldRedirectURI, "URL must start with http:// or https://."},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good
			tt.edit(&in)
			if got := Validate(in, tt.haveSecret); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Validate(%+v) = %v, want %v", in, got, tt.want)
			}
		})
	}
}

func TestAddresses(t *testing.T) {
	tests := []struct{ base, prefix, redirect, origin string }{
		{"http://localhost:8000", "/api/auth", "http://localhost:8000/api/auth/oauth/google/callback", "http://localhost:8000"},
		{"https://app.example.com/", "/api/auth/", "https://app.example.com/api/auth/oauth/google/callback", "https://app.example.com"},
		{"https://Example.com/shop", "/auth", "https://Example.com/shop/auth/oauth/google/callback", "https://example.com"},
		{"https://example.com:8443/", "", "https://example.com:8443/oauth/google/callback", "https://example.com:8443"},
	}
	for _, tt := range tests {
		if got := RedirectURI(tt.base, tt.prefix); got != tt.redirect {
			t.Errorf("RedirectURI(%q, %q) = %q, want %q", tt.base, tt.prefix, got, tt.redirect)
		}
		if got, err := Origin(tt.base); err != nil || got != tt.origin {
			t.Errorf("Origin(%q) = %q, %v; want %q", tt.base, got, err, tt.origin)
		}
	}
	if _, err := Origin("/relative"); err == nil {
		t.Error("Origin of a relative URL: no error")
	}
}
