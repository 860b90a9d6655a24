package runner

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/strata-os/strata/core/platform"
)

// ParseParallel reads a -j value: a positive number or "auto".
func ParseParallel(s string, machineMiB, clusterSize int) (int, error) {
	if s == "" || s == "auto" {
		avail, err := memAvailableMiB()
		if err != nil {
			avail = 0 // unknown: bound by CPUs only
		}
		return AutoParallel(runtime.NumCPU(), avail, machineMiB, clusterSize), nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, platform.Usagef("bad -j/--parallel %q: want a positive number or auto", s)
	}
	return n, nil
}

// AutoParallel picks how many tests to run at once: one per CPU, fewer when
// the machines of that many clusters would not fit in available memory.
// availMiB 0 means unknown; machineMiB 0 means machines use no local memory.
func AutoParallel(cpus, availMiB, machineMiB, clusterSize int) int {
	n := cpus
	if clusterSize < 1 {
		clusterSize = 1
	}
	if availMiB > 0 && machineMiB > 0 {
		if byMem := availMiB / (machineMiB * clusterSize); byMem < n {
			n = byMem
		}
	}
	if n < 1 {
		n = 1
	}
	return n
}

func memAvailableMiB() (int, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemAvailable:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				return 0, fmt.Errorf("parse MemAvailable %q: %w", rest, err)
			}
			return kb / 1024, nil
		}
	}
	return 0, fmt.Errorf("no MemAvailable in /proc/meminfo")
}
