// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Rate is one rule of a rate limit: at most Count requests per Period.
type Rate struct {
	Count  int
	Period time.Duration
}

// String spells the rate the way the 429 answer does: "10 per 1 minute".
func (r Rate) String() string {
	for _, u := range rateUnits() {
		if r.Period%u.d == 0 {
			return fmt.Sprintf("%d per %d %s", r.Count, r.Period/u.d, u.name)
		}
	}
	return fmt.Sprintf("%d per %s", r.Count, r.Period)
}

type rateUnit struct {
	name string
	d    time.Duration
}

// rateUnits are the units a rate may use, longest first.
func rateUnits() []rateUnit {
	return []rateUnit{{"day", 24 * time.Hour}, {"hour", time.Hour}, {"minute", time.Minute}, {"second", time.Second}}
}

// ParseRateLimit reads a rate limit: rules separated by ";" (or ","), all of
// which must hold. "" and "off" mean no limit (nil).
func ParseRateLimit(text string) ([]Rate, error) {
	text = strings.TrimSpace(text)
	if text == "" || strings.EqualFold(text, "off") {
		return nil, nil
	}
	// One rule: "10/minute", "10 per minute", "5/15 minutes", "100 per 2
	// hours" (case-insensitive).
	ruleRE := regexp.MustCompile(`^(\d+)\s*(?:/|\s+per\s+)\s*(\d+)?\s*(second|minute|hour|day)s?$`)
	var rates []Rate
	for _, rule := range strings.FieldsFunc(text, func(r rune) bool { return r == ';' || r == ',' }) {
		m := ruleRE.FindStringSubmatch(strings.ToLower(strings.TrimSpace(rule)))
		if m == nil {
			return nil, fmt.Errorf("%q is not a rate like \"10/minute\" or \"100 per 2 hours\" (rules separated by \";\"; \"off\" disables)", strings.TrimSpace(rule))
		}
		count, err := strconv.Atoi(m[1])
		if err != nil || count < 1 || count > 1_000_000 {
			return nil, fmt.Errorf("%q: the count must be 1..1000000", rule)
		}
		n := 1
		if m[2] != "" {
			if n, err = strconv.Atoi(m[2]); err != nil || n < 1 || n > 1000 {
				return nil, fmt.Errorf("%q: the number of %ss must be 1..1000", rule, m[3])
			}
		}
		var unit time.Duration
		for _, u := range rateUnits() {
			if u.name == m[3] {
				unit = u.d
			}
		}
		rates = append(rates, Rate{Count: count, Period: time.Duration(n) * unit})
	}
	if len(rates) == 0 {
		return nil, fmt.Errorf("%q has no rate", text)
	}
	return rates, nil
}

// RouteRateLimit is the limit of one route.
type RouteRateLimit struct {
	// Key is the setting, e.g. "login_rate_limit".
	Key string
	// Route is "METHOD /path" with the path relative to api_prefix.
	Route string
	// Rates all apply; empty means the route is not limited.
	Rates []Rate
}

// RouteRateLimits returns every per-route limit, parsed: one for each row
// of the key table (fields.go) that names a route. To limit another route,
// add a string field to Config and a row with its route to the table. With
// rate_limit_disabled every route is unlimited.
func (c Config) RouteRateLimits() ([]RouteRateLimit, error) {
	var (
		out  []RouteRateLimit
		errs []error
	)
	for _, f := range fields() {
		if f.route == "" {
			continue
		}
		rates, err := ParseRateLimit(*f.ref(&c).(*string))
		if err != nil {
			errs = append(errs, fmt.Errorf("config: %s: %w", f.name, err))
			continue
		}
		if c.RateLimitDisabled {
			rates = nil
		}
		out = append(out, RouteRateLimit{Key: f.name, Route: f.route, Rates: rates})
	}
	return out, errors.Join(errs...)
}

// TrustedProxyPrefixes parses trusted_proxies: comma-separated CIDRs
// ("10.0.0.0/8") or single addresses ("192.0.2.7", "::1").
func (c Config) TrustedProxyPrefixes() ([]netip.Prefix, error) {
	var (
		out  []netip.Prefix
		errs []error
	)
	for _, item := range strings.Split(c.TrustedProxies, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			addr, aerr := netip.ParseAddr(item)
			if aerr != nil || addr.Zone() != "" {
				errs = append(errs, fmt.Errorf("config: trusted_proxies: %q is neither a CIDR like \"10.0.0.0/8\" nor an IP address", item))
				continue
			}
			p = netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen())
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, errors.Join(errs...)
}
