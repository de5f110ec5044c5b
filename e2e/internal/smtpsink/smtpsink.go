// Package smtpsink is a real SMTP server for tests: it listens on a loopback
// port, speaks enough of RFC 5321 for an ordinary client (EHLO/HELO, MAIL,
// RCPT, DATA, RSET, NOOP, QUIT), keeps every message it accepts and decodes
// the bodies (multipart/alternative, quoted-printable, base64, RFC 2047
// subjects), so a test can read the link in an email the way a user would.
//
// It accepts everything and relays nothing. It does not offer STARTTLS or
// AUTH: the apps under test are configured for plain SMTP on 127.0.0.1.
package smtpsink

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxMessageBytes bounds one DATA section; anything larger is refused with
// 552 so a runaway client cannot fill the test's memory.
const maxMessageBytes = 10 << 20

// idleTimeout closes a connection that sends nothing for this long, so a
// client that hangs shows up as an error instead of a stuck test.
const idleTimeout = 30 * time.Second

// Message is one accepted message: the envelope, the raw DATA and the
// decoded parts.
type Message struct {
	// Envelope, as given in MAIL FROM and RCPT TO (without angle brackets).
	EnvelopeFrom string
	EnvelopeTo   []string

	// Raw is the DATA section with dot-stuffing removed and LF line endings.
	Raw []byte

	Header  mail.Header
	Subject string // RFC 2047-decoded
	// ContentType is the media type of the top-level body, such as
	// "multipart/alternative".
	ContentType string
	// Text and HTML are the decoded text/plain and text/html parts (or the
	// whole body when it is a single part of that type).
	Text string
	HTML string

	// ParseErr is set when the message could not be decoded; Raw still
	// holds what arrived.
	ParseErr error
}

// Server is a running sink. Its methods are safe for concurrent use.
type Server struct {
	ln net.Listener

	mu       sync.Mutex
	msgs     []Message
	taken    []map[string]bool // per message: recipients (lower-case) whose copy Next returned
	changed  chan struct{}     // closed and replaced whenever msgs grows
	conns    map[net.Conn]struct{}
	closed   bool
	protoErr []error

	wg sync.WaitGroup
}

// Start listens on 127.0.0.1 on a free port and serves until Close.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{
		ln:      ln,
		changed: make(chan struct{}),
		conns:   make(map[net.Conn]struct{}),
	}
	s.wg.Add(1)
	go s.acceptLoop()
	return s, nil
}

// Addr is host:port of the listener.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Port is the listening port.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Close stops the listener, drops open connections and waits for the
// connection goroutines to finish.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	err := s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

// Messages returns a copy of every message accepted so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// ProtocolErrors returns the client mistakes the sink saw (commands out of
// order, malformed addresses, oversized data). A well-behaved mailer leaves
// this empty.
func (s *Server) ProtocolErrors() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.protoErr...)
}

// Next waits for the oldest message addressed (in the envelope) to rcpt
// whose copy for rcpt no earlier Next call returned, marks that copy as
// taken and returns it. Addresses compare case-insensitively.
func (s *Server) Next(ctx context.Context, rcpt string) (Message, error) {
	key := strings.ToLower(rcpt)
	for {
		s.mu.Lock()
		for i, m := range s.msgs {
			if s.taken[i][key] {
				continue
			}
			for _, to := range m.EnvelopeTo {
				if strings.ToLower(to) == key {
					s.taken[i][key] = true
					s.mu.Unlock()
					return m, nil
				}
			}
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return Message{}, fmt.Errorf("smtpsink: no message for %s: %w (received %d messages in all)", rcpt, ctx.Err(), len(s.Messages()))
		}
	}
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return // listener closed
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			s.serve(c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
			c.Close()
		}()
	}
}

func (s *Server) protocolError(format string, args ...any) {
	s.mu.Lock()
	s.protoErr = append(s.protoErr, fmt.Errorf(format, args...))
	s.mu.Unlock()
}

