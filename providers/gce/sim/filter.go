package sim

import (
	"regexp"
	"strings"
)

// labelTerm is one `labels.KEY = "VALUE"` of a list filter, in brackets or
// not, the value quoted or not.
var labelTerm = regexp.MustCompile(`^\(?\s*labels\.([a-z0-9_-]+)\s*=\s*("([^"]*)"|[^\s()"]+)\s*\)?\s*`)

// parseFilter reads the label filters strata sends; anything else is
// refused, so a filter the simulator would ignore cannot pass a test.
func parseFilter(f string) (map[string]string, *apiError) {
	want := map[string]string{}
	rest := strings.TrimSpace(f)
	for rest != "" {
		m := labelTerm.FindStringSubmatch(rest)
		if m == nil {
			return nil, invalid("Invalid list filter expression '%s'.", f)
		}
		v := m[2]
		if strings.HasPrefix(v, `"`) {
			v = m[3]
		}
		want[m[1]] = v
		rest = strings.TrimPrefix(strings.TrimSpace(rest[len(m[0]):]), "AND ")
	}
	return want, nil
}

func matches(labels, want map[string]string) bool {
	for k, v := range want {
		if labels[k] != v {
			return false
		}
	}
	return true
}
