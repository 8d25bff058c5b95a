package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/api"
	"sharemall/internal/catalog"
	"sharemall/internal/media"
	"sharemall/internal/store"
)

func TestMediaConfig(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "s3-secret")
	if err := os.WriteFile(keyFile, []byte("s3cr3t\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SHAREMALL_MEDIA_MAX_MB", "3")
	t.Setenv("SHAREMALL_S3_ENDPOINT", "127.0.0.1:1")
	t.Setenv("SHAREMALL_S3_BUCKET", "pictures")
	t.Setenv("SHAREMALL_S3_ACCESS_KEY", "AKIA1")
	t.Setenv("SHAREMALL_S3_SECRET_KEY_FILE", keyFile)
	t.Setenv("SHAREMALL_S3_INSECURE", "true")
	var cfg Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg.bindFlags(fs)
	if err := fs.Parse([]string{"--data", dir}); err != nil {
		t.Fatal(err)
	}
	want := media.S3Config{Endpoint: "127.0.0.1:1", Bucket: "pictures", AccessKey: "AKIA1", SecretKey: "s3cr3t", Insecure: true}
	if cfg.Media.MaxMB != 3 || cfg.Media.S3 != want {
		t.Fatalf("media config = %+v", cfg.Media)
	}
	// A bucket that cannot be reached stops the start.
	var acfg api.Config
	if err := cfg.applyMedia(context.Background(), &acfg); err == nil || !strings.Contains(err.Error(), "pictures") {
		t.Fatalf("unreachable bucket: %v", err)
	}

	// Without a bucket, pictures go to <data>/media.
	cfg.Media.S3 = media.S3Config{}
	if err := cfg.applyMedia(context.Background(), &acfg); err != nil {
		t.Fatal(err)
	}
	if _, ok := acfg.Media.(*media.Local); !ok || acfg.MediaMaxBytes != 3<<20 {
		t.Fatalf("media = %T, max %d", acfg.Media, acfg.MediaMaxBytes)
	}
	if st, err := os.Stat(filepath.Join(dir, "media")); err != nil || !st.IsDir() {
		t.Fatalf("%s/media: %v", dir, err)
	}
	for _, mb := range []int{0, -1, 65} {
		cfg.Media.MaxMB = mb
		if err := cfg.applyMedia(context.Background(), &acfg); err == nil || !strings.Contains(err.Error(), "--media-max-mb") {
			t.Errorf("--media-max-mb %d: %v", mb, err)
		}
	}
}

// TestMediaGCCommand: `media gc` deletes the files of pictures no product
// shows (one the product dropped, one of a product that never was), keeps
// the product's own and a file too new to judge, and lists before it acts
// with --dry-run.
func TestMediaGCCommand(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	var out bytes.Buffer
	if err := run(ctx, "migrate", []string{"--data", data, "--log-level", "error"}, &out); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, "", data)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := account.HashPassword(account.HashParams{Memory: 64, Time: 1, Threads: 1}, "correct horse 1")
	if err != nil {
		t.Fatal(err)
	}
	newActor := func(email string, roles ...account.Role) account.Actor {
		a, err := db.CreateAccount(ctx, account.SignUp{Email: email, Name: "x"}, hash, roles...)
		if err != nil {
			t.Fatal(err)
		}
		actor, err := db.ActorFor(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		return actor
	}
	op, owner := newActor("op@example.com", account.Operator, account.Customer), newActor("sup@example.com", account.Customer)
	sup, err := db.ApplySupplier(ctx, owner, catalog.SupplierApplication{Name: "Tea Co", ContactEmail: "sup@example.com"})
	if err == nil {
		_, err = db.SetSupplierStatus(ctx, op, sup.ID, catalog.Approved, "")
	}
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.CreateProduct(ctx, op, &catalog.Product{SupplierID: sup.ID, Title: "Tea", SKUs: []catalog.SKU{{Code: "T", RetailPrice: 100}}})
	if err != nil {
		t.Fatal(err)
	}
	const shown, dropped = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"
	keep, _ := media.Names(p.ID, shown)
	if _, err := db.AddProductImage(ctx, op, p.ID, media.LocalPrefix+keep); err != nil {
		t.Fatal(err)
	}
	db.Close()

	local, err := media.NewLocal(filepath.Join(data, "media"))
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-72 * time.Hour)
	var names []string
	for _, pair := range [][2]any{{p.ID, shown}, {p.ID, dropped}, {int64(999), shown}} {
		l, th := media.Names(pair[0].(int64), pair[1].(string))
		names = append(names, l, th)
	}
	for _, n := range names {
		if err := local.Put(ctx, n, "image/jpeg", []byte("x")); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(filepath.Join(data, "media", n), old, old); err != nil {
			t.Fatal(err)
		}
	}
	fresh, _ := media.Names(999, dropped)
	if err := local.Put(ctx, fresh, "image/jpeg", []byte("x")); err != nil {
		t.Fatal(err)
	}
	exists := func(n string) bool { _, err := os.Stat(filepath.Join(data, "media", n)); return err == nil }

	out.Reset()
	if err := run(ctx, "media", []string{"gc", "--data", data, "--dry-run", "--log-level", "error"}, &out); err != nil {
		t.Fatalf("dry run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "would delete 4 file(s) no product shows; kept 3") || !exists(names[2]) {
		t.Fatalf("dry run said:\n%s", out.String())
	}
	out.Reset()
	if err := run(ctx, "media", []string{"gc", "--data", data, "--log-level", "error"}, &out); err != nil {
		t.Fatalf("gc: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "deleted 4 file(s) no product shows; kept 3") {
		t.Fatalf("gc said:\n%s", out.String())
	}
	for i, n := range names {
		if want := i < 2; exists(n) != want {
			t.Errorf("%s: exists %v, want %v", n, exists(n), want)
		}
	}
	if !exists(fresh) {
		t.Error("a file too new to judge was deleted")
	}
	if err := run(ctx, "media", []string{"gc", "--data", data, "--older-than", "5m", "--log-level", "error"}, &out); err == nil || !strings.Contains(err.Error(), "--older-than") {
		t.Fatalf("--older-than 5m: %v", err)
	}
	if err := run(ctx, "media", []string{"sweep"}, &out); err == nil {
		t.Fatal("media sweep accepted")
	}
}
