package images

import (
	"bytes"
	"debug/elf"
	"fmt"
	"path"
	"sort"
	"strings"
)

// moduleDeps reads the depends= field of a kernel module's .modinfo.
func moduleDeps(ko []byte) ([]string, error) {
	f, err := elf.NewFile(bytes.NewReader(ko))
	if err != nil {
		return nil, err
	}
	sec := f.Section(".modinfo")
	if sec == nil {
		return nil, fmt.Errorf("no .modinfo section")
	}
	data, err := sec.Data()
	if err != nil {
		return nil, err
	}
	for _, field := range bytes.Split(data, []byte{0}) {
		if v, ok := bytes.CutPrefix(field, []byte("depends=")); ok {
			if len(v) == 0 {
				return nil, nil
			}
			return strings.Split(string(v), ","), nil
		}
	}
	return nil, nil
}

// moduleClosure returns want and everything it depends on, dependencies
// first, as module file names ("virtio.ko"). byName maps a module name to
// its .ko contents.
func moduleClosure(want []string, byName map[string][]byte) ([]string, error) {
	var order []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name string, chain []string) error
	visit = func(name string, chain []string) error {
		switch state[name] {
		case 1:
			return fmt.Errorf("module dependency cycle: %s", strings.Join(append(chain, name), " -> "))
		case 2:
			return nil
		}
		ko, ok := byName[name]
		if !ok {
			return fmt.Errorf("kernel module %s not in the kernel package (needed by %s)", name, strings.Join(chain, " -> "))
		}
		state[name] = 1
		deps, err := moduleDeps(ko)
		if err != nil {
			return fmt.Errorf("module %s: %w", name, err)
		}
		sort.Strings(deps)
		for _, d := range deps {
			if err := visit(d, append(chain, name)); err != nil {
				return err
			}
		}
		state[name] = 2
		order = append(order, name+".ko")
		return nil
	}
	for _, w := range want {
		if err := visit(w, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// moduleName turns a path like kernel/drivers/net/virtio_net.ko into the
// name depends= uses; the kernel treats - and _ alike.
func moduleName(p string) string {
	return strings.ReplaceAll(strings.TrimSuffix(path.Base(p), ".ko"), "-", "_")
}
