package api

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// unpaidOrder places an order in w and opens its sandbox payment; it
// returns the order id and the payment reference.
func (w *orderWorld) unpaidOrder(t *testing.T) (int64, string) {
	t.Helper()
	id := w.ta.do("POST", "/api/v1/orders", w.cust, w.cart(1)).must(t, 201).id()
	ref := w.ta.do("POST", "/api/v1/orders/"+itoa(id)+"/pay", w.cust, nil).must(t, 201).Body["provider_ref"].(string)
	return id, ref
}

func (w *orderWorld) orderStatus(t *testing.T, id int64) string {
	t.Helper()
	return w.ta.do("GET", "/api/v1/orders/"+itoa(id), w.cust, nil).must(t, 200).Body["status"].(string)
}

// TestSandboxPayNeverCallsOut: the Pay button applies the payment in this
// process. A request whose Host names another server on this machine sends
// that server nothing, and the order is paid.
func TestSandboxPayNeverCallsOut(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newOrderWorld(t, ta)
		id, ref := w.unpaidOrder(t)
		var calls atomic.Int64
		decoy := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			rw.Header().Set("Content-Type", "application/json")
			io.WriteString(rw, `{"outcome":"applied"}`)
		}))
		defer decoy.Close()
		req, _ := http.NewRequest("POST", ta.http.URL+"/sandbox/pay/"+ref, nil)
		req.Host = decoy.Listener.Addr().String()
		res, err := noRedirect(ta.http.Client()).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 303 || res.Header.Get("Location") != "/orders/"+itoa(id)+"?paid=1" {
			t.Fatalf("%d %q %s", res.StatusCode, res.Header.Get("Location"), page)
		}
		if n := calls.Load(); n != 0 {
			t.Fatalf("the sandbox sent %d request(s) to the host the request named", n)
		}
		if st := w.orderStatus(t, id); st != "paid" {
			t.Fatalf("order %s", st)
		}
	})
}

// closeNotifier tells when the server stops accepting connections.
type closeNotifier struct {
	net.Listener
	once   sync.Once
	closed chan struct{}
}

func (l *closeNotifier) Close() error {
	l.once.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// TestSandboxPayInFlightAtShutdown: a Pay pressed just before the server
// stops completes after the server has stopped accepting connections.
func TestSandboxPayInFlightAtShutdown(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newOrderWorld(t, ta)
		id, ref := w.unpaidOrder(t)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		cl := &closeNotifier{Listener: ln, closed: make(chan struct{})}
		entered, release := make(chan struct{}), make(chan struct{})
		handler := ta.srv.Handler()
		hs := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/sandbox/pay/") {
				close(entered)
				<-release // held until the server has stopped listening
			}
			handler.ServeHTTP(rw, r)
		})}
		go hs.Serve(cl)

		type result struct {
			status         int
			location, page string
			err            error
		}
		done := make(chan result, 1)
		go func() {
			res, err := noRedirect(http.DefaultClient).Post("http://"+ln.Addr().String()+"/sandbox/pay/"+ref, "application/x-www-form-urlencoded", nil)
			if err != nil {
				done <- result{err: err}
				return
			}
			page, _ := io.ReadAll(res.Body)
			res.Body.Close()
			done <- result{status: res.StatusCode, location: res.Header.Get("Location"), page: string(page)}
		}()
		<-entered
		stopped := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			stopped <- hs.Shutdown(ctx)
		}()
		<-cl.closed
		close(release)
		r := <-done
		if r.err != nil || r.status != 303 || r.location != "/orders/"+itoa(id)+"?paid=1" {
			t.Fatalf("Pay during shutdown: %v %d %q %s", r.err, r.status, r.location, r.page)
		}
		if err := <-stopped; err != nil {
			t.Fatal(err)
		}
		if st := w.orderStatus(t, id); st != "paid" {
			t.Fatalf("order %s", st)
		}
	})
}
