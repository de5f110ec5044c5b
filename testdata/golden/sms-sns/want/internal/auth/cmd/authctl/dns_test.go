// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package main

import (
	"net"
	"strings"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// zone is what the test DNS server knows: TXT and MX records by name (with
// the trailing dot). Any other name is NXDOMAIN.
type zone struct {
	txt map[string][]string
	mx  map[string][]string
}

// startDNS serves z over UDP on a loopback port and returns its address.
// The checks then run through Go's own resolver against a real server.
func startDNS(t *testing.T, z zone) string {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, addr, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			if reply, err := z.answer(buf[:n]); err == nil {
				conn.WriteTo(reply, addr)
			}
		}
	}()
	return conn.LocalAddr().String()
}

func (z zone) answer(query []byte) ([]byte, error) {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil, err
	}
	q, err := p.Question()
	if err != nil {
		return nil, err
	}
	name := strings.ToLower(q.Name.String())
	_, knownTXT := z.txt[name]
	_, knownMX := z.mx[name]
	rcode := dnsmessage.RCodeSuccess
	if !knownTXT && !knownMX {
		rcode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionAvailable: true, RCode: rcode})
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(q); err != nil {
		return nil, err
	}
	if err := b.StartAnswers(); err != nil {
		return nil, err
	}
	rh := dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60}
	switch q.Type {
	case dnsmessage.TypeTXT:
		for _, txt := range z.txt[name] {
			if err := b.TXTResource(rh, dnsmessage.TXTResource{TXT: []string{txt}}); err != nil {
				return nil, err
			}
		}
	case dnsmessage.TypeMX:
		for i, host := range z.mx[name] {
			mx := dnsmessage.MXResource{Pref: uint16(10 * (i + 1)), MX: dnsmessage.MustNewName(host)}
			if err := b.MXResource(rh, mx); err != nil {
				return nil, err
			}
		}
	}
	return b.Finish()
}

func TestDoctorDNS(t *testing.T) {
	server := startDNS(t, zone{
		mx: map[string][]string{"good.example.com.": {"mx1.good.example.com.", "mx2.good.example.com."}},
		txt: map[string][]string{
			"good.example.com.":        {"google-site-verification=x", "v=spf1 include:_spf.good.example.com ~all"},
			"_dmarc.good.example.com.": {"v=DMARC1; p=reject"},
			// Two SPF records invalidate each other; no DMARC at all.
			"twice.example.com.": {"v=spf1 -all", "v=spf1 ~all"},
		},
	})
	te := newTestEnv(t, "REGSTACK_EMAIL__FROM_ADDRESS=noreply@good.example.com")
	te.mustRun(t, "", "migrate", "up")
	o := te.run(t, "", "doctor", "-check-dns", "-dns-server", server)
	if o.code != 0 {
		t.Fatalf("doctor -check-dns on a good domain: %s", o)
	}
	for _, want := range []string{
		"✔ dns mx: good.example.com ok (2 record(s): mx1.good.example.com, mx2.good.example.com)",
		"✔ dns spf: good.example.com ok (1 record)",
		"✔ dns dmarc: _dmarc.good.example.com ok (1 record)",
	} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, o.stdout)
		}
	}

	te = newTestEnv(t, "REGSTACK_EMAIL__FROM_ADDRESS=noreply@twice.example.com")
	te.mustRun(t, "", "migrate", "up")
	o = te.run(t, "", "doctor", "-check-dns", "-dns-server", server)
	if o.code != 3 {
		t.Fatalf("doctor -check-dns on a bad domain: want 3 failures; %s", o)
	}
	for _, want := range []string{
		"✘ dns mx: ",
		"✘ dns spf: twice.example.com has 2 'v=spf1' records",
		"✘ dns dmarc: _dmarc.twice.example.com → NXDOMAIN",
	} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, o.stdout)
		}
	}
}
