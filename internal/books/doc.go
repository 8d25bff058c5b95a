// Package books is the one owner of money: it posts journals, keeps ledger
// accounts and their balances (deferred ones included), locks distributors'
// wallets in the one lock order (docs/money.md, "Lock order"), decides how
// money entering or leaving a wallet meets its debt (Earn, ClawBack,
// DebtFirst), writes commission lines with their shares and refunds
// (BookLines, SettleLines, RefundLine), withdrawals and payout batches,
// refunds owed to customers and the effects outbox, and proves the books
// sound (Check). Its functions run in the caller's transaction
// (*sqldb.Tx), so the store changes an order's or a case's state and the
// money in one commit. owner_test.go fails on SQL outside this package
// that writes a money table.
package books
