// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
)

// resolver is the part of *net.Resolver the DNS checks use.
type resolver interface {
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// newResolver returns the system's resolver, or one that sends every query
// to server (host:port) when it is set.
func newResolver(server string) resolver {
	if server == "" {
		return net.DefaultResolver
	}
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, server)
		},
	}
}

// checkMailDNS checks the records that decide whether mail from the
// sender's domain is delivered rather than filed as spam: MX (the domain
// receives mail, which many receivers require of a sender), SPF and DMARC.
func checkMailDNS(ctx context.Context, r resolver, fromAddress string) []result {
	_, domain, ok := strings.Cut(fromAddress, "@")
	if !ok || domain == "" {
		msg := fmt.Sprintf("email.from_address %q has no domain", fromAddress)
		return []result{fail("dns mx", "%s", msg), fail("dns spf", "%s", msg), fail("dns dmarc", "%s", msg)}
	}
	out := []result{checkMX(ctx, r, domain)}
	out = append(out, checkTXT(ctx, r, "dns spf", domain, "v=spf1"))
	out = append(out, checkTXT(ctx, r, "dns dmarc", "_dmarc."+domain, "v=DMARC1"))
	return out
}

func checkMX(ctx context.Context, r resolver, domain string) result {
	ctx, cancel := context.WithTimeout(ctx, dnsTimeout)
	defer cancel()
	records, err := r.LookupMX(ctx, domain)
	if err != nil {
		return fail("dns mx", "%s", lookupError(domain, err))
	}
	if len(records) == 0 {
		return fail("dns mx", "no MX record on %s", domain)
	}
	hosts := make([]string, len(records))
	for i, mx := range records {
		hosts[i] = strings.TrimSuffix(mx.Host, ".")
	}
	return pass("dns mx", "%s ok (%d record(s): %s)", domain, len(records), strings.Join(hosts, ", "))
}

// checkTXT passes when a TXT record at name starts with prefix (compared
// case-insensitively, as receivers do).
func checkTXT(ctx context.Context, r resolver, check, name, prefix string) result {
	ctx, cancel := context.WithTimeout(ctx, dnsTimeout)
	defer cancel()
	records, err := r.LookupTXT(ctx, name)
	if err != nil {
		return fail(check, "%s", lookupError(name, err))
	}
	n := 0
	for _, txt := range records {
		if len(txt) >= len(prefix) && strings.EqualFold(txt[:len(prefix)], prefix) {
			n++
		}
	}
	switch n {
	case 0:
		return fail(check, "no '%s' record on %s", prefix, name)
	case 1:
		return pass(check, "%s ok (1 record)", name)
	}
	// RFC 7208 §4.5 and RFC 7489 §6.6.3: more than one record is an error
	// that makes receivers ignore them all.
	return fail(check, "%s has %d '%s' records; receivers ignore them all unless there is exactly one", name, n, prefix)
}

func lookupError(name string, err error) string {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		switch {
		case dnsErr.IsNotFound:
			return name + " → NXDOMAIN (no such name or no such record)"
		case dnsErr.IsTimeout:
			return name + " → timed out"
		}
	}
	return fmt.Sprintf("%s → %v", name, err)
}
