package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// serveExternal starts `<opt.Executable> serve` on the bench's PostgreSQL
// database (opt.ServeURL) on a free loopback port, configured as the
// in-process servers are (sandbox with the bench's secret, no write
// limits, no background jobs), waits until it answers /healthz and
// returns its base URL and what stops it. Its CPU is read from /proc and
// reported in the cost figures.
func (r *run) serveExternal(ctx context.Context) (string, func(), error) {
	if r.opt.Executable == "" || r.opt.ServeURL == "" {
		return "", nil, fmt.Errorf("bench: external servers need Options.Executable and Options.ServeURL")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := ln.Addr().String()
	ln.Close() // the server binds it again at once; a clash fails its start, not the measurement
	// Its data folder (payout key file, media) is its own and temporary.
	dir, err := os.MkdirTemp("", "sharemall-bench-serve-")
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(r.opt.Executable, "serve", "--addr", addr, "--db", r.opt.ServeURL, "--data", dir,
		"--payment-sandbox", "--cookie-secure=false", "--jobs-interval", "0", "--write-limit", "0", "--signup-limit", "0",
		"--log-level", "error")
	cmd.Env = append(os.Environ(), "SHAREMALL_SANDBOX_SECRET="+r.secret)
	cmd.Stdout, cmd.Stderr = r.opt.Progress, r.opt.Progress
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("bench: start %s serve: %w", r.opt.Executable, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-exited
			}
			os.RemoveAll(dir)
		})
	}
	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/healthz", nil)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-exited:
			stop()
			return "", nil, fmt.Errorf("bench: external server on %s exited at start", addr)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return "", nil, fmt.Errorf("bench: external server on %s did not answer in 30 s", addr)
		}
	}
	r.externalPIDs = append(r.externalPIDs, cmd.Process.Pid)
	r.logf("external server pid %d on %s", cmd.Process.Pid, addr)
	return base, stop, nil
}

// externalCPU is the CPU the external servers used so far.
func (r *run) externalCPU() time.Duration {
	var d time.Duration
	for _, pid := range r.externalPIDs {
		if c, _, ok := procCPU(pid); ok {
			d += c
		}
	}
	return d
}
