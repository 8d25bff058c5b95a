package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// keyUse finds message keys in templates ({{.T "key"}}, {{$.T "key"}},
// (field . "name" "type" "key" …)) and in Go code (.T("key")).
var keyUse = []*regexp.Regexp{
	regexp.MustCompile(`\.T\s+"([a-z0-9_.]+)"`),
	regexp.MustCompile(`\(field\s+\S+\s+"[^"]*"\s+"[^"]*"\s+"([a-z0-9_.]+)"`),
	regexp.MustCompile(`\.T\("([a-z0-9_.]+)"\s*[,)]`),
}

// TestCatalogues fails on a message one language has and another lacks, and
// on a key a template or handler uses that no catalogue has.
func TestCatalogues(t *testing.T) {
	cat, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	for lang, keys := range cat.missing() {
		t.Errorf("%s lacks %d messages: %v", lang, len(keys), keys)
	}
	used := map[string]string{}
	fs.WalkDir(templateFiles, "templates", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := templateFiles.ReadFile(p)
			collect(used, p, string(b))
		}
		return err
	})
	gofiles, _ := filepath.Glob("*.go")
	for _, f := range gofiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		collect(used, f, string(b))
	}
	if len(used) < 20 {
		t.Fatalf("found only %d keys in use; the scan is broken", len(used))
	}
	for key, where := range used {
		for _, lang := range Languages {
			if _, ok := cat[lang][key]; !ok {
				t.Errorf("%s uses %q, missing in %s", where, key, lang)
			}
		}
	}
}

func collect(used map[string]string, where, text string) {
	for _, re := range keyUse {
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			used[m[1]] = where
		}
	}
}
