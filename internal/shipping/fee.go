package shipping

import (
	"slices"

	"sharemall/internal/money"
)

// Item is one line of a parcel as its fee sees it.
type Item struct {
	TemplateID int64 // 0: the product and its supplier name no template, so it ships free
	Quantity   int64
	UnitGrams  int64        // the SKU's weight
	Paid       money.Amount // what the customer pays for the line's goods, after the discount
}

// Part is one template's share of a parcel's fee, as the order keeps it.
type Part struct {
	TemplateID int64        `json:"template_id"`
	Name       string       `json:"name"`
	Basis      Basis        `json:"basis"`
	Region     string       `json:"region"` // the rule's region that matched, "" for the default rule
	Rule       Rule         `json:"rule"`
	Units      int64        `json:"units"`       // pieces or grams of the parcel's goods under this template
	Free       bool         `json:"free"`        // the parcel's goods reached the template's free_above
	FirstPiece bool         `json:"first_piece"` // this part pays its rule's first fee (the largest in the parcel)
	Fee        money.Amount `json:"fee"`
}

// Fee is a parcel's shipping fee and how it was reached: the snapshot a
// fulfilment order keeps, so a template changed later changes no order.
type Fee struct {
	Amount money.Amount `json:"amount"`
	Goods  money.Amount `json:"goods"` // the parcel's goods total free_above is compared with
	Parts  []Part       `json:"parts,omitempty"`
}

// ParcelFee is the fee of one parcel shipped to region. Goods are grouped
// by template; a template is free when the parcel's goods total reaches its
// free_above, and goods with no template ship free. Of the templates left,
// the one whose matching rule has the largest first fee (ties: the lower
// template id) charges that first fee for its first units and its
// additional fee beyond them; every other template charges only its own
// additional fee, for all of its units. This is how Taobao and Youzan
// combine templates in one parcel: the customer pays one first fee per
// parcel, never one per product.
func ParcelFee(region string, templates map[int64]Template, items []Item) Fee {
	var f Fee
	units := map[int64]int64{}
	var ids []int64
	for _, it := range items {
		f.Goods += it.Paid
		if it.TemplateID == 0 {
			continue
		}
		if _, ok := units[it.TemplateID]; !ok {
			ids = append(ids, it.TemplateID)
		}
		t := templates[it.TemplateID]
		if t.Basis == PerWeight {
			units[it.TemplateID] += it.Quantity * it.UnitGrams
		} else {
			units[it.TemplateID] += it.Quantity
		}
	}
	slices.Sort(ids)
	first := -1
	for _, id := range ids {
		t := templates[id]
		r, code := t.RuleFor(region)
		p := Part{TemplateID: id, Name: t.Name, Basis: t.Basis, Region: code, Rule: r, Units: units[id],
			Free: t.FreeAbove != nil && f.Goods >= *t.FreeAbove}
		if !p.Free && (first < 0 || r.FirstFee > f.Parts[first].Rule.FirstFee) {
			first = len(f.Parts)
		}
		f.Parts = append(f.Parts, p)
	}
	for i := range f.Parts {
		p := &f.Parts[i]
		switch {
		case p.Free:
		case i == first:
			p.FirstPiece = true
			p.Fee = p.Rule.FirstFee + steps(p.Units-p.Rule.FirstUnits, p.Rule.AdditionalUnits)*p.Rule.AdditionalFee
		default:
			p.Fee = steps(p.Units, p.Rule.AdditionalUnits) * p.Rule.AdditionalFee
		}
		f.Amount += p.Fee
	}
	return f
}

// steps is how many additional steps of size per units take: every part
// of a step counts whole (3 pieces at 2 a step are 2 steps).
func steps(units, per int64) money.Amount {
	if units <= 0 {
		return 0
	}
	return money.Amount((units + per - 1) / per)
}
