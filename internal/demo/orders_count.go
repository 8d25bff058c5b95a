package demo

import (
	"context"

	"sharemall/internal/account"
	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/store"
)

// summarizeOrders adds the orders and withdrawals to what summarize counts.
func summarizeOrders(ctx context.Context, db *store.DB, reused bool) (*Result, error) {
	r, err := summarize(ctx, db, reused)
	if err != nil {
		return nil, err
	}
	op, err := (&seeder{db: db}).actorByLogin(ctx, operatorLogin)
	if err != nil {
		return nil, err
	}
	if r.Orders, r.Withdrawals, err = countOrders(ctx, db, op); err != nil {
		return nil, err
	}
	r.Logins = append(r.Logins, Login{"distributor", demoShops[1].login, "a shop with marked-up prices and the coupon " + demoCoupon})
	return r, nil
}

// countOrders counts the orders per state, and the withdrawals per status.
func countOrders(ctx context.Context, db *store.DB, op account.Actor) (map[string]int, map[string]int, error) {
	refunded := map[int64]money.Amount{}
	for after := int64(0); ; {
		page, err := db.Cases(ctx, op, store.CaseFilter{Status: store.CaseRefunded, After: after, Limit: 200})
		if err != nil {
			return nil, nil, err
		}
		for _, c := range page {
			refunded[c.OrderID] += c.Amount
			after = c.ID
		}
		if len(page) <= 200 {
			break
		}
	}
	states := map[string]int{}
	for after := int64(0); ; {
		page, err := db.Orders(ctx, op, order.Filter{After: after, Limit: 200})
		if err != nil {
			return nil, nil, err
		}
		for _, ord := range page {
			states[orderState(ord, refunded[ord.ID])]++
			after = ord.ID
		}
		if len(page) <= 200 {
			break
		}
	}
	withdrawals := map[string]int{}
	for after := int64(0); ; {
		page, err := db.Withdrawals(ctx, op, store.WithdrawalFilter{After: after, Limit: 1000})
		if err != nil {
			return nil, nil, err
		}
		for _, w := range page {
			withdrawals[string(w.Status)]++
			after = w.ID
		}
		if len(page) < 1000 {
			break
		}
	}
	return states, withdrawals, nil
}

func orderState(o order.Order, refunded money.Amount) string {
	switch {
	case o.Status == order.Unpaid:
		return StateUnpaid
	case o.Status == order.Cancelled:
		return StateCancelled
	case refunded > 0 && refunded >= o.Total-o.Shipping: // a case's amount is the goods; the fees go back with whole parcels
		return StateFullyRefunded
	case refunded > 0:
		return StatePartlyRefunded
	case o.Status == order.Completed:
		return StateSettled
	}
	least := order.FulfilmentReceived
	for _, f := range o.Fulfilments {
		if f.Status == order.FulfilmentReleased || (f.Status == order.FulfilmentShipped && least == order.FulfilmentReceived) {
			least = f.Status
		}
	}
	switch least {
	case order.FulfilmentReleased:
		return StatePaid
	case order.FulfilmentShipped:
		return StateShipped
	}
	return StateReceived
}
