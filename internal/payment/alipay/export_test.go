package alipay

import "time"

// SetClock sets a client's clock, for tests.
func SetClock(c *Client, now func() time.Time) { c.now = now }
