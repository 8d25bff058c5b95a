package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/store"
)

// shopWorld puts into a fresh database a supplier with a product in stock
// and a customer with a session token, straight through the store.
func shopWorld(t *testing.T, data string) (sku int64, token string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "", data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	hp := account.HashParams{Memory: 64, Time: 1, Threads: 1}
	hash, err := account.HashPassword(hp, "correct horse 1")
	if err != nil {
		t.Fatal(err)
	}
	newActor := func(email string, roles ...account.Role) account.Actor {
		a, err := db.CreateAccount(ctx, account.SignUp{Email: email, Name: strings.Split(email, "@")[0]}, hash, append(roles, account.Customer)...)
		if err != nil {
			t.Fatal(err)
		}
		actor, err := db.ActorFor(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		return actor
	}
	op := newActor("op@example.com", account.Operator)
	owner := newActor("supplier@example.com")
	s, err := db.ApplySupplier(ctx, owner, catalog.SupplierApplication{Name: "Tea Co", ContactEmail: "t@example.com"})
	if err == nil {
		_, err = db.SetSupplierStatus(ctx, op, s.ID, catalog.Approved, "")
	}
	if err != nil {
		t.Fatal(err)
	}
	owner, _ = db.ActorFor(ctx, owner.AccountID)
	p, err := db.CreateProduct(ctx, owner, &catalog.Product{Title: "Tea", OnSale: true,
		SKUs: []catalog.SKU{{Code: "T1", RetailPrice: 1999, OnSale: true}}})
	if err != nil {
		t.Fatal(err)
	}
	wh, err := db.CreateWarehouse(ctx, owner, &catalog.Warehouse{Name: "W", RegionCode: "CN", Active: true, Areas: []string{"CN"}})
	if err == nil {
		_, err = db.SetStock(ctx, owner, wh.ID, p.SKUs[0].ID, 100000)
	}
	if err != nil {
		t.Fatal(err)
	}
	cust := newActor("buyer@example.com")
	tok, th := account.NewToken(account.SessionPrefix)
	if _, err := db.CreateSession(ctx, cust.AccountID, th, time.Hour); err != nil {
		t.Fatal(err)
	}
	return p.SKUs[0].ID, tok
}

// heldRequest is a request whose handler is running, reading a body the
// client has not finished sending: a slow write.
type heldRequest struct {
	conn net.Conn
	rd   *bufio.Reader
	rest string
	name string
}

// holdRequest sends a POST's headers (with Expect: 100-continue) and the
// first half of its body, and returns once the server's handler has asked
// for the body (the 100 Continue): the request is accepted and in flight.
func holdRequest(t *testing.T, addr, name, path, token, body string) *heldRequest {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n", path, addr, len(body))
	if token != "" {
		head += "Authorization: Bearer " + token + "\r\n"
	}
	if _, err := io.WriteString(conn, head+"\r\n"); err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(conn)
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	status, err := rd.ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 100") {
		t.Fatalf("%s: %q %v", name, status, err)
	}
	if blank, err := rd.ReadString('\n'); err != nil || blank != "\r\n" {
		t.Fatalf("%s: %q %v", name, blank, err)
	}
	half := len(body) / 2
	if _, err := io.WriteString(conn, body[:half]); err != nil {
		t.Fatal(err)
	}
	return &heldRequest{conn: conn, rd: rd, rest: body[half:], name: name}
}

// finish sends the rest of the body and reads the response.
func (h *heldRequest) finish() (int, string, error) {
	defer h.conn.Close()
	if _, err := io.WriteString(h.conn, h.rest); err != nil {
		return 0, "", err
	}
	h.conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	res, err := http.ReadResponse(h.rd, nil)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, string(b), err
}

