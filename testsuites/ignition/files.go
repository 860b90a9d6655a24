package ignition

import (
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/register"
)

func init() {
	register.Register(register.Test{
		Name:        "ignition.files",
		Description: "Files, directories, symbolic and hard links land with the contents, modes and owners the config gives.",
		ClusterSize: 1,
		Tags:        []string{"ignition"},
		Distros:     distros,
		UserData: conf.Ignition(`{
  "ignition": {"version": "3.3.0"},
  "storage": {
    "directories": [
      {"path": "/var/lib/strata-test/private", "mode": 488, "user": {"name": "core"}, "group": {"name": "core"}}
    ],
    "files": [
      {"path": "/var/lib/strata-test/private/secret", "mode": 384, "user": {"name": "core"},
       "contents": {"source": "data:,only%20core%20reads%20this%0A"}},
      {"path": "/etc/strata-test/script.sh", "mode": 493,
       "contents": {"source": "data:;base64,IyEvYmluL3NoCmVjaG8gaGVsbG8K"}},
      {"path": "/etc/strata-test/appended", "mode": 420,
       "contents": {"source": "data:,first%0A"}, "append": [{"source": "data:,second%0A"}]}
    ],
    "links": [
      {"path": "/etc/strata-test/symlink", "target": "/etc/strata-test/script.sh"},
      {"path": "/etc/strata-test/hardlink", "target": "/etc/strata-test/appended", "hard": true}
    ]
  }
}`),
		Run: filesLanded,
	})
}

func filesLanded(c cluster.TestCluster) {
	m := c.Machines()[0]
	expect(c, m, []check{
		// mode owner group (stat's octal mode, names)
		{"sudo stat -c '%a %U %G' /var/lib/strata-test/private", "750 core core"},
		{"sudo stat -c '%a %U %G' /var/lib/strata-test/private/secret", "600 core root"},
		{"sudo cat /var/lib/strata-test/private/secret", "only core reads this"},
		{"stat -c '%a %U' /etc/strata-test/script.sh", "755 root"},
		{"/etc/strata-test/script.sh", "hello"},
		{"cat /etc/strata-test/appended", "first\nsecond"},
		{"readlink /etc/strata-test/symlink", "/etc/strata-test/script.sh"},
		{"stat -c '%h %i' /etc/strata-test/hardlink | cut -d' ' -f1", "2"},
		{"test \"$(stat -c %i /etc/strata-test/hardlink)\" = \"$(stat -c %i /etc/strata-test/appended)\" && echo same", "same"},
	})
}

// compressedText is what the compressed file holds once Ignition has
// unpacked it.
const compressedText = "unpacked by Ignition\n"

func init() {
	register.Register(register.Test{
		Name:        "ignition.files.compressed",
		Description: "A file whose contents come gzip-compressed is written unpacked, and its verification hash is of the unpacked contents, as the spec says.",
		ClusterSize: 1,
		Tags:        []string{"ignition"},
		Distros:     distros,
		UserData:    conf.Ignition(compressedConfig(compressedText)),
		Run:         compressedUnpacked,
	})
}

// compressedConfig writes text gzipped into a data URL, with the hash
// Ignition verifies (of text, not of the gzip bytes).
func compressedConfig(text string) string {
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(text))
	w.Close()
	sum := sha512.Sum512([]byte(text))
	return fmt.Sprintf(`{
  "ignition": {"version": "3.3.0"},
  "storage": {"files": [{"path": "/etc/strata-test/compressed", "mode": 420,
    "contents": {"compression": "gzip", "source": "data:;base64,%s", "verification": {"hash": "sha512-%s"}}}]}
}`, base64.StdEncoding.EncodeToString(gz.Bytes()), hex.EncodeToString(sum[:]))
}

func compressedUnpacked(c cluster.TestCluster) {
	expect(c, c.Machines()[0], []check{
		{"cat /etc/strata-test/compressed", strings.TrimSpace(compressedText)},
	})
}
