package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// client speaks JSON to the in-process server over loopback.
type client struct {
	http *http.Client
	base string
}

// call sends body (nil for none) and decodes a 2xx answer into out; any
// other status is an error carrying the answer.
func (c *client) call(ctx context.Context, method, path, token string, body []byte, header http.Header, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		return &statusError{Status: res.StatusCode, Body: strings.TrimSpace(string(b))}
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

type statusError struct {
	Status int
	Body   string
}

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Body) }

// latencies collects durations from several goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// percentile in milliseconds (nearest rank); 0 when nothing was measured.
func (l *latencies) ms(p float64) float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	s := slices.Clone(l.d)
	slices.Sort(s)
	i := int(p*float64(len(s))+0.5) - 1
	i = min(max(i, 0), len(s)-1)
	return ms(s[i])
}

func ms(d time.Duration) float64 { return round(float64(d.Microseconds())/1000, 3) }

func round(v float64, digits int) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', digits, 64), 64)
	return f
}

// drive runs work on n goroutines until the deadline passes or limit units
// are done (limit ≤ 0: no count bound), returning units done and the time
// taken. The first error stops every goroutine.
// warmUp runs work untimed with the scenario's clients for a fifth of its
// duration, at most 2 s and at most a tenth of its count bound: a timed
// section then measures a server whose connections are open and whose
// statements are prepared (on PostgreSQL, planned: the first executions
// of a prepared statement are planned each time), not its start.
// It returns how many units it ran to their end.
func warmUp(ctx context.Context, opt Options, work func(ctx context.Context, worker int, unit int64) error) (int64, error) {
	n, _, err := drive(ctx, opt.Clients, min(opt.Duration/5, 2*time.Second), max(opt.MaxUnits/10, 1), work)
	return n, err
}

func drive(ctx context.Context, n int, d time.Duration, limit int64, work func(ctx context.Context, worker int, unit int64) error) (int64, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var next, done atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				u := next.Add(1) - 1
				if limit > 0 && u >= limit {
					return
				}
				if err := work(ctx, w, u); err != nil {
					if ctx.Err() != nil {
						return // the deadline cut a request short: not a failure
					}
					once.Do(func() { first = err; cancel() })
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	return done.Load(), time.Since(start), first
}

// rssSampler records the largest VmRSS of this process while it runs.
type rssSampler struct {
	stop chan struct{}
	done chan struct{}
	peak atomic.Int64 // kB
}

func sampleRSS(every time.Duration) *rssSampler {
	s := &rssSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if kb := statusKB("VmRSS:"); kb > s.peak.Load() {
				s.peak.Store(kb)
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// peakMB stops the sampler and returns the peak in MB.
func (s *rssSampler) peakMB() float64 {
	close(s.stop)
	<-s.done
	return round(float64(s.peak.Load())/1024, 1)
}

// statusKB reads one kB field of /proc/self/status (0 where there is none).
func statusKB(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			v, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return v
		}
	}
	return 0
}