// TestGracefulStopUnderLoad sends the process SIGTERM while requests are in
// flight: sign-ups (Argon2id at production cost), logins and checkouts
// whose bodies are still arriving, and clients reading and writing in a
// loop (paying through the sandbox too), with the background sweeps running. Every request the server had
// accepted is answered, none with a 5xx, and serve returns cleanly.
func TestGracefulStopUnderLoad(t *testing.T) {
	data := t.TempDir()
	sku, token := shopWorld(t, data)
	ctx, stopSignals := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stopSignals()
	addrc := make(chan string, 1)
	cfg := &Config{ready: func(a string) { addrc <- a }}
	done := make(chan error, 1)
	go func() {
		done <- runWith(ctx, cfg, "serve", []string{"--addr", "127.0.0.1:0", "--data", data, "--log-level", "error",
			"--payment-sandbox", "--jobs-interval", "20ms"}, &bytes.Buffer{})
	}()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("serve stopped: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}

	// Clients in a loop until the stop: reads, and checkouts (writes).
	// Whether their last request reached the server before the listener
	// closed is chance, so only their answers are checked: never a 5xx.
	cart := fmt.Sprintf(`{"items":[{"sku_id":%d,"quantity":1}],"ship_to":{"region_code":"CN.44.03.05","name":"Li","phone":"138","address":"1 Road"}}`, sku)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var serverErrors []string
	stopping := make(chan struct{})
	client := &http.Client{Timeout: 60 * time.Second}
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 2000; n++ {
				select {
				case <-stopping:
					return
				default:
				}
				send := func(method, path, body string) map[string]any {
					req, _ := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+token)
					res, err := client.Do(req)
					if err != nil {
						return nil // maybe never accepted: the stop closed the listener first
					}
					b, _ := io.ReadAll(res.Body)
					res.Body.Close()
					if res.StatusCode >= 500 {
						mu.Lock()
						serverErrors = append(serverErrors, fmt.Sprintf("%s %s: %d %s", method, path, res.StatusCode, b))
						mu.Unlock()
					}
					var out map[string]any
					json.Unmarshal(b, &out)
					return out
				}
				switch i % 4 {
				case 0:
					send("GET", "/healthz", "")
				case 1:
					send("GET", "/api/v1/products", "")
				case 2:
					send("POST", "/api/v1/orders", cart)
				default: // a customer pays through the sandbox's page
					if o := send("POST", "/api/v1/orders", cart); o["id"] != nil {
						if p := send("POST", fmt.Sprintf("/api/v1/orders/%v/pay", o["id"]), ""); p["provider_ref"] != nil {
							send("POST", fmt.Sprintf("/sandbox/pay/%v", p["provider_ref"]), "")
						}
					}
				}
			}
		}()
	}

	// Slow writes, each accepted and its handler running when the stop comes.
	var held []*heldRequest
	for i := range 8 {
		held = append(held,
			holdRequest(t, addr, fmt.Sprintf("sign-up %d", i), "/api/v1/accounts", "",
				fmt.Sprintf(`{"email":"new%d@example.com","name":"New %d","password":"a long password 1"}`, i, i)),
			holdRequest(t, addr, fmt.Sprintf("login %d", i), "/api/v1/sessions", "",
				`{"login":"buyer@example.com","password":"correct horse 1"}`),
			holdRequest(t, addr, fmt.Sprintf("checkout %d", i), "/api/v1/orders", token, cart),
			holdRequest(t, addr, fmt.Sprintf("bad body %d", i), "/api/v1/orders", token, `{"items":"none"}`))
	}

	// SIGTERM, as a process manager sends it.
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-ctx.Done()
	// Wait until the server no longer accepts connections, so the held
	// requests finish after the stop began.
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		if i == 1000 {
			t.Fatal("the server still accepts connections after SIGTERM")
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(stopping)

	results := make([]string, len(held))
	var hw sync.WaitGroup
	for i, h := range held {
		hw.Add(1)
		go func() {
			defer hw.Done()
			status, body, err := h.finish()
			switch {
			case err != nil:
				results[i] = fmt.Sprintf("%s: connection error %v", h.name, err)
			case status >= 500:
				results[i] = fmt.Sprintf("%s: %d %s", h.name, status, body)
			case strings.HasPrefix(h.name, "bad body") && status != 400:
				results[i] = fmt.Sprintf("%s: %d %s, want 400", h.name, status, body)
			case !strings.HasPrefix(h.name, "bad body") && status != 200 && status != 201 && status != 429:
				results[i] = fmt.Sprintf("%s: %d %s", h.name, status, body)
			}
		}()
	}
	hw.Wait()
	wg.Wait()
	for _, r := range results {
		if r != "" {
			t.Error(r)
		}
	}
	for _, e := range serverErrors {
		t.Error(e)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not return after the stop")
	}
}
