package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

func TestConfigFromEnvironmentAndFiles(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "db")
	if err := os.WriteFile(secretFile, []byte("postgres://u:p@h/db\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SHAREMALL_ADDR", ":9999")
	t.Setenv("SHAREMALL_DB_FILE", secretFile)
	t.Setenv("SHAREMALL_LOG_FORMAT", "json")
	var cfg Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg.bindFlags(fs)
	if err := fs.Parse([]string{"--log-format", "text"}); err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":9999" || cfg.DB != "postgres://u:p@h/db" || cfg.LogFormat != "text" || cfg.Data != "./data" {
		t.Fatalf("config = %+v", cfg)
	}
	if _, err := cfg.logger(); err != nil {
		t.Fatal(err)
	}
	cfg.LogLevel = "loud"
	if _, err := cfg.logger(); err == nil {
		t.Fatal("bad level accepted")
	}
	if baseURL(":8080") != "http://localhost:8080" || baseURL("127.0.0.1:9") != "http://127.0.0.1:9" {
		t.Fatal(baseURL(":8080"))
	}
}
