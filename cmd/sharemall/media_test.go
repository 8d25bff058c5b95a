package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sharemall/internal/api"
	"sharemall/internal/media"
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
