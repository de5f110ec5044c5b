// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mail

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testServer is a small but real SMTP server: it speaks EHLO, STARTTLS,
// AUTH PLAIN, MAIL, RCPT, DATA and QUIT over TCP on 127.0.0.1 and records
// what each session delivered.
type testServer struct {
	t          *testing.T
	ln         net.Listener
	tlsConfig  *tls.Config // nil: STARTTLS is not offered
	rejectRcpt bool
	silent     bool // accept connections but never greet

	mu       sync.Mutex
	conns    int
	sessions []*session
}

type session struct {
	tls                bool
	authUser, authPass string
	from               string
	to                 []string
	data               string // raw DATA with CRLF endings, dot-stuffing undone
	commands           []string
}

func newTestServer(t *testing.T, configure func(*testServer)) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{t: t, ln: ln}
	if configure != nil {
		configure(s)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns++
			s.mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				s.serve(conn)
			}()
		}
	}()
	return s
}

func (s *testServer) sender() *SMTP {
	host, port, _ := net.SplitHostPort(s.ln.Addr().String())
	p, _ := strconv.Atoi(port)
	return &SMTP{Host: host, Port: p, Timeout: 5 * time.Second}
}

func (s *testServer) delivered() []*session {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*session
	for _, ss := range s.sessions {
		if ss.data != "" {
			out = append(out, ss)
		}
	}
	return out
}

// commands lists every command received, over all sessions.
func (s *testServer) commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, ss := range s.sessions {
		out = append(out, ss.commands...)
	}
	return out
}

func (s *testServer) connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

func (s *testServer) serve(conn net.Conn) {
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if s.silent {
		buf := make([]byte, 1)
		conn.Read(buf) // until the client gives up
		return
	}
	sess := &session{}
	s.mu.Lock()
	s.sessions = append(s.sessions, sess)
	s.mu.Unlock()

	r := bufio.NewReader(conn)
	reply := func(lines ...string) {
		for _, l := range lines {
			conn.Write([]byte(l + "\r\n"))
		}
	}
	reply("220 test.example ESMTP ready")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		s.mu.Lock()
		sess.commands = append(sess.commands, verb)
		s.mu.Unlock()
		switch {
		case verb == "EHLO":
			lines := []string{"250-test.example"}
			if s.tlsConfig != nil && !sess.tls {
				lines = append(lines, "250-STARTTLS")
			}
			reply(append(lines, "250 AUTH PLAIN")...)
		case verb == "STARTTLS" && s.tlsConfig != nil && !sess.tls:
			reply("220 go ahead")
			tc := tls.Server(conn, s.tlsConfig)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, r = tc, bufio.NewReader(tc)
			s.mu.Lock()
			sess.tls = true
			s.mu.Unlock()
		case verb == "AUTH":
			fields := strings.Fields(line)
			if len(fields) != 3 || strings.ToUpper(fields[1]) != "PLAIN" {
				reply("504 only AUTH PLAIN with an initial response")
				continue
			}
			raw, err := base64.StdEncoding.DecodeString(fields[2])
			parts := strings.Split(string(raw), "\x00")
			if err != nil || len(parts) != 3 {
				reply("501 malformed")
				continue
			}
			s.mu.Lock()
			sess.authUser, sess.authPass = parts[1], parts[2]
			s.mu.Unlock()
			reply("235 authenticated")
		case strings.HasPrefix(strings.ToUpper(line), "MAIL FROM:"):
			s.mu.Lock()
			sess.from = line[len("MAIL FROM:"):]
			s.mu.Unlock()
			reply("250 ok")
		case strings.HasPrefix(strings.ToUpper(line), "RCPT TO:"):
			if s.rejectRcpt {
				reply("550 no such user")
				continue
			}
			s.mu.Lock()
			sess.to = append(sess.to, line[len("RCPT TO:"):])
			s.mu.Unlock()
			reply("250 ok")
		case verb == "DATA":
			reply("354 end with <CRLF>.<CRLF>")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, ".")) // undo dot-stuffing
			}
			s.mu.Lock()
			sess.data = data.String()
			s.mu.Unlock()
			reply("250 queued")
		case verb == "RSET" || verb == "NOOP":
			reply("250 ok")
		case verb == "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 command not implemented")
		}
	}
}

// selfSigned returns a server config for 127.0.0.1 and a client pool that
// trusts it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test.example"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}
