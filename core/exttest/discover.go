package exttest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/strata-os/strata/core/conf"
)

// Test is one external test as found on disk.
type Test struct {
	// Name is ext.<DIR's base name>.<subdirectories>[.<executable>]: the
	// executable's name is left out when it is its directory's only one
	// and is called "test", as upstream.
	Name string
	// Executable is the test's path on the host.
	Executable string
	// DataDir is the data/ directory beside it, if any: copied to the
	// machine, whose path the test gets as $KOLA_EXT_DATA.
	DataDir string
	// UserData is config.ign or config.bu beside it, or nil.
	UserData *conf.UserData
	Meta     Meta
}

const (
	testsDir        = "tests/kola"
	defaultTestName = "test"
	dataDirName     = "data"
	metaFile        = "kola.json"
	// inlinePrefix starts the inline YAML header; its lines start "## ".
	inlinePrefix = "## kola:"
	// headerBytes is how much of an executable is searched for the header.
	headerBytes = 8192
)

var namePart = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Discover finds the external tests under dir/tests/kola. A directory
// without tests/kola has none; an error names the file at fault.
func Discover(dir string) ([]Test, error) {
	root := filepath.Join(dir, testsDir)
	if _, err := os.Stat(root); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("external tests %s: no %s in it", dir, testsDir)
		}
		return nil, fmt.Errorf("external tests %s: %w", dir, err)
	}
	base := filepath.Base(filepath.Clean(dir))
	if !namePart.MatchString(base) {
		return nil, fmt.Errorf("external tests %s: %q cannot be part of a test name (letters, digits, '.', '_', '-')", dir, base)
	}
	return discoverDir(root, "ext."+base)
}

func discoverDir(dir, prefix string) ([]Test, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	var (
		executables []string
		subdirs     []string
		dataDir     string
		userdata    *conf.UserData
		meta        *source
	)
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		fi, err := os.Stat(p) // follows symlinks, as upstream
		if err != nil {
			return nil, fmt.Errorf("stat %s: %w", p, err)
		}
		switch {
		case fi.IsDir() && e.Name() == dataDirName:
			dataDir = p
		case fi.IsDir():
			subdirs = append(subdirs, e.Name())
		case !fi.Mode().IsRegular():
		case e.Name() == metaFile:
			src, err := readMetaFile(p)
			if err != nil {
				return nil, err
			}
			meta = src
		case e.Name() == "config.ign" || e.Name() == "config.bu":
			data, err := os.ReadFile(p)
			if err != nil {
				return nil, fmt.Errorf("read %s: %w", p, err)
			}
			if e.Name() == "config.ign" {
				userdata = conf.Ignition(string(data))
			} else {
				userdata = conf.Butane(string(data))
			}
		case e.Name() == "config.fcc":
			return nil, fmt.Errorf("%s: Fedora CoreOS Config is Butane now: rename it config.bu", p)
		case fi.Mode().Perm()&0o111 != 0:
			executables = append(executables, p)
		}
	}
	var tests []Test
	for _, exe := range executables {
		name := prefix
		if len(executables) > 1 || filepath.Base(exe) != defaultTestName {
			if !namePart.MatchString(filepath.Base(exe)) {
				return nil, fmt.Errorf("%s: %q cannot be part of a test name (letters, digits, '.', '_', '-')", exe, filepath.Base(exe))
			}
			name += "." + filepath.Base(exe)
		}
		t := Test{Name: name, Executable: exe, DataDir: dataDir, UserData: userdata}
		sources := []source{}
		if meta != nil {
			sources = append(sources, *meta)
		}
		inline, err := readInline(exe)
		if err != nil {
			return nil, err
		}
		if inline != nil {
			sources = append(sources, *inline)
		}
		if err := t.Meta.decode(sources...); err != nil {
			return nil, err
		}
		tests = append(tests, t)
	}
	for _, sub := range subdirs {
		if !namePart.MatchString(sub) {
			return nil, fmt.Errorf("%s: %q cannot be part of a test name (letters, digits, '.', '_', '-')", filepath.Join(dir, sub), sub)
		}
		more, err := discoverDir(filepath.Join(dir, sub), prefix+"."+sub)
		if err != nil {
			return nil, err
		}
		tests = append(tests, more...)
	}
	return tests, nil
}

// readMetaFile reads kola.json (JSON is YAML, and yaml.v3 keeps lines).
func readMetaFile(p string) (*source, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: empty (want a JSON object of metadata)", p)
	}
	return &source{file: p, node: doc.Content[0]}, nil
}

// readInline reads the "## kola:" header of an executable: the lines
// after it that start "## ", their prefix cut, as YAML. A legacy
// one-line "# kola: {JSON}" header is read too.
func readInline(exe string) (*source, error) {
	f, err := os.Open(exe)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", exe, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, headerBytes), headerBytes)
	var (
		yamlText bytes.Buffer
		start    int // the header's line
		line     int
	)
	for sc.Scan() {
		line++
		text := sc.Text()
		if start == 0 {
			if rest, ok := strings.CutPrefix(text, "# kola:"); ok {
				return parseInline(exe, line-1, []byte(rest))
			}
			if strings.TrimRight(text, " ") == inlinePrefix {
				start = line
			}
			continue
		}
		body, ok := strings.CutPrefix(text, "## ")
		if !ok && text != "##" {
			break
		}
		yamlText.WriteString(body + "\n")
	}
	if start == 0 {
		return nil, nil
	}
	return parseInline(exe, start, yamlText.Bytes())
}

func parseInline(exe string, offset int, text []byte) (*source, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		return nil, fmt.Errorf("%s: the kola header (line %d on): %w", exe, offset+1, err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s:%d: the kola header is empty", exe, offset)
	}
	return &source{file: exe, line: offset, node: doc.Content[0]}, nil
}
