package ferret

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The server answers a real wire-protocol command (OP_MSG hello) and keeps
// its data under Dir; after Close it no longer accepts connections.
func TestStartAnswersHello(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s, err := Start(Options{Dir: dir})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	u, err := url.Parse(s.URI())
	if err != nil || u.Scheme != "mongodb" || u.Host == "" {
		t.Fatalf("URI() = %q (%v), want mongodb://host:port/", s.URI(), err)
	}

	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write(opMsg(1, helloDoc())); err != nil {
		t.Fatalf("write: %v", err)
	}
	var header [16]byte
	if _, err := io.ReadFull(conn, header[:]); err != nil {
		t.Fatalf("read reply header: %v", err)
	}
	length := binary.LittleEndian.Uint32(header[0:])
	responseTo := binary.LittleEndian.Uint32(header[8:])
	opCode := binary.LittleEndian.Uint32(header[12:])
	if responseTo != 1 || opCode != 2013 || length <= 16 {
		t.Fatalf("reply header: length %d responseTo %d opCode %d; want a reply to request 1 as OP_MSG", length, responseTo, opCode)
	}
	body := make([]byte, length-16)
	if _, err := io.ReadFull(conn, body); err != nil {
		t.Fatalf("read reply: %v", err)
	}
	// "ok": 1.0 is encoded as type 0x01, key "ok", float64 1.
	okField := append([]byte{0x01, 'o', 'k', 0}, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f)
	if !bytes.Contains(body, okField) {
		t.Errorf("hello reply has no ok: 1.0; body %q", body)
	}

	if _, err := os.Stat(dir); err != nil {
		t.Errorf("state folder not created: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if c, err := net.DialTimeout("tcp", u.Host, time.Second); err == nil {
		c.Close()
		t.Error("server still accepts connections after Close")
	}
}

func TestStartNeedsDir(t *testing.T) {
	if _, err := Start(Options{}); err == nil {
		t.Fatal("Start without Dir succeeded")
	}
}

// helloDoc is the BSON document {hello: 1, $db: "admin"}.
func helloDoc() []byte {
	var e []byte
	e = append(e, 0x10) // int32
	e = append(e, "hello\x00"...)
	e = binary.LittleEndian.AppendUint32(e, 1)
	e = append(e, 0x02) // string
	e = append(e, "$db\x00"...)
	e = binary.LittleEndian.AppendUint32(e, uint32(len("admin")+1))
	e = append(e, "admin\x00"...)
	doc := binary.LittleEndian.AppendUint32(nil, uint32(4+len(e)+1))
	doc = append(doc, e...)
	return append(doc, 0)
}

// opMsg wraps doc in an OP_MSG with one body section.
func opMsg(requestID uint32, doc []byte) []byte {
	msg := binary.LittleEndian.AppendUint32(nil, uint32(16+4+1+len(doc)))
	msg = binary.LittleEndian.AppendUint32(msg, requestID)
	msg = binary.LittleEndian.AppendUint32(msg, 0)    // responseTo
	msg = binary.LittleEndian.AppendUint32(msg, 2013) // OP_MSG
	msg = binary.LittleEndian.AppendUint32(msg, 0)    // flags
	msg = append(msg, 0)                              // section kind 0: body
	return append(msg, doc...)
}
