//go:build race

package server

// raceEnabled: the race detector instruments allocations, so counts of
// them mean nothing under it.
const raceEnabled = true