func (s *Server) deliver(m Message) {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.taken = append(s.taken, make(map[string]bool))
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// session is the state of one SMTP conversation.
type session struct {
	greeted bool
	from    string
	hasFrom bool
	rcpts   []string
}

func (ss *session) reset() {
	ss.from, ss.hasFrom, ss.rcpts = "", false, nil
}

func (s *Server) serve(c net.Conn) {
	tp := textproto.NewConn(c)
	reply := func(line string) bool {
		c.SetWriteDeadline(time.Now().Add(idleTimeout))
		return tp.PrintfLine("%s", line) == nil
	}
	if !reply("220 127.0.0.1 regstack-e2e-sink ESMTP ready") {
		return
	}
	var ss session
	for {
		c.SetReadDeadline(time.Now().Add(idleTimeout))
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			ss.greeted = true
			ss.reset()
			for _, l := range []string{"250-127.0.0.1 greets " + arg, "250-8BITMIME", "250-SMTPUTF8", "250-PIPELINING", "250 SIZE " + strconv.Itoa(maxMessageBytes)} {
				if !reply(l) {
					return
				}
			}
		case "HELO":
			ss.greeted = true
			ss.reset()
			reply("250 127.0.0.1 greets " + arg)
		case "MAIL":
			if !ss.greeted {
				s.protocolError("MAIL before EHLO/HELO")
				reply("503 5.5.1 Say EHLO first")
				continue
			}
			addr, ok := pathArg(arg, "FROM:")
			if !ok {
				s.protocolError("malformed MAIL command %q", line)
				reply("501 5.5.4 Syntax: MAIL FROM:<address>")
				continue
			}
			ss.reset()
			ss.from, ss.hasFrom = addr, true
			reply("250 2.1.0 OK")
		case "RCPT":
			if !ss.hasFrom {
				s.protocolError("RCPT before MAIL")
				reply("503 5.5.1 Need MAIL first")
				continue
			}
			addr, ok := pathArg(arg, "TO:")
			if !ok || addr == "" {
				s.protocolError("malformed RCPT command %q", line)
				reply("501 5.5.4 Syntax: RCPT TO:<address>")
				continue
			}
			ss.rcpts = append(ss.rcpts, addr)
			reply("250 2.1.5 OK")
		case "DATA":
			if len(ss.rcpts) == 0 {
				s.protocolError("DATA without recipients")
				reply("503 5.5.1 Need RCPT first")
				continue
			}
			if !reply("354 End data with <CR><LF>.<CR><LF>") {
				return
			}
			c.SetReadDeadline(time.Now().Add(idleTimeout))
			raw, err := io.ReadAll(io.LimitReader(tp.DotReader(), maxMessageBytes+1))
			if err != nil {
				return
			}
			if len(raw) > maxMessageBytes {
				s.protocolError("message larger than %d bytes", maxMessageBytes)
				// Drain the rest of the DATA section before answering.
				io.Copy(io.Discard, tp.DotReader())
				reply("552 5.3.4 Message too big")
				ss.reset()
				continue
			}
			m := Parse(raw)
			m.EnvelopeFrom = ss.from
			m.EnvelopeTo = append([]string(nil), ss.rcpts...)
			s.deliver(m)
			ss.reset()
			reply("250 2.0.0 OK queued")
		case "RSET":
			ss.reset()
			reply("250 2.0.0 OK")
		case "NOOP":
			reply("250 2.0.0 OK")
		case "QUIT":
			reply("221 2.0.0 Bye")
			return
		case "VRFY":
			reply("252 2.5.2 Cannot VRFY user")
		default:
			reply("502 5.5.2 Command not implemented")
		}
	}
}

// pathArg extracts the address from "FROM:<a@b> SIZE=12" style arguments.
func pathArg(arg, prefix string) (string, bool) {
	arg = strings.TrimSpace(arg)
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", false
	}
	return rest[1:end], true
}

// Parse decodes a message as it arrived in DATA. Decoding problems are
// reported in ParseErr rather than dropped.
func Parse(raw []byte) Message {
	m := Message{Raw: raw}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		m.ParseErr = fmt.Errorf("read message: %w", err)
		return m
	}
	m.Header = msg.Header
	dec := &mime.WordDecoder{}
	if subj, err := dec.DecodeHeader(msg.Header.Get("Subject")); err == nil {
		m.Subject = subj
	} else {
		m.Subject = msg.Header.Get("Subject")
		m.ParseErr = fmt.Errorf("decode subject: %w", err)
	}
	ct := msg.Header.Get("Content-Type")
	if ct == "" {
		ct = "text/plain; charset=us-ascii"
	}
	mediaType, _, err := mime.ParseMediaType(ct)
	if err != nil {
		m.ParseErr = errors.Join(m.ParseErr, fmt.Errorf("content type %q: %w", ct, err))
		return m
	}
	m.ContentType = mediaType
	if err := m.walk(textproto.MIMEHeader(msg.Header), msg.Body, 0); err != nil {
		m.ParseErr = errors.Join(m.ParseErr, err)
	}
	return m
}

// walk decodes one MIME entity and fills Text/HTML from it, descending into
// multipart containers (mixed → alternative, related, ...).
func (m *Message) walk(h textproto.MIMEHeader, body io.Reader, depth int) error {
	if depth > 8 {
		return errors.New("multipart nesting deeper than 8 levels")
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain; charset=us-ascii"
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("content type %q: %w", ct, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		boundary := params["boundary"]
		if boundary == "" {
			return fmt.Errorf("%s without boundary", mediaType)
		}
		mr := multipart.NewReader(body, boundary)
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s part: %w", mediaType, err)
			}
			if err := m.walk(p.Header, p, depth+1); err != nil {
				return err
			}
		}
	}
	decoded, err := decodeTransfer(h.Get("Content-Transfer-Encoding"), body)
	if err != nil {
		return fmt.Errorf("%s body: %w", mediaType, err)
	}
	switch mediaType {
	case "text/plain":
		if m.Text == "" {
			m.Text = string(decoded)
		}
	case "text/html":
		if m.HTML == "" {
			m.HTML = string(decoded)
		}
	}
	return nil
}

func decodeTransfer(cte string, body io.Reader) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "", "7bit", "8bit", "binary":
		return io.ReadAll(body)
	case "quoted-printable":
		return io.ReadAll(quotedprintable.NewReader(body))
	case "base64":
		// The decoder skips the CR/LF that wrap base64 bodies at 76 columns.
		return io.ReadAll(base64.NewDecoder(base64.StdEncoding, body))
	default:
		return nil, fmt.Errorf("unknown Content-Transfer-Encoding %q", cte)
	}
}
