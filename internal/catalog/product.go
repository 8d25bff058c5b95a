package catalog

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"sharemall/internal/errs"
	"sharemall/internal/money"
)

// Category groups products; categories form a tree through ParentID.
type Category struct {
	ID       int64
	ParentID int64 // 0 for a top-level category
	Name     string
	Slug     string
}

var slugRe = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Normalize validates a new category.
func (c *Category) Normalize() error {
	var err error
	if c.Name, err = text("name", c.Name, 100, true); err != nil {
		return err
	}
	if len(c.Slug) > 64 || !slugRe.MatchString(c.Slug) {
		return errs.Invalidf("slug", "must be 1 to 64 lower-case letters, digits and single dashes, like home-garden")
	}
	if c.ParentID < 0 {
		return errs.Invalidf("parent_id", "must be a positive id")
	}
	return nil
}

// Product is something a supplier sells, in one or more SKUs.
type Product struct {
	ID          int64
	SupplierID  int64
	CategoryID  int64 // 0 for none
	Title       string
	Description string
	Images      []string
	Commission  *Commission // nil: every tier comes from the grade and program; else per tier, see Commission
	OnSale      bool
	// Review is the operator's review (program setting product_review):
	// ReviewApproved unless review is on and the product is new or edited
	// since; only an approved product is sold. ReviewReason says why one
	// was rejected.
	Review       ReviewStatus
	ReviewReason string
	SKUs         []SKU
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// SKU is one sellable variant of a product (a colour, a size).
type SKU struct {
	ID           int64
	ProductID    int64
	Code         string
	Options      map[string]string
	RetailPrice  money.Amount
	PriceCeiling *money.Amount // nil: no markup above retail; else ≥ retail
	Commission   *Commission   // nil: every tier falls back to the product's override, then grade and program
	OnSale       bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Limits on sizes keep rows and pages small.
const (
	MaxImages  = 10
	MaxSKUs    = 100
	MaxOptions = 10
	// MaxPrice (10^12 minor units, ten billion in a two-digit currency)
	// keeps every later product of price × quantity × rate far from overflow.
	MaxPrice money.Amount = 1_000_000_000_000
)

// Normalize validates a product's own fields and its override (not its SKUs).
func (p *Product) Normalize(lim Limits) error {
	if err := p.NormalizeFields(); err != nil {
		return err
	}
	return p.CheckCommission(lim)
}

// CheckCommission validates the product's override and the rates it makes
// with what it falls back to (fixed amounts are checked per SKU by CheckPrices).
func (p *Product) CheckCommission(lim Limits) error {
	if p.Commission == nil {
		return nil
	}
	if err := p.Commission.Validate("commission", lim); err != nil {
		return err
	}
	return lim.Fit("commission", -1, p.Commission)
}

// NormalizeFields validates a product's own fields but its override, so an
// edit of the title is not refused for an override that stopped fitting
// when the operator tightened the program.
func (p *Product) NormalizeFields() error {
	var err error
	if p.Title, err = text("title", p.Title, 200, true); err != nil {
		return err
	}
	if utf8.RuneCountInString(p.Description) > 10000 {
		return errs.Invalidf("description", "must be at most 10000 characters")
	}
	if p.CategoryID < 0 {
		return errs.Invalidf("category_id", "must be a positive id")
	}
	if err := CheckImages("images", p.Images); err != nil {
		return err
	}
	if p.Images == nil {
		p.Images = []string{}
	}
	return nil
}

// CheckImages accepts at most MaxImages image URLs (see ImageURL).
func CheckImages(field string, images []string) error {
	if len(images) > MaxImages {
		return errs.Invalidf(field, "must hold at most %d images", MaxImages)
	}
	for i, s := range images {
		if !ImageURL(s) {
			return errs.Invalidf(fmt.Sprintf("%s[%d]", field, i), "must be an http or https URL, or a path on this site (/media/…)")
		}
	}
	return nil
}

// ImageURL reports whether s may be shown as a picture: an absolute http
// or https URL, or a path on this site ("/media/…", pictures the server
// itself serves, such as the demo's). A path may not start with "//" nor
// hold a backslash or white space, which browsers may read as another host.
func ImageURL(s string) bool {
	if s == "" || len(s) > 2000 {
		return false
	}
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	if strings.HasPrefix(s, "/") {
		return !strings.HasPrefix(s, "//") && !strings.ContainsAny(s, "\\ \t\r\n") && u.Scheme == "" && u.Host == ""
	}
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// NormalizeNew validates a new product with its SKUs, as one request: the
// fields of SKU i are named skus[i].<field>.
func (p *Product) NormalizeNew(lim Limits, allowMarkup bool) error {
	if err := p.Normalize(lim); err != nil {
		return err
	}
	if len(p.SKUs) == 0 {
		return errs.Invalidf("skus", "must list at least one SKU")
	}
	if len(p.SKUs) > MaxSKUs {
		return errs.Invalidf("skus", "must list at most %d SKUs", MaxSKUs)
	}
	codes := map[string]bool{}
	for i := range p.SKUs {
		prefix := fmt.Sprintf("skus[%d].", i)
		s := &p.SKUs[i]
		if err := s.Normalize(prefix, lim, allowMarkup); err != nil {
			return err
		}
		if codes[s.Code] {
			return errs.Invalidf(prefix+"code", "repeats the code of another SKU")
		}
		codes[s.Code] = true
	}
	return p.CheckPrices(lim)
}

// CheckPrices checks what a line of each SKU pays (its own override over
// the product's, over the program's rates) against the cap at its retail
// price. The error names the SKU's override when it has one, else the
// product's.
func (p *Product) CheckPrices(lim Limits) error {
	for i, s := range p.SKUs {
		field := "commission"
		if s.Commission != nil {
			field = fmt.Sprintf("skus[%d].commission", i)
		}
		if err := lim.Fit(field, s.RetailPrice, s.Commission, p.Commission); err != nil {
			return err
		}
	}
	return nil
}

var codeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Normalize validates a SKU and the shape of its override; prefix
// ("skus[0]." or "") goes before field names. What its lines pay is checked
// against the cap by CheckFit (or the product's CheckPrices).
func (s *SKU) Normalize(prefix string, lim Limits, allowMarkup bool) error {
	if err := s.NormalizeFields(prefix, allowMarkup); err != nil {
		return err
	}
	return s.Commission.Validate(prefix+"commission", lim)
}

// CheckFit checks what a line of the SKU pays (its override over the
// product's, over the program's rates) against the cap at its retail price.
// The error names the SKU's override when it has one, else its price (the
// thing that changed).
func (s *SKU) CheckFit(prefix string, lim Limits, productCommission *Commission) error {
	field := prefix + "retail_price"
	if s.Commission != nil {
		field = prefix + "commission"
	}
	return lim.Fit(field, s.RetailPrice, s.Commission, productCommission)
}

// NormalizeFields validates a SKU but its override.
func (s *SKU) NormalizeFields(prefix string, allowMarkup bool) error {
	s.Code = strings.TrimSpace(s.Code)
	if len(s.Code) > 64 || !codeRe.MatchString(s.Code) {
		return errs.Invalidf(prefix+"code", "must be 1 to 64 letters, digits, dots, dashes or underscores")
	}
	if len(s.Options) > MaxOptions {
		return errs.Invalidf(prefix+"options", "must hold at most %d options", MaxOptions)
	}
	for k, v := range s.Options {
		if k == "" || utf8.RuneCountInString(k) > 32 {
			return errs.Invalidf(prefix+"options", "names must be 1 to 32 characters")
		}
		if v == "" || utf8.RuneCountInString(v) > 64 {
			return errs.Invalidf(prefix+"options."+k, "must be 1 to 64 characters")
		}
	}
	if s.Options == nil {
		s.Options = map[string]string{}
	}
	if s.RetailPrice < 0 {
		return errs.Invalidf(prefix+"retail_price", "must not be negative")
	}
	if s.RetailPrice > MaxPrice {
		return errs.Invalidf(prefix+"retail_price", "is too large")
	}
	if s.PriceCeiling != nil {
		if *s.PriceCeiling > MaxPrice {
			return errs.Invalidf(prefix+"price_ceiling", "is too large")
		}
		if !allowMarkup {
			return errs.Invalidf(prefix+"price_ceiling", "the supplier does not allow markup; leave it out")
		}
		if *s.PriceCeiling < s.RetailPrice {
			return errs.Invalidf(prefix+"price_ceiling", "must not be below the retail price")
		}
	}
	return nil
}

// ProductUpdate changes some of a product's fields; nil leaves one as it is.
type ProductUpdate struct {
	Title       *string
	Description *string
	Images      *[]string
	CategoryID  *int64 // 0 clears the category
	Commission  **Commission
	OnSale      *bool
}

// Apply applies u to p; the caller validates p afterwards.
func (u ProductUpdate) Apply(p *Product) {
	if u.Title != nil {
		p.Title = *u.Title
	}
	if u.Description != nil {
		p.Description = *u.Description
	}
	if u.Images != nil {
		p.Images = *u.Images
	}
	if u.CategoryID != nil {
		p.CategoryID = *u.CategoryID
	}
	if u.Commission != nil {
		p.Commission = *u.Commission
	}
	if u.OnSale != nil {
		p.OnSale = *u.OnSale
	}
}

// SKUUpdate changes some of a SKU's fields; nil leaves one as it is.
type SKUUpdate struct {
	Options      *map[string]string
	RetailPrice  *money.Amount
	PriceCeiling **money.Amount // pointer to nil clears the ceiling
	Commission   **Commission   // pointer to nil clears the override
	OnSale       *bool
}

// Apply applies u to s; the caller validates s afterwards.
func (u SKUUpdate) Apply(s *SKU) {
	if u.Options != nil {
		s.Options = *u.Options
	}
	if u.RetailPrice != nil {
		s.RetailPrice = *u.RetailPrice
	}
	if u.PriceCeiling != nil {
		s.PriceCeiling = *u.PriceCeiling
	}
	if u.Commission != nil {
		s.Commission = *u.Commission
	}
	if u.OnSale != nil {
		s.OnSale = *u.OnSale
	}
}

// ReviewStatus is where a product stands in the optional review.
type ReviewStatus string

const (
	ReviewPending  ReviewStatus = "pending"
	ReviewApproved ReviewStatus = "approved"
	ReviewRejected ReviewStatus = "rejected"
)
