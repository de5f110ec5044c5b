// Package proc holds what the e2e tests and the soak (cmd/soak) both need
// to run child processes: a buffer that collects a process's stdout and
// stderr at once, and the FerretDB launcher (cmd/ferretdb-sqlite) as a
// child that can be stopped and started again like a database server.
package proc

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Output collects a process's output from two pipes at once.
type Output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// Ferret is a ferretdb-sqlite process. Stop and Start again keep the
// address and the data folder, like a database server restart.
type Ferret struct {
	URI  string // mongodb://host:port/
	bin  string
	dir  string
	addr string
	env  []string

	mu     sync.Mutex
	cmd    *exec.Cmd
	output *Output
	exited chan struct{}
}

// StartFerret runs the launcher bin with its data in dir, listening on
// addr ("127.0.0.1:0" for a free port), with the environment env.
func StartFerret(bin, dir, addr string, env []string) (*Ferret, error) {
	p := &Ferret{bin: bin, dir: dir, addr: addr, env: env}
	if err := p.Start(); err != nil {
		return nil, err
	}
	return p, nil
}

// Start runs the server and waits for the URI line it prints once it
// accepts connections.
func (p *Ferret) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	cmd := exec.Command(p.bin, "-addr", p.addr, "-dir", p.dir)
	cmd.Env = p.env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	p.output = &Output{}
	cmd.Stderr = p.output
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", p.bin, err)
	}
	exited := make(chan struct{})
	lines := make(chan string, 1)
	go func() {
		// Read stdout to its end before Wait, which closes the pipe.
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(p.output, stdout)
		cmd.Wait()
		close(exited)
	}()
	select {
	case line, ok := <-lines:
		if !ok || !strings.HasPrefix(line, "mongodb://") {
			cmd.Process.Kill()
			<-exited
			return fmt.Errorf("ferretdb-sqlite printed %q instead of its URI:\n%s", line, p.output.String())
		}
		p.URI = line
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-exited
		return fmt.Errorf("ferretdb-sqlite printed no URI within a minute:\n%s", p.output.String())
	}
	// Restarts reuse the port the first start got.
	if _, port, err := net.SplitHostPort(strings.TrimSuffix(strings.TrimPrefix(p.URI, "mongodb://"), "/")); err == nil {
		p.addr = "127.0.0.1:" + port
	}
	p.cmd, p.exited = cmd, exited
	return nil
}

// Stop sends SIGTERM and waits for the process to exit.
func (p *Ferret) Stop() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return nil
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("ferretdb-sqlite ignored SIGTERM for 30s; killed")
	}
	p.cmd = nil
	return nil
}

// Dir is the folder the server keeps its data in.
func (p *Ferret) Dir() string { return p.dir }

// DatabaseURL is the URL of database db on this server.
func (p *Ferret) DatabaseURL(db string) string {
	return strings.TrimSuffix(p.URI, "/") + "/" + db
}
