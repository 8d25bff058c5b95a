// Command openapi-dump prints the merged OpenAPI document, exactly as the
// server serves it at /api/openapi.json, for tools that lint or generate
// from it (scripts/openapi-lint).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"sharemall/internal/api"
)

func main() {
	b, err := api.OpenAPI()
	if err != nil {
		fmt.Fprintln(os.Stderr, "openapi-dump:", err)
		os.Exit(1)
	}
	// Indented, so that a linter's line numbers point somewhere readable.
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		fmt.Fprintln(os.Stderr, "openapi-dump:", err)
		os.Exit(1)
	}
	out.WriteByte('\n')
	os.Stdout.Write(out.Bytes())
}
