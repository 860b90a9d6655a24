package ignition

import (
	"encoding/base64"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/register"
)

// childConfig is merged into the test's config: where both write a file,
// the child's wins (Ignition's merge rule); what only one says is kept.
const childConfig = `{
  "ignition": {"version": "3.3.0"},
  "storage": {"files": [
    {"path": "/etc/strata-test/child", "mode": 420, "contents": {"source": "data:,from%20the%20child%0A"}},
    {"path": "/etc/strata-test/both", "mode": 420, "overwrite": true, "contents": {"source": "data:,child%20wins%0A"}}
  ]}
}`

func init() {
	register.Register(register.Test{
		Name:        "ignition.config.merge",
		Description: "A config merged from ignition.config.merge adds its files, and where it and the parent write one path the merged config's wins.",
		ClusterSize: 1,
		Tags:        []string{"ignition"},
		Distros:     distros,
		UserData: conf.Ignition(`{
  "ignition": {"version": "3.3.0",
    "config": {"merge": [{"source": "data:;base64,` + base64.StdEncoding.EncodeToString([]byte(childConfig)) + `"}]}},
  "storage": {"files": [
    {"path": "/etc/strata-test/parent", "mode": 420, "contents": {"source": "data:,from%20the%20parent%0A"}},
    {"path": "/etc/strata-test/both", "mode": 420, "overwrite": true, "contents": {"source": "data:,parent%20loses%0A"}}
  ]}
}`),
		Run: configMerged,
	})
}

func configMerged(c cluster.TestCluster) {
	expect(c, c.Machines()[0], []check{
		{"cat /etc/strata-test/parent", "from the parent"},
		{"cat /etc/strata-test/child", "from the child"},
		{"cat /etc/strata-test/both", "child wins"},
	})
}
