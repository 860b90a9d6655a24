package conf

import (
	"fmt"
	"path"
	"strings"
)

// shells are the interpreters whose scripts can take the key snippet.
var shells = map[string]bool{"sh": true, "bash": true, "dash": true, "ash": true, "ksh": true, "zsh": true}

// interpreter returns the program a #! line runs, seeing through env.
func interpreter(shebang string) string {
	fields := strings.Fields(strings.TrimPrefix(shebang, "#!"))
	if len(fields) == 0 {
		return ""
	}
	prog := path.Base(fields[0])
	if prog == "env" {
		for _, f := range fields[1:] {
			if !strings.HasPrefix(f, "-") {
				return path.Base(f)
			}
		}
		return ""
	}
	if prog == "busybox" && len(fields) > 1 {
		return fields[1]
	}
	return prog
}

func renderScript(data string, opts RenderOptions) ([]byte, error) {
	first, rest, _ := strings.Cut(data, "\n")
	if !strings.HasPrefix(first, "#!") {
		return nil, &Error{Kind: KindScript, Line: 1, Msg: "must start with #!"}
	}
	interp := interpreter(first)
	if interp == "" {
		return nil, &Error{Kind: KindScript, Line: 1, Msg: fmt.Sprintf("no interpreter in %q", first)}
	}
	if len(opts.SSHKeys) == 0 {
		return []byte(data), nil
	}
	if !shells[interp] {
		return nil, fmt.Errorf("%w: %s script (only sh-like scripts can take keys)", ErrKeysNotInjectable, interp)
	}
	user := userOrDefault(opts.User)
	home := "/home/" + user
	if user == "root" {
		home = "/root"
	}
	var b strings.Builder
	b.WriteString(first + "\n")
	b.WriteString("# Added by strata: SSH keys for the test harness.\n")
	fmt.Fprintf(&b, "mkdir -p '%s/.ssh' && chmod 700 '%s/.ssh'\n", home, home)
	fmt.Fprintf(&b, "cat >> '%s/.ssh/authorized_keys' <<'STRATA_SSH_KEYS'\n", home)
	for _, k := range opts.SSHKeys {
		b.WriteString(strings.TrimSpace(k) + "\n")
	}
	b.WriteString("STRATA_SSH_KEYS\n")
	fmt.Fprintf(&b, "chmod 600 '%s/.ssh/authorized_keys'\n", home)
	if user != "root" {
		fmt.Fprintf(&b, "chown -R '%s' '%s/.ssh' 2>/dev/null || true\n", user, home)
	}
	b.WriteString(rest)
	return []byte(b.String()), nil
}
