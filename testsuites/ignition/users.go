package ignition

import (
	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/register"
)

// testerKey is an SSH public key for the user the test creates (its
// private half is not needed: the test reads what Ignition wrote).
const testerKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICMeQfvvx9SPXnKlp9MMCZaK9Q/xc7Oi71uthOxmtW2v strata-tester"

func init() {
	register.Register(register.Test{
		Name:        "ignition.users",
		Description: "A group and a user with uid, home, shell, groups and an SSH key are created as the config says; the default user keeps the flight's key.",
		ClusterSize: 1,
		Tags:        []string{"ignition", "users"},
		Distros:     distros,
		UserData: conf.Ignition(`{
  "ignition": {"version": "3.3.0"},
  "passwd": {
    "groups": [{"name": "strata-grp", "gid": 4343}],
    "users": [
      {"name": "tester", "uid": 4242, "gecos": "strata tester", "homeDir": "/home/tester-home",
       "shell": "/bin/sh", "groups": ["strata-grp"], "sshAuthorizedKeys": ["` + testerKey + `"]}
    ]
  }
}`),
		Run: usersCreated,
	})
}

func usersCreated(c cluster.TestCluster) {
	m := c.Machines()[0]
	expect(c, m, []check{
		{"getent group strata-grp | cut -d: -f1,3", "strata-grp:4343"},
		{"getent passwd tester | cut -d: -f3,5,6,7", "4242:strata tester:/home/tester-home:/bin/sh"},
		{"id -nG tester | tr ' ' '\\n' | grep -x strata-grp", "strata-grp"},
		{"sudo stat -c '%U' /home/tester-home", "tester"},
		// FCOS and Flatcar keep Ignition's keys in a fragment that sshd
		// reads; strata's image in authorized_keys itself.
		{"sudo sh -c 'cat /home/tester-home/.ssh/authorized_keys /home/tester-home/.ssh/authorized_keys.d/* 2>/dev/null' | grep -c strata-tester", "1"},
	})
}

// corePasswordHash is set on the existing user (a SHA-512 crypt string;
// nobody logs in with it).
const corePasswordHash = "$6$strata.test$0HG2tCQ6ZtqAxC1Rwq3Jc2O3xPl4zoGsW3zPc9JCq0Zr1b6J7C0lxN5RSfyVz4hX6o2C5sVx1v3gR5fFv4y0a/"

func init() {
	register.Register(register.Test{
		Name:        "ignition.users.existing",
		Description: "For a user the image already has (core), Ignition adds the config's SSH key beside the flight's and sets its password hash.",
		ClusterSize: 1,
		Tags:        []string{"ignition", "users"},
		Distros:     distros,
		UserData: conf.Ignition(`{
  "ignition": {"version": "3.3.0"},
  "passwd": {"users": [{"name": "core", "passwordHash": "` + corePasswordHash + `", "sshAuthorizedKeys": ["` + testerKey + `"]}]}
}`),
		Run: existingUserChanged,
	})
}

func existingUserChanged(c cluster.TestCluster) {
	expect(c, c.Machines()[0], []check{
		// The test is logged in as core with the flight's key: it is kept.
		{"sh -c 'cat ~/.ssh/authorized_keys ~/.ssh/authorized_keys.d/* 2>/dev/null' | grep -c strata-tester", "1"},
		{"sudo getent shadow core | cut -d: -f2", corePasswordHash},
	})
}
