//go:build race

package bench_test

// raceDetector: this test binary runs under -race.
const raceDetector = true
