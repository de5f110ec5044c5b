// Package localserver runs the small web tools regstack opens in the
// operator's browser (the theme designer, the OAuth setup wizard): only on
// the loopback address, until the operator is done.
package localserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Listen opens 127.0.0.1:port (0: a free port the system picks). Only the
// loopback address: these tools write files and secrets and must not be
// reachable from the network.
func Listen(port int) (net.Listener, error) {
	return net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
}

// Serve serves h on ln until ctx is cancelled (Ctrl-C) or done is closed
// (the page's Done button), then shuts the server down, letting a request
// in flight (a save) finish for up to five seconds.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, done <-chan struct{}) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	case <-done:
	}
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		if !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		// A connection the browser opened ahead of time and never used
		// (Chromium preconnects) counts as busy until the deadline, so
		// Shutdown can run out of time with nothing in flight: a save
		// takes far less. Close what is left.
		srv.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
