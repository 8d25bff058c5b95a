//go:build race

package store_test

// raceDetector: the race detector slows SQLite (compiled from C) about
// fifteenfold, so the property tests run fewer cases under it.
const raceDetector = true
