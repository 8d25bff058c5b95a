package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/testutil"
)

// recordHandler hands every log record to the test, so a test waits for the
// access log line instead of racing the handler's last statement.
type recordHandler struct{ records chan slog.Record }

func (h recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h recordHandler) Handle(_ context.Context, r slog.Record) error {
	h.records <- r
	return nil
}
func (h recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h recordHandler) WithGroup(string) slog.Handler      { return h }

// accessLine waits for the next "request" record at info and returns its attributes.
func accessLine(t *testing.T, records chan slog.Record) map[string]slog.Value {
	t.Helper()
	for {
		select {
		case r := <-records:
			if r.Message != "request" || r.Level != slog.LevelInfo {
				continue
			}
			attrs := map[string]slog.Value{}
			r.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value; return true })
			return attrs
		case <-time.After(10 * time.Second):
			t.Fatal("no access log line")
		}
	}
}

func TestAccessLogAndRequestID(t *testing.T) {
	ta := newTestAPI(t, testutil.OpenSQLite(t))
	records := make(chan slog.Record, 64)
	ta.srv.log = slog.New(recordHandler{records})
	custID, cust := ta.newAccount("cust@example.com")

	// A sane client id is kept: echoed in the header, in the error body and in the log.
	const id = "req-42.a:b/c_D"
	res := ta.post("/api/v1/orders/999/pay", map[string]string{"Authorization": "Bearer " + cust, RequestIDHeader: id}, nil)
	res.wantErr(t, errs.NotFound, "")
	if res.Header.Get(RequestIDHeader) != id {
		t.Fatalf("header %q, want %q", res.Header.Get(RequestIDHeader), id)
	}
	if e := res.Body["error"].(map[string]any); e["request_id"] != id {
		t.Fatalf("error body %s lacks the request id", res.Raw)
	}
	line := accessLine(t, records)
	if line["request_id"].String() != id || line["method"].String() != "POST" || line["route"].String() != "POST /api/v1/orders/{id}/pay" ||
		line["status"].Int64() != http.StatusNotFound || line["account"].Int64() != custID || line["duration"].Duration() <= 0 {
		t.Fatalf("access log line %v", line)
	}

	// An insane one (too long, or with characters a log reader could be
	// fooled by) is replaced by a made one.
	for _, bad := range []string{strings.Repeat("a", 65), "two words", "line\tbreak", "x\"y", "ünïcode"} {
		res := ta.post("/api/v1/orders/999/pay", map[string]string{RequestIDHeader: bad}, nil)
		res.wantErr(t, errs.Unauthorized, "")
		got := res.Header.Get(RequestIDHeader)
		if got == bad || len(got) != 24 || !saneRequestID(got) {
			t.Fatalf("sent %q, echoed %q", bad, got)
		}
		if e := res.Body["error"].(map[string]any); e["request_id"] != got {
			t.Fatalf("body %s, header %q", res.Raw, got)
		}
		if line := accessLine(t, records); line["request_id"].String() != got || line["account"].Int64() != 0 {
			t.Fatalf("access log line %v", line)
		}
	}

	// A success is logged too, anonymous, by its route.
	res = ta.do("GET", "/healthz", "", nil).must(t, 200)
	if line := accessLine(t, records); line["route"].String() != "GET /healthz" || line["status"].Int64() != 200 ||
		line["request_id"].String() != res.Header.Get(RequestIDHeader) || line["account"].Int64() != 0 {
		t.Fatalf("access log line %v", line)
	}
}
