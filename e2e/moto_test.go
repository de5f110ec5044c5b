package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// motoServer is a moto_server process: a local emulator of the AWS APIs
// (SNS and SES v2 here) that the AWS SDK in the generated code talks to over
// the real protocol. Its state is global to the process, so the tests that
// use it reset it first and do not run in parallel.
type motoServer struct {
	URL string
	cmd *exec.Cmd
	mu  sync.Mutex // one test at a time owns the emulator's state
}

// moto is the run's moto_server, started on first use and stopped by
// TestMain. The machines that run the tests have moto_server on PATH;
// without it the test fails (a skipped provider would prove nothing).
func moto(t testing.TB) *motoServer {
	t.Helper()
	s := fx.servers
	s.motoOnce.Do(func() { s.moto, s.motoErr = startMoto() })
	if s.motoErr != nil {
		t.Fatal(s.motoErr)
	}
	return s.moto
}

func startMoto() (*motoServer, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, fmt.Errorf("moto_server is not on PATH (pip install 'moto[server]'): %w", err)
	}
	port, err := pickPort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	// Its own process group: moto_server is a pyenv shim that starts
	// python, and stopping must reach both.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	m := &motoServer{URL: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(m.URL + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return m, nil
			}
		}
		if time.Now().After(deadline) {
			m.stop()
			return nil, fmt.Errorf("moto_server did not answer on %s within 30 s: %v", m.URL, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (m *motoServer) stop() {
	if m.cmd.Process != nil {
		syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
		m.cmd.Wait()
	}
}

// own gives the test the emulator with empty state until it ends.
func (m *motoServer) own(t testing.TB) {
	t.Helper()
	m.mu.Lock()
	t.Cleanup(m.mu.Unlock)
	resp, err := http.Post(m.URL+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatalf("reset moto: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset moto: %s", resp.Status)
	}
}

// motoSMS is one message SNS accepted, as moto records it.
type motoSMS struct {
	PhoneNumber string `json:"phone_number"`
	Message     string `json:"message"`
	MessageID   string `json:"message_id"`
}

// data decodes moto's record of every call it accepted
// (/moto-api/data.json) into v, a struct naming the parts a test reads.
func (m *motoServer) data(t testing.TB, v any) {
	t.Helper()
	resp, err := http.Get(m.URL + "/moto-api/data.json")
	if err != nil {
		t.Fatalf("moto data: %v", err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("moto data.json: %v", err)
	}
}

// smsTo lists the SMS moto's SNS accepted for phone, oldest first.
func (m *motoServer) smsTo(t testing.TB, phone string) []motoSMS {
	t.Helper()
	var data struct {
		SNS struct {
			SMS []motoSMS `json:"SMS"`
		} `json:"sns"`
	}
	m.data(t, &data)
	var out []motoSMS
	for _, s := range data.SNS.SMS {
		if s.PhoneNumber == phone {
			out = append(out, s)
		}
	}
	return out
}

// waitSMS waits for the n-th SMS to phone (1-based) and returns it.
func (m *motoServer) waitSMS(t testing.TB, phone string, n int) motoSMS {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if got := m.smsTo(t, phone); len(got) >= n {
			return got[n-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto's SNS got no SMS #%d to %s within 10 s", n, phone)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// awsEnv is the environment an app needs to reach moto with the standard
// AWS credential chain: static test credentials and a region, nothing from
// the machine's own AWS configuration.
func awsEnv() []string {
	return []string{
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
	}
}
