package store

// DecodePackForTest decodes a breakdown pack's body into its rows,
// checking that its keys are distinct and in byte order.
func DecodePackForTest(body []byte) (map[string][2]int64, error) {
	c, err := newPackCursor(body)
	if err != nil {
		return nil, err
	}
	out := map[string][2]int64{}
	prev := ""
	for {
		ok, err := c.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		if len(out) > 0 && string(c.key) <= prev {
			return nil, errBadPack
		}
		prev = string(c.key)
		out[prev] = [2]int64{c.amount, c.commission}
	}
}

// PackPlanForTest is packPlan's pieces of from..to (yyyymmdd) in the month
// starting thisMonth.
func PackPlanForTest(from, to, thisMonth int) [6]int {
	a, b, c, d, e, f := packPlan(from, to, thisMonth)
	return [6]int{a, b, c, d, e, f}
}
