// Package site wires the whole HTTP server: the JSON API with the web pages
// behind it. The command and the end-to-end tests build it the same way.
package site

import (
	"log/slog"
	"net/http"
	"strings"

	"sharemall/internal/api"
	"sharemall/internal/demo"
	"sharemall/internal/media"
	"sharemall/internal/store"
	"sharemall/internal/web"
)

// New builds the API and the pages: the pages are served for every path
// the API does not take, through the API's middleware, and share its
// sessions and payment provider. The demo's pictures (demo.MediaPrefix)
// are served too, so a database the demo seeded shows them under serve as well,
// and the uploaded ones when they are kept on this server (media.Local).
func New(db *store.DB, log *slog.Logger, cfg api.Config) (*api.Server, error) {
	var pages *web.Server
	demoMedia := demo.Media()
	var uploads http.Handler // the uploaded pictures, when this server keeps them
	if l, ok := cfg.Media.(*media.Local); ok {
		uploads = l.Handler()
	}
	cfg.Pages = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		get := r.Method == http.MethodGet || r.Method == http.MethodHead
		switch {
		case get && strings.HasPrefix(r.URL.Path, demo.MediaPrefix):
			demoMedia.ServeHTTP(w, r)
		case get && uploads != nil && strings.HasPrefix(r.URL.Path, media.LocalPrefix+"p/"):
			uploads.ServeHTTP(w, r)
		default:
			pages.ServeHTTP(w, r)
		}
	})
	a := api.New(db, log, cfg)
	var err error
	pages, err = web.New(db, log, web.Config{Sessions: a.Sessions(), PublicURL: cfg.PublicURL, StartPayment: a.StartPayment, Gateways: a.Gateways, Refunders: a.Refunders,
		Media: cfg.Media, MediaMaxBytes: cfg.MediaMaxBytes, WebhooksAllowPrivate: cfg.WebhooksAllowPrivate,
		StartPaymentAs: a.StartPaymentAs, WeChatOAuth: cfg.WeChatOAuth})
	if err != nil {
		return nil, err
	}
	return a, nil
}
