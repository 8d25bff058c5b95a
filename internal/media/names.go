package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Names are the objects of a product's picture: "p/<product>-<hash>.jpg"
// (Large) and the same with "-t" before ".jpg" (Thumb). The product is in
// the name so that removing a picture from one product never takes it from
// another that uploaded the same file; the hash makes the name immutable.
func Names(productID int64, hash string) (large, thumb string) {
	base := fmt.Sprintf("p/%d-%s", productID, hash)
	return base + ".jpg", base + "-t.jpg"
}

var largeRe = regexp.MustCompile(`(^|/)p/[0-9]+-[0-9a-f]{32}\.jpg$`)

// ThumbURL is the thumbnail's URL of a picture uploaded here (its Large's
// URL, wherever it is stored); any other picture URL is its own thumbnail.
func ThumbURL(u string) string {
	if largeRe.MatchString(u) {
		return strings.TrimSuffix(u, ".jpg") + "-t.jpg"
	}
	return u
}

// NamesOf are the objects behind url when st stored them (an uploaded
// picture's Large URL); ok is false for any other URL (one typed in, the
// demo's, or one of a store no longer configured).
func NamesOf(st Store, url string) (large, thumb string, ok bool) {
	base := st.URL("")
	name, found := strings.CutPrefix(url, base)
	if !found || !largeRe.MatchString(name) || strings.Contains(name[2:], "/") {
		return "", "", false
	}
	return name, strings.TrimSuffix(name, ".jpg") + "-t.jpg", true
}

// Upload makes a product's picture from what r holds (see Process), stores
// its two sizes, then calls add with the Large's URL to record it on the
// product. When add refuses, the stored objects are deleted again, so a
// refused upload leaves nothing behind.
func Upload(ctx context.Context, st Store, productID int64, r io.Reader, maxBytes int64, add func(url string) error) (string, error) {
	p, err := Process(r, maxBytes)
	if err != nil {
		return "", err
	}
	large, thumb := Names(productID, p.Hash)
	if err := st.Put(ctx, thumb, "image/jpeg", p.Thumb); err != nil {
		return "", err
	}
	if err := st.Put(ctx, large, "image/jpeg", p.Large); err != nil {
		return "", errors.Join(err, st.Delete(context.WithoutCancel(ctx), thumb))
	}
	url := st.URL(large)
	if err := add(url); err != nil {
		dctx := context.WithoutCancel(ctx)
		if derr := errors.Join(st.Delete(dctx, large), st.Delete(dctx, thumb)); derr != nil {
			return "", fmt.Errorf("%w (and the stored picture was not deleted: %v)", err, derr)
		}
		return "", err
	}
	return url, nil
}

// Remove deletes the objects behind url when st stored them; other URLs
// are left alone.
func Remove(ctx context.Context, st Store, url string) error {
	large, thumb, ok := NamesOf(st, url)
	if !ok {
		return nil
	}
	return errors.Join(st.Delete(ctx, large), st.Delete(ctx, thumb))
}
