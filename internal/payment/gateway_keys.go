package payment

import "strings"

// Our refund keys are "{cause}:{id}" ("payment:12", "case:5"), as the
// ledger's journal keys are. Providers take fewer characters in their
// refund ids (WeChat Pay's out_refund_no: 0-9 A-Z a-z _ - | * @), so a key
// goes to a provider with ':' as '-', and comes back the other way. Our
// causes hold no '-', so the two are one to one.

// ProviderRefundKey is key as providers are given it (RefundRequest.RefundKey).
func ProviderRefundKey(key string) string { return strings.ReplaceAll(key, ":", "-") }

// RefundKeyFromProvider is our key of a refund key a provider names
// (RefundState.RefundKey, StatementLine.RefundKey).
func RefundKeyFromProvider(key string) string { return strings.ReplaceAll(key, "-", ":") }
