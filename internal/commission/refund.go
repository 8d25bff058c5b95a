package commission

import (
	"fmt"

	"sharemall/internal/money"
)

// UnitsRefund is what refunding quantity more units of a line gives back of
// each part, given the line as booked and what remains of it now. Refunds
// are proportional by quantity and cumulative: once r of q units are
// refunded, floor(part × r / q) of the base and of the markup have gone
// back, so the last unit takes the remainder and a full refund is exact
// whatever the steps (10.00 over 3 units: 3.33, 3.33, 3.34).
//
// It is the one place a refund's amount is computed: an after-sale case
// computes it inside the transaction that books it, and the refund owed to
// the customer carries that result, never a second computation.
func UnitsRefund(booked, current Line, quantity int64) (Line, error) {
	switch {
	case quantity <= 0:
		return Line{}, fmt.Errorf("commission: refund of %d units: at least one", quantity)
	case quantity > current.Quantity:
		return Line{}, fmt.Errorf("commission: refund of %d units: only %d are left", quantity, current.Quantity)
	case quantity == current.Quantity:
		return Line{Base: current.Base, Markup: current.Markup, Quantity: quantity}, nil
	}
	before := booked.Quantity - current.Quantity
	part := func(total, now money.Amount) (money.Amount, error) {
		a, err := money.MulDivFloor(int64(total), before, booked.Quantity)
		if err != nil {
			return 0, err
		}
		b, err := money.MulDivFloor(int64(total), before+quantity, booked.Quantity)
		if err != nil {
			return 0, err
		}
		return min(money.Amount(b-a), now), nil
	}
	base, err := part(booked.Base, current.Base)
	if err != nil {
		return Line{}, err
	}
	markup, err := part(booked.Markup, current.Markup)
	return Line{Base: base, Markup: markup, Quantity: quantity}, err
}
