// Command screenshots builds the demo in a temporary database, serves it,
// and writes PNGs of the main pages at a phone's size (390×844) in English
// and Chinese, with headless Chromium (Debian's chromium package):
//
//	go run ./cmd/screenshots                  # all pages into docs/screenshots
//	go run ./cmd/screenshots --only me,signin # some of them
//
// The pages are listed in pages.go. It prints the README's table of them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"sharemall/internal/demo"
	"sharemall/internal/e2e"
	"sharemall/internal/media"
	"sharemall/internal/session"
	"sharemall/internal/store"
)

func main() {
	out := flag.String("out", "docs/screenshots", "folder to write the PNGs to")
	only := flag.String("only", "", "comma-separated page names to take (default: every page in pages.go)")
	scale := flag.Float64("scale", 2, "device pixels per CSS pixel (2: a 780×1688 PNG of the 390×844 screen)")
	flag.Parse()
	e2e.Phone.Scale = *scale
	if err := run(context.Background(), *out, *only, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "screenshots:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out, only string, stdout io.Writer) (err error) {
	todo := pages
	if only != "" {
		names := strings.Split(only, ",")
		todo = slices.DeleteFunc(slices.Clone(pages), func(p page) bool { return !slices.Contains(names, p.name) })
		if len(todo) != len(names) {
			return fmt.Errorf("--only %s: pages are %v", only, pageNames())
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	chromium, err := e2e.FindChromium()
	if err != nil {
		return err
	}

	dir, err := os.MkdirTemp("", "sharemall-screenshots-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, "", dir)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Prepare(ctx); err != nil {
		return err
	}
	start := time.Now()
	res, err := demo.Seed(ctx, db, demo.Options{})
	if err != nil {
		return err
	}
	// The insight pages show the rollups as of the last fold: fold
	// whatever the seeding left, as serve's sweep would within a minute.
	for {
		n, err := db.FoldInsight(ctx, 0)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	fmt.Fprintf(stdout, "demo built in %s\n", time.Since(start).Round(time.Millisecond))
	cfg := e2e.LocalConfig()
	if cfg.Media, err = media.NewLocal(filepath.Join(dir, "media")); err != nil { // the supplier's page offers uploads
		return err
	}
	site, err := e2e.StartSite(db, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	defer site.Close()
	browser, err := e2e.StartBrowser(chromium)
	if err != nil {
		return err
	}
	defer browser.Close()

	// A Tab reports a failure by calling Fatalf, which ends the run here.
	tb := &runTB{}
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(fatal)
			if !ok {
				panic(r)
			}
			err = errors.New(string(f))
		}
		if err == nil && tb.failed {
			err = errors.New("the browser reported errors (above)")
		}
	}()
	d := &demoData{DB: db, Result: res, Site: site}
	defer d.hooks.close()
	for _, lang := range []string{"en", "zh"} {
		tabs := map[string]*e2e.Tab{}
		for _, p := range todo {
			tab, ok := tabs[p.as]
			if !ok {
				tab = browser.NewTab(tb, site.URL, lang)
				defer tab.Close()
				if p.as != "" {
					token, err := site.Session(p.as, demo.Password)
					if err != nil {
						return err
					}
					tab.SetCookie(session.Cookie, token)
				}
				tabs[p.as] = tab
			}
			path, err := p.path(ctx, d)
			if err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
			tab.Laptop(p.laptop)
			if status := tab.Open(path); status != http.StatusOK {
				return fmt.Errorf("%s: %s answered %d", p.name, path, status)
			}
			if p.ready != "" {
				tab.WaitFor(e2e.Test(p.ready))
			}
			file := filepath.Join(out, p.name+"-"+lang+".png")
			if err := os.WriteFile(file, tab.Screenshot(), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s  %s\n", file, path)
		}
	}
	fmt.Fprintf(stdout, "\nThe README's table:\n\n| page | English | 中文 |\n|---|---|---|\n")
	for _, p := range pages {
		width := 240
		if p.laptop {
			width = 480
		}
		fmt.Fprintf(stdout, "| %s | <img src=\"%[2]s/%[3]s-en.png\" width=\"%[4]d\" alt=\"%[1]s, English\"> | <img src=\"%[2]s/%[3]s-zh.png\" width=\"%[4]d\" alt=\"%[1]s, Chinese\"> |\n",
			p.title, filepath.ToSlash(out), p.name, width)
	}
	return nil
}

func pageNames() []string {
	var out []string
	for _, p := range pages {
		out = append(out, p.name)
	}
	return out
}

// runTB is what the tabs report to: errors are printed and fail the run
// at its end; a fatal one stops it.
type runTB struct{ failed bool }

type fatal string

func (*runTB) Helper()                     {}
func (*runTB) Logf(f string, a ...any)     { fmt.Fprintf(os.Stderr, f+"\n", a...) }
func (*runTB) Fatalf(f string, a ...any)   { panic(fatal(fmt.Sprintf(f, a...))) }
func (r *runTB) Errorf(f string, a ...any) { r.failed = true; fmt.Fprintf(os.Stderr, f+"\n", a...) }
