package web

import (
	"sharemall/internal/commission"
	"sharemall/internal/money"
	"sharemall/internal/program"
)

// opsPreview is how one example order line would split under settings:
// computed by commission.Split, the code checkout books with.
type opsPreview struct {
	Price  money.Amount
	Shares commission.Shares
	Total  money.Amount // the shares' sum (Shares.Total), equal to Price
}

// The example's parties: a seller with an upline as deep as the program
// pays, a regional agent when the area rate is set, one supplier.
const (
	previewSupplier = 1
	previewSeller   = 1
	previewAgent    = 9
)

// previewSplit splits a line of one unit at price under st, as checkout
// would snapshot it for a seller whose upline fills every tier.
func previewSplit(st *program.Settings, price money.Amount) (*opsPreview, error) {
	snap := commission.Snapshot{Currency: st.CurrencyCode, SupplierID: previewSupplier, SellerID: previewSeller,
		Rules:        commission.ResolveTierRules(st.Tiers, st.TierRates, nil, nil, nil),
		PlatformRate: st.PlatformRate, Cap: st.CommissionCap}
	for k := 2; k <= st.Tiers; k++ {
		snap.Upline = append(snap.Upline, int64(k))
	}
	if st.AreaRate > 0 {
		snap.Agent = &commission.Agent{DistributorID: previewAgent, Rate: st.AreaRate}
	}
	shares, err := commission.Split(snap, commission.Line{Base: price, Quantity: 1})
	if err != nil {
		return nil, err
	}
	return &opsPreview{Price: price, Shares: shares, Total: shares.Total()}, nil
}
