package api

import "time"

// SetWaitRound shortens one call of operations.wait for a test.
func SetWaitRound(d time.Duration) (restore func()) {
	old := waitRound
	waitRound = d
	return func() { waitRound = old }
}
