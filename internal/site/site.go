// Package site wires the whole HTTP server: the JSON API with the web pages
// behind it. The command and the end-to-end tests build it the same way.
package site

import (
	"log/slog"
	"net/http"
	"strings"

	"sharemall/internal/api"
	"sharemall/internal/demo"
	"sharemall/internal/store"
	"sharemall/internal/web"
)

// New builds the API and the pages: the pages are served for every path
// the API does not take, through the API's middleware, and share its
// sessions and payment provider. The demo's pictures (demo.MediaPrefix)
// are served too, so a database the demo seeded shows them under serve as well.
func New(db *store.DB, log *slog.Logger, cfg api.Config) (*api.Server, error) {
	var pages *web.Server
	media := demo.Media()
	cfg.Pages = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, demo.MediaPrefix) && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			media.ServeHTTP(w, r)
			return
		}
		pages.ServeHTTP(w, r)
	})
	a := api.New(db, log, cfg)
	var err error
	pages, err = web.New(db, log, web.Config{Sessions: a.Sessions(), PublicURL: cfg.PublicURL, StartPayment: a.StartPayment})
	if err != nil {
		return nil, err
	}
	return a, nil
}
