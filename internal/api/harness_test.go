package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// testHashParams keep Argon2id cheap in tests; production uses DefaultHashParams.
var testHashParams = account.HashParams{Memory: 64, Time: 1, Threads: 1}

var loadSpec = sync.OnceValues(func() (routers.Router, error) {
	// The sandbox's hosted payment page is HTML; the validator reads it as opaque text.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.FileBodyDecoder)
	b, err := OpenAPI()
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	return gorillamux.NewRouter(doc)
})

// testAPI is a real server on a real database, reached over HTTP. Every
// response it sees is validated against the OpenAPI document.
type testAPI struct {
	t      *testing.T
	db     *store.DB
	srv    *Server
	http   *httptest.Server
	clock  *testutil.Clock
	router routers.Router
}

// newTestAPI starts the API with the default configuration, less the
// per-address write limits (tests send thousands of writes from one address
// on a clock that stands still; limits_test.go tests them), changed by opts.
func newTestAPI(t *testing.T, db *store.DB, opts ...func(*Config)) *testAPI {
	t.Helper()
	router, err := loadSpec()
	if err != nil {
		t.Fatalf("OpenAPI document: %v", err)
	}
	clock := testutil.NewClock()
	db.Now = clock.Now
	cfg := DefaultConfig()
	cfg.HashParams = testHashParams
	cfg.PaymentSandbox = true
	cfg.WriteLimit, cfg.SignUpLimit = 0, 0
	for _, o := range opts {
		o(&cfg)
	}
	srv := New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), cfg)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &testAPI{t: t, db: db, srv: srv, http: hs, clock: clock, router: router}
}

// response is what a test request got back.
type response struct {
	Status int
	Header http.Header
	Raw    []byte
	Body   map[string]any // nil unless the body is a JSON object
}

// errCode is the error code of a failed response.
func (r *response) errCode() errs.Code {
	e, _ := r.Body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return errs.Code(c)
}

// errField is the field a failed response names.
func (r *response) errField() string {
	e, _ := r.Body["error"].(map[string]any)
	f, _ := e["field"].(string)
	return f
}

// id reads the "id" of a JSON object response.
func (r *response) id() int64 {
	f, _ := r.Body["id"].(float64)
	return int64(f)
}

// do sends a request as token ("" for anonymous). body may be a string
// (sent as is) or any value (sent as JSON).
func (ta *testAPI) do(method, path, token string, body any) *response {
	ta.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			ta.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, ta.http.URL+path, rd)
	if err != nil {
		ta.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := noRedirect(ta.http.Client()).Do(req)
	if err != nil {
		ta.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		ta.t.Fatal(err)
	}
	out := &response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		json.Unmarshal(raw, &out.Body)
	}
	if res.StatusCode >= 500 {
		ta.t.Errorf("%s %s: server error %d: %s", method, path, res.StatusCode, raw)
	}
	ta.validate(req, out)
	return out
}

// noRedirect is a copy of c that answers a redirect with the redirect
// itself, so a test sees where the server sends a browser.
func noRedirect(c *http.Client) *http.Client {
	n := *c
	n.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &n
}

// validate checks a response against the OpenAPI document: the route must be
// documented, and the status and body must match what the document says.
func (ta *testAPI) validate(req *http.Request, res *response) {
	ta.t.Helper()
	if res.Status == http.StatusNotFound && res.errCode() == errs.NotFound && strings.HasPrefix(res.errMessage(), "no route") {
		return // deliberately unknown routes
	}
	vreq := req.Clone(context.Background())
	vreq.URL.Scheme, vreq.URL.Host, vreq.Host = "", "", ""
	route, params, err := ta.router.FindRoute(vreq)
	if err != nil {
		if res.Status == http.StatusMethodNotAllowed {
			return
		}
		ta.t.Errorf("%s %s is not in the OpenAPI document: %v", req.Method, req.URL.Path, err)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: vreq, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status: res.Status,
		Header: res.Header,
		Body:   io.NopCloser(bytes.NewReader(res.Raw)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
		},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		ta.t.Errorf("%s %s → %d does not match the OpenAPI document: %v\nbody: %s", req.Method, req.URL.Path, res.Status, err, res.Raw)
	}
}

func (r *response) errMessage() string {
	e, _ := r.Body["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

// must fails the test unless the response has status want.
func (r *response) must(t *testing.T, want int) *response {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d: %s", r.Status, want, r.Raw)
	}
	return r
}

// wantErr fails the test unless the response is an error with code and field.
func (r *response) wantErr(t *testing.T, code errs.Code, field string) {
	t.Helper()
	if r.errCode() != code || r.errField() != field {
		t.Fatalf("got %d %s, want error %s on field %q", r.Status, r.Raw, code, field)
	}
}

// newAccount creates an account with roles straight in the store and
// returns it with a session token, skipping the sign-up API.
func (ta *testAPI) newAccount(email string, roles ...account.Role) (int64, string) {
	ta.t.Helper()
	ctx := context.Background()
	hash, err := account.HashPassword(testHashParams, "correct horse 1")
	if err != nil {
		ta.t.Fatal(err)
	}
	a, err := ta.db.CreateAccount(ctx, account.SignUp{Email: email, Name: strings.Split(email, "@")[0]}, hash, append([]account.Role{account.Customer}, roles...)...)
	if err != nil {
		ta.t.Fatal(err)
	}
	tok, th := account.NewToken(account.SessionPrefix)
	if _, err := ta.db.CreateSession(ctx, a.ID, th, time.Hour); err != nil {
		ta.t.Fatal(err)
	}
	return a.ID, tok
}

// operator returns a session token of a new operator.
func (ta *testAPI) operator() string {
	_, tok := ta.newAccount("op@example.com", account.Operator)
	return tok
}

// engines runs fn on a fresh test API per engine.
func engines(t *testing.T, fn func(t *testing.T, ta *testAPI)) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) { fn(t, newTestAPI(t, db)) })
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
