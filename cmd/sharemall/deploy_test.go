package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// The container files cannot be built here (no Docker engine); this test
// checks what it can: the Go version of go.mod, a static non-root image,
// and a compose file that runs the server on PostgreSQL with settings the
// server reads.

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../../" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDockerfile(t *testing.T) {
	goVersion := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(readRepoFile(t, "go.mod"))[1]
	df := readRepoFile(t, "Dockerfile")
	if !strings.Contains(df, "ARG GO_VERSION="+goVersion+"\n") {
		t.Errorf("the Dockerfile does not build with go.mod's Go %s", goVersion)
	}
	if !strings.Contains(readRepoFile(t, "README.md"), "Go "+goVersion) {
		t.Errorf("the README does not state go.mod's Go %s", goVersion)
	}
	froms := regexp.MustCompile(`(?m)^FROM (\S+)`).FindAllStringSubmatch(df, -1)
	if len(froms) < 2 {
		t.Fatalf("not a multi-stage build: %v", froms)
	}
	if final := froms[len(froms)-1][1]; !strings.HasPrefix(final, "gcr.io/distroless/static") && final != "scratch" {
		t.Errorf("final image %s is not distroless static or scratch", final)
	}
	if !strings.Contains(df, "CGO_ENABLED=0") {
		t.Error("the binary is not built static (CGO_ENABLED=0)")
	}
	users := regexp.MustCompile(`(?m)^USER (\S+)`).FindAllStringSubmatch(df, -1)
	if len(users) == 0 || strings.HasPrefix(users[len(users)-1][1], "0") || strings.HasPrefix(users[len(users)-1][1], "root") {
		t.Errorf("the image runs as root: %v", users)
	}
}

func TestComposeRunsOnPostgres(t *testing.T) {
	var compose struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Build       any               `yaml:"build"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			DependsOn   map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal([]byte(readRepoFile(t, "compose.yaml")), &compose); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	pg, app := compose.Services["postgres"], compose.Services["sharemall"]
	if !strings.HasPrefix(pg.Image, "postgres:") || app.Build == nil {
		t.Fatalf("services %+v", compose.Services)
	}
	if app.DependsOn["postgres"].Condition != "service_healthy" || len(app.Command) == 0 || app.Command[0] != "serve" {
		t.Errorf("sharemall service %+v", app)
	}
	if !strings.HasPrefix(app.Environment["SHAREMALL_DB"], "postgres://") || !strings.Contains(app.Environment["SHAREMALL_DB"], "@postgres:5432/") {
		t.Errorf("SHAREMALL_DB = %q", app.Environment["SHAREMALL_DB"])
	}
	config := readRepoFile(t, "cmd/sharemall/config.go")
	for name := range app.Environment {
		if !strings.Contains(config, `"`+name+`"`) {
			t.Errorf("compose sets %s, which the server does not read", name)
		}
	}
}
