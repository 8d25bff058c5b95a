package main

import (
	"context"

	"sharemall/internal/demo"
	"sharemall/internal/store"
)

// pages are the screens taken, each in English and Chinese, in the order
// the README shows them. To add one: a name (the files are
// <name>-en.png and <name>-zh.png), its path in the demo (a func may look
// the demo up: a distributor's share code, an order of the customer), and
// the demo login it is seen as ("" for a visitor).
var pages = []page{
	{name: "signin", title: "Sign in", path: at("/signin")},
	{name: "signup", title: "Sign up", path: at("/signup")},
	{name: "me", title: "Me", path: at("/me"), as: customer},
}

// customer is the demo's shopper.
const customer = "customer01@demo.example.com"

type page struct {
	name, title string
	as          string // the demo login signed in; "": a visitor
	path        func(ctx context.Context, d *demoData) (string, error)
}

// demoData is what a page's path may look up.
type demoData struct {
	DB     *store.DB
	Result *demo.Result
}

// at is a page at a fixed path.
func at(path string) func(context.Context, *demoData) (string, error) {
	return func(context.Context, *demoData) (string, error) { return path, nil }
}
