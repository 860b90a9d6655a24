package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// MakeOutputDir creates root/<name>-<timestamp> (with a -N suffix if two
// runs start in the same second) and points root/<name>-latest at it.
func MakeOutputDir(root, platform string, now time.Time) (string, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("output directory %s: %w", root, err)
	}
	base := fmt.Sprintf("%s-%s", platform, now.Format("20060102-150405"))
	name := base
	for i := 2; ; i++ {
		err := os.Mkdir(filepath.Join(root, name), 0o755)
		if err == nil {
			break
		}
		if !os.IsExist(err) {
			return "", fmt.Errorf("output directory: %w", err)
		}
		name = fmt.Sprintf("%s-%d", base, i)
	}
	// Replace the link atomically so a reader never sees it missing; the
	// new link's name is this run's, so two runs starting at once do not
	// take each other's.
	latest := filepath.Join(root, platform+"-latest")
	tmp := latest + ".tmp-" + name
	_ = os.Remove(tmp)
	if err := os.Symlink(name, tmp); err != nil {
		return "", fmt.Errorf("link %s: %w", latest, err)
	}
	if err := os.Rename(tmp, latest); err != nil {
		return "", fmt.Errorf("link %s: %w", latest, err)
	}
	return filepath.Join(root, name), nil
}
