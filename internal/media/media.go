// Package media stores the pictures suppliers upload: a Store keeps bytes
// under a name and says at which URL browsers fetch them, on this server's
// disk (Local) or in an S3-compatible bucket (S3). Names are content-hashed
// (see Names), so a name's bytes never change and may be cached for ever.
package media

import (
	"context"
	"fmt"
	"regexp"
)

// Store keeps media objects. Names are relative, slash-separated paths
// such as "p/12-0123…ef.jpg" (see ValidName).
type Store interface {
	// Put stores b under name, replacing what was there.
	Put(ctx context.Context, name, contentType string, b []byte) error
	// Delete removes name; a name that is not there is not an error.
	Delete(ctx context.Context, name string) error
	// URL is where a browser fetches name.
	URL(name string) string
}

// CacheControl is sent with every object: names never change content.
const CacheControl = "public, max-age=31536000, immutable"

var nameRe = regexp.MustCompile(`^[a-z]+/[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// ValidName reports whether name is one this package makes: a folder of
// lower-case letters and one file name with no "..", "/" nor "\".
func ValidName(name string) bool {
	return nameRe.MatchString(name) && !containsDotDot(name)
}

func containsDotDot(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '.' && s[i+1] == '.' {
			return true
		}
	}
	return false
}

func checkName(op, name string) error {
	if !ValidName(name) {
		return fmt.Errorf("media.%s: invalid name %q", op, name)
	}
	return nil
}
