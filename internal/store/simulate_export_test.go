package store

// SetSimFoldPerSimulationForTest bounds the events one simulation folds
// and returns the function that puts the bound back.
func SetSimFoldPerSimulationForTest(n int) (restore func()) {
	was := simFoldPerSimulation
	simFoldPerSimulation = n
	return func() { simFoldPerSimulation = was }
}
