// Package material holds marketing materials: the pictures and copy the
// operator or a supplier publishes for a product, which distributors share
// with their own link (docs/materials.md).
package material

import (
	"strings"
	"time"
	"unicode/utf8"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/money"
)

// Limits of a material.
const (
	MaxImages  = 9    // the grid a chat app shows
	MaxCopyLen = 2000 // characters per language
)

// Material is one publishable piece of marketing for a product.
type Material struct {
	ID         int64
	ProductID  int64
	SupplierID int64 // the product's supplier
	CampaignID int64 // 0: none; no foreign key yet (campaigns are built elsewhere)
	Images     []string
	CopyZH     string
	CopyEN     string
	Published  bool
	CreatedBy  int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Input is what the publisher sets. Images are set through the picture
// pipeline one at a time; Input carries them only when given as URLs (the
// demo, an import).
type Input struct {
	ProductID  int64
	CampaignID int64
	Images     []string
	CopyZH     string
	CopyEN     string
	Published  bool
}

// Normalize trims the copy and checks every field; errors name the field.
func (in *Input) Normalize() error {
	if in.ProductID <= 0 {
		return errs.Invalidf("product_id", "must be a product's id")
	}
	if in.CampaignID < 0 {
		return errs.Invalidf("campaign_id", "must be a campaign's id, or empty for none")
	}
	in.CopyZH, in.CopyEN = strings.TrimSpace(in.CopyZH), strings.TrimSpace(in.CopyEN)
	for _, c := range []struct{ field, text string }{{"copy_zh", in.CopyZH}, {"copy_en", in.CopyEN}} {
		if utf8.RuneCountInString(c.text) > MaxCopyLen {
			return errs.Invalidf(c.field, "must be at most %d characters", MaxCopyLen)
		}
		if !utf8.ValidString(c.text) || strings.ContainsRune(c.text, 0) {
			return errs.Invalidf(c.field, "must be text")
		}
	}
	if in.CopyZH == "" && in.CopyEN == "" {
		return errs.Invalidf("copy_zh", "write the copy in Chinese or in English (or both)")
	}
	if err := CheckImages(in.Images); err != nil {
		return err
	}
	if in.Images == nil {
		in.Images = []string{}
	}
	return CheckPublish(in.Published, in.Images)
}

// CheckImages accepts at most MaxImages distinct picture URLs.
func CheckImages(images []string) error {
	if len(images) > MaxImages {
		return errs.Invalidf("images", "must hold at most %d pictures", MaxImages)
	}
	seen := map[string]bool{}
	for _, u := range images {
		if seen[u] {
			return errs.Invalidf("images", "holds %s twice", u)
		}
		seen[u] = true
	}
	return catalog.CheckImages("images", images)
}

// CheckPublish refuses to publish a material without a picture: a material
// is shared as pictures with copy.
func CheckPublish(published bool, images []string) error {
	if published && len(images) == 0 {
		return errs.E(errs.Conflict, "images", "add a picture before publishing")
	}
	return nil
}

// Copy is the copy in lang ("zh" or "en"), else the other language's.
func (m *Material) Copy(lang string) string {
	first, other := m.CopyEN, m.CopyZH
	if strings.HasPrefix(lang, "zh") {
		first, other = other, first
	}
	if first != "" {
		return first
	}
	return other
}

// Cover is the first picture, "" for none.
func (m *Material) Cover() string {
	if len(m.Images) == 0 {
		return ""
	}
	return m.Images[0]
}

// Stats is a material's funnel: the visits its links brought, and the
// orders credited to it (docs/materials.md, "Counting").
type Stats struct {
	Visits     int64
	Orders     int64        // orders placed with a line credited to the material
	PaidOrders int64        // of those, paid (and not cancelled)
	PaidAmount money.Amount // what the credited lines of paid orders cost (base + markup)
}
