//go:build race

package bench

// raceDetector: this test binary runs under -race.
const raceDetector = true
