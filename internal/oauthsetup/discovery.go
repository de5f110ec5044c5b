package oauthsetup

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/regstack/regstack/internal/checkreport"
)

// DiscoveryTimeout bounds the discovery check, as the reference does.
const DiscoveryTimeout = 5 * time.Second

// CheckDiscovery fetches the issuer's OpenID Connect discovery document,
// {issuer}/.well-known/openid-configuration, the first thing the app does
// at a Google sign-in. The result is informational: a failure is a
// warning and never stops the files being written (the operator may set
// up a host that cannot reach Google from here).
func CheckDiscovery(ctx context.Context, client *http.Client, issuer string) checkreport.Check {
	c := checkreport.Check{ID: "discovery", Status: checkreport.Warn}
	start := time.Now()
	defer func() { c.Duration = time.Since(start) }()
	url := strings.TrimRight(issuer, "/") + "/.well-known/openid-configuration"
	ctx, cancel := context.WithTimeout(ctx, DiscoveryTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		c.Detail = fmt.Sprintf("GET %s: %v", url, err)
		return c
	}
	res, err := client.Do(req)
	if err != nil {
		c.Detail = fmt.Sprintf("GET %s: %v", url, err)
		c.Fix = "check the network, a proxy, or [oauth] google_issuer; the app needs this document at every Google sign-in"
		return c
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		c.Detail = fmt.Sprintf("GET %s: %s", url, res.Status)
		c.Fix = "check [oauth] google_issuer"
		return c
	}
	var doc struct {
		Issuer                string `json:"issuer"`
		AuthorizationEndpoint string `json:"authorization_endpoint"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&doc); err != nil || doc.Issuer == "" || doc.AuthorizationEndpoint == "" {
		c.Detail = fmt.Sprintf("GET %s: not an OpenID Connect discovery document", url)
		c.Fix = "check [oauth] google_issuer"
		return c
	}
	c.Status = checkreport.Pass
	c.Detail = fmt.Sprintf("GET %s: ok (issuer %s)", url, doc.Issuer)
	return c
}
