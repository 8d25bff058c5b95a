package store

// DecodePackForTest decodes a breakdown pack's body into its rows' sums.
func DecodePackForTest(body []byte) (map[string][2]int64, error) {
	var s packSums
	s.at = map[string]int{}
	if err := s.addPack(body); err != nil {
		return nil, err
	}
	out := make(map[string][2]int64, len(s.keys))
	for i, k := range s.keys {
		out[k] = s.sums[i]
	}
	return out, nil
}

// PackPlanForTest is packPlan's pieces of from..to (yyyymmdd) in the month
// starting thisMonth.
func PackPlanForTest(from, to, thisMonth int) [6]int {
	a, b, c, d, e, f := packPlan(from, to, thisMonth)
	return [6]int{a, b, c, d, e, f}
}
